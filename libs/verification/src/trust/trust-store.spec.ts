import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@jointcert/common';
import { issueKoreanChain } from '@jointcert/pki/testing';
import { verifierAppModule } from '../verifier.module';
import { loadTrustStore, TrustStoreError } from './trust-store';

describe('trust store', () => {
  const chain = issueKoreanChain();
  let dir: string;
  const warnings: unknown[] = [];
  const logger = { warn: (o: unknown) => void warnings.push(o), info: () => undefined };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jc-trust-'));
    warnings.length = 0;
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

  it('refuses to start without anchors: unset, unreadable, or no certificate in it', () => {
    expect(() => loadTrustStore({}, logger)).toThrow(/TRUST_ANCHORS_DIR is not set/);
    expect(() => loadTrustStore({ TRUST_ANCHORS_DIR: join(dir, 'missing') }, logger)).toThrow(TrustStoreError);
    writeFileSync(join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    expect(() => loadTrustStore({ TRUST_ANCHORS_DIR: dir }, logger)).toThrow(/holds no certificate/);
  });

  it('the service itself refuses to boot without TRUST_ANCHORS_DIR, with the reason', async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    const err = await NestFactory.createApplicationContext(verifierAppModule(config), { logger: false, abortOnError: false }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(err)).toMatch(/TRUST_ANCHORS_DIR is not set/);
  });
});
