/**
 * Test kit: a CA with leaves, delegated responder certificates and a real
 * `openssl ocsp` responder process as the independent peer. Certificates are
 * made with the test-CA toolkit (validity around the real clock, since
 * openssl stamps responses with the real time); the responder reads an
 * index.txt we write (V good, R revoked with a reason; serials not listed are
 * "unknown").
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCertificate } from '../../cert/parse';
import type { Certificate } from '../../cert/types';
import { encodePem } from '../../der';
import { DAY, issue, type Issued, pkcs8Of, testKey } from '../../issuing';
import { OID } from '../../cert/types';
import { tempDir } from '../../../test-support/openssl';

export interface OcspPki {
  dir: string;
  ca: Issued;
  caCert: Certificate;
  /** Delegated responder: EKU OCSPSigning + ocsp-nocheck. */
  responder: Issued;
  /** Signed by the CA but without the OCSPSigning EKU. */
  noEku: Issued;
  good: Certificate;
  revoked: Certificate;
  /** Issued by the CA but not in the index. */
  unlisted: Certificate;
  revokedAt: number;
  files: { caPem: string; caKey: string; respPem: string; respKey: string; noEkuPem: string; noEkuKey: string; index: string };
  cleanup(): void;
}

/** openssl index.txt time: YYMMDDHHMMSSZ. */
function indexTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}

export function ocspPki(now: number): OcspPki {
  const { dir, cleanup } = tempDir('jointcert-ocsp-');
  const validity = { notBefore: now - 10 * DAY, notAfter: now + 365 * DAY };
  const ca = issue({
    subject: 'CN=OCSP Test CA,OU=AccreditedCA,O=yessign,C=KR',
    keys: testKey('ocsp-ca'),
    extensions: { basicConstraints: { ca: true, critical: true }, keyUsage: ['keyCertSign', 'cRLSign'] },
    ...validity,
  });
  const leaf = (cn: string, serial: bigint): Issued =>
    issue({
      subject: `CN=${cn},O=yessign,C=KR`,
      serial,
      keys: testKey(`ocsp-leaf-${cn}`, 'ec-p256'),
      issuer: ca,
      extensions: { keyUsage: ['digitalSignature'], authorityInfoAccess: { ocsp: 'http://ocsp.example.test:4612' } },
      ...validity,
    });
  const responder = issue({
    subject: 'CN=OCSP Responder,O=yessign,C=KR',
    keys: testKey('ocsp-responder'),
    issuer: ca,
    extensions: { keyUsage: ['digitalSignature'], extKeyUsage: [OID.kpOcspSigning], ocspNoCheck: true },
    ...validity,
  });
  const noEku = issue({
    subject: 'CN=Not A Responder,O=yessign,C=KR',
    keys: testKey('ocsp-noeku'),
    issuer: ca,
    extensions: { keyUsage: ['digitalSignature'] },
    ...validity,
  });
  const good = leaf('good', 0x1001n);
  const revoked = leaf('revoked', 0x1002n);
  const unlisted = leaf('unlisted', 0x1003n);
  const revokedAt = Math.floor((now - 2 * DAY) / 1000) * 1000;

  const files = {
    caPem: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca.key'),
    respPem: join(dir, 'resp.pem'),
    respKey: join(dir, 'resp.key'),
    noEkuPem: join(dir, 'noeku.pem'),
    noEkuKey: join(dir, 'noeku.key'),
    index: join(dir, 'index.txt'),
  };
  writeFileSync(files.caPem, ca.pem);
  writeFileSync(files.caKey, encodePem('PRIVATE KEY', pkcs8Of(ca.key)));
  writeFileSync(files.respPem, responder.pem);
  writeFileSync(files.respKey, encodePem('PRIVATE KEY', pkcs8Of(responder.key)));
  writeFileSync(files.noEkuPem, noEku.pem);
  writeFileSync(files.noEkuKey, encodePem('PRIVATE KEY', pkcs8Of(noEku.key)));
  const exp = indexTime(validity.notAfter);
  writeFileSync(
    files.index,
    [
      `V\t${exp}\t\t1001\tunknown\t/C=KR/O=yessign/CN=good`,
      `R\t${exp}\t${indexTime(revokedAt)},keyCompromise\t1002\tunknown\t/C=KR/O=yessign/CN=revoked`,
      '',
    ].join('\n'),
  );
  return {
    dir,
    ca,
    caCert: parseCertificate(ca.der),
    responder,
    noEku,
    good: parseCertificate(good.der),
    revoked: parseCertificate(revoked.der),
    unlisted: parseCertificate(unlisted.der),
    revokedAt,
    files,
    cleanup,
  };
}

export interface RunningResponder {
  url: string;
  port: number;
  /** Everything the process wrote to stderr (its request log). */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Start `openssl ocsp -port 0` and resolve once it prints "ACCEPT <addr>:<port>"
 * on stdout (OpenSSL 3 binds the free port itself). Rejects if it exits first.
 */
export function startOpensslResponder(pki: OcspPki, signer: 'delegated' | 'ca' | 'noeku', extra: string[] = []): Promise<RunningResponder> {
  const [cert, key] =
    signer === 'ca' ? [pki.files.caPem, pki.files.caKey] : signer === 'noeku' ? [pki.files.noEkuPem, pki.files.noEkuKey] : [pki.files.respPem, pki.files.respKey];
  const args = ['ocsp', '-index', pki.files.index, '-port', '0', '-rsigner', cert, '-rkey', key, '-CA', pki.files.caPem, '-nmin', '5', ...extra];
  const child: ChildProcess = spawn('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`openssl ocsp exited (${code}) before listening: ${err}`));
    child.once('exit', onExit);
    child.once('error', reject);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /ACCEPT .*:(\d+)/.exec(out);
      if (!m) return;
      child.off('exit', onExit);
      const port = Number(m[1]);
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        stderr: () => err,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
