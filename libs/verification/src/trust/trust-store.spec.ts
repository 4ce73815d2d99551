import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@jointcert/common';
import { issue, issueKoreanChain, testKey } from '@jointcert/pki/issuing';
import { TrustMetrics, TrustMetricsEndpoint } from './trust-metrics';
import { VerifierModule } from '../verifier.module';
import { loadTrustStore, TrustStoreError } from './trust-store';

describe('trust store', () => {
  const chain = issueKoreanChain();
  let dir: string;
  const warnings: unknown[] = [];
  const errors: { obj: unknown; msg: string }[] = [];
  const logger = { warn: (o: unknown) => void warnings.push(o), info: () => undefined, error: (...args: unknown[]) => void errors.push({ obj: args[0], msg: String(args[1]) }) };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jc-trust-'));
    warnings.length = 0;
    errors.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads PEM bundles and DER files, skips non-certificates with a warning, keeps duplicates once', () => {
    const anchors = join(dir, 'anchors');
    const inter = join(dir, 'inter');
    mkdirSync(anchors);
    mkdirSync(inter);
    writeFileSync(join(anchors, 'bundle.pem'), `# KISA roots\n${chain.root.pem}\n${chain.root.pem}`);
    writeFileSync(join(anchors, 'notes.txt'), 'hello');
    writeFileSync(join(anchors, '.hidden'), 'ignored');
    mkdirSync(join(anchors, 'subdir'));
    writeFileSync(join(inter, 'ca.der'), chain.ca.der);
    writeFileSync(join(inter, 'root-again.der'), chain.root.der);
    const store = loadTrustStore({ TRUST_ANCHORS_DIR: anchors, INTERMEDIATES_DIR: inter }, logger);
    expect(store.anchors.map((a) => a.subject.text)).toEqual(['CN=Test RootCA,OU=Korea Certification Authority Central,O=KISA,C=KR']);
    expect(store.intermediates.map((a) => a.subject.text)).toEqual(['CN=yessignCA-Test,OU=AccreditedCA,O=yessign,C=kr']);
    expect(warnings).toEqual([expect.objectContaining({ file: join(anchors, 'notes.txt') })]);
    expect(Object.isFrozen(store.anchors)).toBe(true);
  });

  describe('anchor checks at load (structural faults): refused with an error line and a metric', () => {
    const key = testKey('trust-bad-root');
    const bc = { basicConstraints: { critical: true, ca: true } } as const;
    const bad: Array<[string, Parameters<typeof issue>[0]['extensions'], string]> = [
      ['unknown critical extension', { ...bc, extra: [{ oid: '1.3.6.1.4.1.99999.1', critical: true, value: Buffer.from([5, 0]) }] }, 'UNKNOWN_CRITICAL_EXTENSION'],
      ['no basicConstraints', { keyUsage: ['keyCertSign'] }, 'NOT_A_CA'],
      ['basicConstraints not critical', { basicConstraints: { critical: false, ca: true } }, 'BASIC_CONSTRAINTS_NOT_CRITICAL'],
      ['cA false', { basicConstraints: { critical: true, ca: false } }, 'NOT_A_CA'],
      ['critical SKI', { ...bc, subjectKeyIdentifier: { critical: true, keyIdentifier: Buffer.alloc(20, 7) } }, 'KEY_ID_CRITICAL'],
      ['critical AKI', { ...bc, authorityKeyIdentifier: { critical: true } }, 'KEY_ID_CRITICAL'],
    ];

    it.each(bad)('%s → refused', async (label, extensions, reason) => {
      const anchors = join(dir, 'anchors');
      mkdirSync(anchors);
      writeFileSync(join(anchors, 'good.pem'), chain.root.pem);
      const root = issue({ subject: `CN=Bad Root ${label},O=Test,C=KR`, keys: key, extensions });
      writeFileSync(join(anchors, 'bad.pem'), root.pem);
      const metrics = new TrustMetrics();
      const store = loadTrustStore({ TRUST_ANCHORS_DIR: anchors }, logger, metrics);
      expect(store.anchors.map((a) => a.subject.text)).toEqual(['CN=Test RootCA,OU=Korea Certification Authority Central,O=KISA,C=KR']);
      expect(store.refused).toEqual([expect.objectContaining({ subject: `CN=Bad Root ${label},O=Test,C=KR`, reasons: [reason] })]);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.msg).toMatch(new RegExp(`^TRUST_ANCHORS_DIR: refusing trust anchor CN=Bad Root ${label}`));
      const text = await metrics.registry.metrics();
      expect(text).toContain(`jointcert_verifier_trust_anchors_refused{reason="${reason}"} 1`);
      expect(text).toMatch(/jointcert_verifier_trust_anchors_loaded 1/);
    });

    it('the metric counts refusals by reason and the anchors in use; an empty subject is refused; all refused → no start', async () => {
      const anchors = join(dir, 'anchors');
      mkdirSync(anchors);
      writeFileSync(join(anchors, 'a.pem'), issue({ subject: [], keys: key, extensions: { basicConstraints: { critical: true, ca: true }, subjectAltName: { critical: true, names: [{ dns: 'root.example' }] } } }).pem);
      writeFileSync(join(anchors, 'b.pem'), issue({ subject: 'CN=No BC', keys: key, extensions: {} }).pem);
      const metrics = new TrustMetrics();
      expect(() => loadTrustStore({ TRUST_ANCHORS_DIR: anchors }, logger, metrics)).toThrow(/every trust anchor was refused/);
      const text = await metrics.registry.metrics();
      expect(text).toMatch(/jointcert_verifier_trust_anchors_refused\{reason="EMPTY_SUBJECT"\} 1/);
      expect(text).toMatch(/jointcert_verifier_trust_anchors_refused\{reason="NOT_A_CA"\} 1/);
      expect(text).toMatch(/jointcert_verifier_trust_anchors_loaded 0/);
      expect(errors.map((e) => e.msg)).toEqual([expect.stringMatching(/empty subject/), expect.stringMatching(/no basicConstraints/)]);
    });
  });

  it('a booted verifier serves the trust-store metrics on VERIFIER_METRICS_PORT (GET /metrics), none when unset', async () => {
    const anchors = join(dir, 'anchors');
    mkdirSync(anchors);
    writeFileSync(join(anchors, 'root.pem'), chain.root.pem);
    writeFileSync(join(anchors, 'leaf.pem'), issue({ subject: 'CN=Not A Root', keys: testKey('metrics-not-a-root'), extensions: {} }).pem);
    const boot = async (env: Record<string, string>) => {
      const app = await NestFactory.createApplicationContext(VerifierModule.forRoot(loadConfig({ LOG_LEVEL: 'silent', TRUST_ANCHORS_DIR: anchors, ...env }, 'verifier')), { logger: false });
      await app.init();
      return app;
    };
    const app = await boot({ VERIFIER_METRICS_PORT: '0' });
    try {
      const port = app.get(TrustMetricsEndpoint).port;
      expect(port).toEqual(expect.any(Number));
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toMatch(/jointcert_verifier_trust_anchors_loaded 1/);
      expect(text).toMatch(/jointcert_verifier_trust_anchors_refused\{reason="NOT_A_CA"\} 1/);
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await app.close();
    }
    const quiet = await boot({});
    try {
      expect(quiet.get(TrustMetricsEndpoint).port).toBeUndefined();
    } finally {
      await quiet.close();
    }
  });

  it('refuses to start without anchors: unset, unreadable, or no certificate in it', () => {
    expect(() => loadTrustStore({}, logger)).toThrow(/TRUST_ANCHORS_DIR is not set/);
    expect(() => loadTrustStore({ TRUST_ANCHORS_DIR: join(dir, 'missing') }, logger)).toThrow(TrustStoreError);
    writeFileSync(join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    expect(() => loadTrustStore({ TRUST_ANCHORS_DIR: dir }, logger)).toThrow(/holds no certificate/);
  });

  it('the service itself refuses to boot without TRUST_ANCHORS_DIR, with the reason', async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    const err = await NestFactory.createApplicationContext(VerifierModule.forRoot(config), { logger: false, abortOnError: false }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(err)).toMatch(/TRUST_ANCHORS_DIR is not set/);
  });
});
