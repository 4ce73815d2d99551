import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { YESSIGN } from '../../test-support/fixtures';
import { encodePem } from '../der';
import { codeOf } from '../../test-support/errors';
import { decryptSignPriKey } from './keyfile';
import { exportPkcs12, importPkcs12 } from './pkcs12';

// the real yessign test key (with its R) and certificate; OpenSSL as the independent peer
const decrypted = decryptSignPriKey(YESSIGN.key(), YESSIGN.password);
const pkcs8 = decrypted.pkcs8;
const cert = YESSIGN.cert();
const R = Buffer.from(YESSIGN.randomNumHex, 'hex');
const PW = '비밀번호-p12!';
let dir: string;

const ossl = (args: string[]): Buffer => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
const code = codeOf;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'jc-p12-'));
  // the whole PKCS#8, randomNum attribute included: what OpenSSL is given keeps R
  writeFileSync(join(dir, 'key.pem'), encodePem('PRIVATE KEY', pkcs8));
  writeFileSync(join(dir, 'cert.pem'), encodePem('CERTIFICATE', cert));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PKCS#12 import/export', () => {
  it('the fixture key carries R', () => {
    expect(decrypted.randomNum).toEqual(R);
  });

  it.each([
    ['AES-256 / SHA-256 MAC (default)', {}],
    ['3DES / SHA-1 MAC (old tools)', { encryption: '3des', mac: 'sha1' }],
  ] as const)('ours → ours keeps the PKCS#8 and R: %s; OpenSSL reads it', (_, opts) => {
    const pfx = exportPkcs12(pkcs8, [cert], PW, opts);
    const back = importPkcs12(pfx, PW);
    expect(back.pkcs8).toEqual(pkcs8);
    expect(back.randomNum).toEqual(R);
    expect(back.certificates).toEqual([cert]);
    expect(back.mac?.digest).toBe('mac' in opts ? opts.mac : 'sha256');
    writeFileSync(join(dir, 'ours.p12'), pfx);
    const pem = ossl(['pkcs12', '-in', join(dir, 'ours.p12'), '-passin', `pass:${PW}`, '-nodes']).toString();
    expect(pem).toContain('-----BEGIN PRIVATE KEY-----');
    expect(pem).toContain('-----BEGIN CERTIFICATE-----');
  });

  it.each([
    ['OpenSSL 3 default (PBES2 AES-256, SHA-256 MAC)', []],
    ['3DES bags, SHA-1 MAC', ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']],
    ['AES-128 bags, SHA-1 MAC', ['-keypbe', 'AES-128-CBC', '-certpbe', 'AES-128-CBC', '-macalg', 'sha1']],
  ])('OpenSSL → ours: %s — the key and certificate come back, R does not (OpenSSL drops it); re-injected it survives', (_, extra) => {
    ossl(['pkcs12', '-export', '-inkey', join(dir, 'key.pem'), '-in', join(dir, 'cert.pem'), '-passout', `pass:${PW}`, '-out', join(dir, 'o.p12'), ...extra]);
    const got = importPkcs12(readFileSync(join(dir, 'o.p12')), PW);
    expect(got.randomNum).toBeUndefined();
    expect(got.certificates).toEqual([cert]);
    expect(createPrivateKey({ key: got.pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs1', format: 'der' })).toEqual(
      decrypted.privateKey.export({ type: 'pkcs1', format: 'der' }),
    );
    const again = importPkcs12(exportPkcs12(got.pkcs8, got.certificates, PW, { randomNum: R }), PW);
    expect(again.randomNum).toEqual(R);
  });

  it('openssl -legacy (RC2 certificate bag): UNSUPPORTED_ALGORITHM, named', () => {
    try {
      ossl(['pkcs12', '-export', '-legacy', '-inkey', join(dir, 'key.pem'), '-in', join(dir, 'cert.pem'), '-passout', `pass:${PW}`, '-out', join(dir, 'l.p12')]);
    } catch {
      return; // this OpenSSL build has no legacy provider: nothing to test
    }
    expect(code(() => importPkcs12(readFileSync(join(dir, 'l.p12')), PW))).toBe('UNSUPPORTED_ALGORITHM');
  });

  it('a wrong password is WRONG_PASSWORD', () => {
    const pfx = exportPkcs12(pkcs8, [cert], PW);
    expect(code(() => importPkcs12(pfx, 'nope'))).toBe('WRONG_PASSWORD');
  });

  it('fuzz: random bytes and mutated files give typed errors only', () => {
    const seed = exportPkcs12(pkcs8, [cert], PW, { iterations: 1 });
    const allowed = new Set(['MALFORMED_KEY_FILE', 'WRONG_PASSWORD', 'UNSUPPORTED_ALGORITHM', 'INPUT_TOO_LARGE', 'no error']);
    for (let i = 0; i < 600; i++) {
      let input: Buffer;
      if (i % 4 === 0) input = randomBytes(i % 200);
      else {
        input = Buffer.from(seed);
        for (let k = 0; k < 1 + (i % 3); k++) input[Math.floor(Math.random() * input.length)] = Math.floor(Math.random() * 256);
      }
      const c = code(() => importPkcs12(input, PW));
      expect(allowed.has(c) ? c : `unexpected ${c}`).toBe(c);
    }
  });
});
