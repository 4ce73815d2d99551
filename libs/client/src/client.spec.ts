/**
 * @jointcert/client in Node through the WebCrypto path (globalThis.crypto.subtle):
 * the real yessign test key, keys made by libs/pki (every scheme and legacy
 * variant) and by OpenSSL, wrong passwords, damaged files, the iteration
 * bound, and CMS signatures checked by libs/pki's verifier and by OpenSSL.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encryptSignPriKey, type EncryptOptions, LEGACY_SEED_VARIANTS, parseCertificate, verifySignedData } from '@jointcert/pki';
import { int, octets, oid, seq } from '@jointcert/pki/der';
import { DAY, issueKoreanChain, pkcs8Of, TEST_TIME, testKey } from '@jointcert/pki/issuing';
import { YESSIGN } from '../../pki/test-support/fixtures';
import { rejection } from '../test-support/rejection';
import { ClientError, describeKeyFile, NpkiCertificate, toHex, unlockKeyFile } from '.';

describe('the real yessign test key (seedCBCWithSHA1, 2048 iterations)', () => {
  it('is described before the password: holder, CA, 은행·보험용 type, expiry and days left', async () => {
    const npki = await NpkiCertificate.open({ signCert: YESSIGN.cert(), signPri: YESSIGN.key() });
    const info = npki.describe(Date.UTC(2020, 2, 1));
    expect(info.holder).toBe('HKD(KILDONG.HONG)009104120200225191000030');
    expect(info.ca).toBe('yessign');
    expect(info.type?.usage).toBe('limited');
    expect(info.typeLabel).toContain('은행');
    expect(info.notAfter.toISOString()).toBe('2020-03-25T14:59:59.000Z');
    expect(info.daysLeft).toBe(24);
    expect(info.hasVid).toBe(true);
    expect(info.ocspUrls.length).toBeGreaterThan(0);
    expect(npki.describe().expired).toBe(true);
    expect(npki.keyFile).toMatchObject({ scheme: 'seedCBCWithSHA1', iterations: 2048, saltHex: YESSIGN.salt });
  });

  it('decrypts with WebCrypto + TS SEED; the key matches the certificate and R is extracted', async () => {
    const npki = await NpkiCertificate.open({ signCert: YESSIGN.cert(), signPri: YESSIGN.key() });
    const signer = await npki.unlock(YESSIGN.password);
    expect(toHex(signer.randomNum!)).toBe(YESSIGN.randomNumHex);
    expect(signer.scheme).toBe('seedCBCWithSHA1');
    const cms = await signer.sign(Buffer.from('nonce'));
    const v = verifySignedData(cms, { at: Date.UTC(2020, 2, 1), expectedContent: Buffer.from('nonce') });
    expect(v.reasons).toEqual([]);
    expect(v.ok).toBe(true);
  });

  it('a wrong password is WRONG_PASSWORD, and the right one still works after it', async () => {
    const npki = await NpkiCertificate.open({ signCert: YESSIGN.cert(), signPri: YESSIGN.key() });
    const e = await rejection(npki.unlock('wrong-password'));
    expect(e.code).toBe('WRONG_PASSWORD');
    expect(e.message).toMatch(/password/);
    await expect(npki.unlock(YESSIGN.password)).resolves.toBeDefined();
  });
});

describe('keys made by libs/pki in every scheme', () => {
  const chain = issueKoreanChain();
  const pkcs8 = pkcs8Of(chain.keys.user.privateKey);

  const cases: Array<[string, EncryptOptions]> = [
    ['seedCBCWithSHA1', { scheme: 'seedCBCWithSHA1' }],
    ['PBES2 + PBKDF2-HMAC-SHA1 (no prf field)', { scheme: 'pbes2' }],
    ['PBES2 + PBKDF2-HMAC-SHA256', { scheme: 'pbes2', prf: 'hmacWithSHA256' }],
    ...LEGACY_SEED_VARIANTS.map((v): [string, EncryptOptions] => [`legacy seedCBC ${v.id}`, { scheme: 'legacy-seed', legacyVariant: v.id }]),
  ];
  it.each(cases)('%s decrypts and signs what libs/pki verifies', async (_name, opts) => {
    const file = encryptSignPriKey(pkcs8, 'pässwörd-1', { ...opts, iterations: 1024 });
    const npki = await NpkiCertificate.open({ signCert: chain.user.der, signPri: file, chain: [chain.ca.der] });
    const signer = await npki.unlock('pässwörd-1');
    if (opts.scheme === 'legacy-seed') expect((await unlockKeyFile(file, 'pässwörd-1')).legacyVariant).toBe(opts.legacyVariant);
    const content = Buffer.from('challenge bytes');
    const cms = await signer.sign(content, { signingTime: TEST_TIME });
    const v = verifySignedData(cms, { at: TEST_TIME, expectedContent: content });
    expect(v.ok).toBe(true);
    expect(v.certificates.map((c) => c.fingerprintSha256)).toEqual([parseCertificate(chain.user.der).fingerprintSha256, parseCertificate(chain.ca.der).fingerprintSha256]);
    expect(v.signers[0]!.signedAttributes).toBe(true);
    expect(v.signers[0]!.digest).toBe('sha256');
    expect(v.signers[0]!.signingTime).toBe(TEST_TIME);
    expect((await rejection(npki.unlock('pässwörd-2'))).code).toBe('WRONG_PASSWORD');
  });

  it('PBES2 with hmacWithSHA224 (not in WebCrypto) is UNSUPPORTED_KEY, not a wrong password', async () => {
    const file = encryptSignPriKey(pkcs8, 'pw', { scheme: 'pbes2', prf: 'hmacWithSHA224', iterations: 10 });
    expect((await rejection(unlockKeyFile(file, 'pw'))).code).toBe('UNSUPPORTED_KEY');
  });

  it('another person’s key is KEY_CERT_MISMATCH', async () => {
    const other = encryptSignPriKey(pkcs8Of(testKey('client-other').privateKey), 'pw', { iterations: 10 });
    const npki = await NpkiCertificate.open({ signCert: chain.user.der, signPri: other });
    expect((await rejection(npki.unlock('pw'))).code).toBe('KEY_CERT_MISMATCH');
  });

  it('an expired certificate is described as expired with negative days left', async () => {
    const expired = issueKoreanChain({ userValidity: 'expired' });
    const npki = await NpkiCertificate.open({ signCert: expired.user.der, signPri: encryptSignPriKey(pkcs8Of(expired.keys.user.privateKey), 'pw', { iterations: 10 }) });
    const info = npki.describe(TEST_TIME);
    expect(info.expired).toBe(true);
    expect(info.daysLeft).toBeLessThanOrEqual(-35);
    expect(info.daysLeft).toBeGreaterThan(-37);
  });
});

describe('damaged and hostile files', () => {
  const chain = issueKoreanChain();

  it('an iteration count over the bound is refused before any key derivation', async () => {
    const hostile = seq(seq(oid('1.2.410.200004.1.15'), seq(octets(Buffer.alloc(8, 1)), int(2_000_000_000))), octets(Buffer.alloc(32)));
    const t0 = performance.now();
    const e = await rejection(unlockKeyFile(hostile, 'pw'));
    expect(e.code).toBe('MALFORMED_KEY_FILE');
    expect(e.message).toMatch(/iteration count 2000000000/);
    expect(performance.now() - t0).toBeLessThan(500);
    const file = encryptSignPriKey(pkcs8Of(chain.keys.user.privateKey), 'pw', { iterations: 5000 });
    expect((await rejection(unlockKeyFile(file, 'pw', { maxIterations: 4096 }))).code).toBe('MALFORMED_KEY_FILE');
  });

  it('a truncated key file, a certificate that is not one, and a missing file give their codes', async () => {
    const file = encryptSignPriKey(pkcs8Of(chain.keys.user.privateKey), 'pw', { iterations: 10 });
    let thrown: unknown;
    try {
      describeKeyFile(file.subarray(0, file.length - 5));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ClientError);
    expect((thrown as ClientError).code).toBe('MALFORMED_KEY_FILE');
    expect((await rejection(NpkiCertificate.open({ signCert: Buffer.from('not a certificate'), signPri: file }))).code).toBe('MALFORMED_CERTIFICATE');
    const blob = (name: string, data: Uint8Array) => ({ name, arrayBuffer: () => Promise.resolve(new Uint8Array(data).buffer) });
    const e = await rejection(NpkiCertificate.fromFiles([blob('SIGNCERT.DER', chain.user.der)]));
    expect(e.code).toBe('NPKI_FILE_MISSING');
    expect(e.message).toContain('signPri.key');
    const ok = await NpkiCertificate.fromFiles([blob('NPKI/yessign/USER/x/SIGNCERT.DER', chain.user.der), blob('signpri.key', file)]);
    expect(ok.describe(TEST_TIME).ca).toBe('yessign');
  });

  it('a flipped ciphertext byte is a wrong password (padding/PKCS#8 check), never a garbage key', async () => {
    const file = Buffer.from(encryptSignPriKey(pkcs8Of(chain.keys.user.privateKey), 'pw', { iterations: 10 }));
    file[file.length - 20]! ^= 0xff;
    const e = await rejection(unlockKeyFile(file, 'pw'));
    expect(e.code).toBe('WRONG_PASSWORD');
  });
});

describe('independent peers', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'jc-client-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a key OpenSSL encrypted (pkcs8 -v2 seed-cbc, legacy provider) decrypts; OpenSSL verifies our CMS', async () => {
    const chain = issueKoreanChain({ at: Date.now() - DAY });
    writeFileSync(join(dir, 'key.pem'), chain.keys.user.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    execFileSync('openssl', ['pkcs8', '-topk8', '-provider', 'legacy', '-provider', 'default', '-v2', 'seed-cbc', '-v2prf', 'hmacWithSHA1', '-iter', '2048', '-in', join(dir, 'key.pem'), '-outform', 'DER', '-out', join(dir, 'signPri.key'), '-passout', 'pass:openssl-pw']);
    const npki = await NpkiCertificate.open({ signCert: chain.user.der, signPri: readFileSync(join(dir, 'signPri.key')), chain: [chain.ca.der] });
    expect(npki.keyFile).toMatchObject({ scheme: 'pbes2', prf: 'hmacWithSHA1', iterations: 2048 });
    const signer = await npki.unlock('openssl-pw');
    writeFileSync(join(dir, 'signed.der'), await signer.sign(Buffer.from('서명할 내용')));
    const out = execFileSync('openssl', ['cms', '-verify', '-noverify', '-inform', 'DER', '-in', join(dir, 'signed.der')]);
    expect(out.toString('utf8')).toBe('서명할 내용');
  });

  it.each([
    ['OpenSSL 3 defaults (PBES2, PBKDF2-SHA256, AES-256-CBC)', []],
    ['AES-128 key, certificates not encrypted', ['-keypbe', 'AES-128-CBC', '-certpbe', 'NONE']],
  ])('a PFX: %s — opened, signs, wrong password refused', async (_name, extra) => {
    const chain = issueKoreanChain({ at: Date.now() - DAY });
    writeFileSync(join(dir, 'user.pem'), chain.user.pem);
    writeFileSync(join(dir, 'ca.pem'), chain.ca.pem);
    writeFileSync(join(dir, 'key.pem'), chain.keys.user.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    execFileSync('openssl', ['pkcs12', '-export', '-in', join(dir, 'user.pem'), '-certfile', join(dir, 'ca.pem'), '-inkey', join(dir, 'key.pem'), '-out', join(dir, 'id.pfx'), '-passout', 'pass:pfx-pässword', ...extra]);
    const pfx = readFileSync(join(dir, 'id.pfx'));
    const signer = await NpkiCertificate.fromPfx(pfx, 'pfx-pässword');
    expect(signer.certificate.serialHex).toBe(parseCertificate(chain.user.der).serialHex);
    expect(signer.chain).toHaveLength(1);
    const v = verifySignedData(await signer.sign(Buffer.from('pfx')), { at: Date.now(), expectedContent: Buffer.from('pfx') });
    expect(v.ok).toBe(true);
    expect((await rejection(NpkiCertificate.fromPfx(pfx, 'wrong'))).code).toBe('WRONG_PASSWORD');
  });

  it('a legacy PFX (3DES/RC2, not in WebCrypto) is UNSUPPORTED_KEY with what to do; a damaged one MALFORMED_KEY_FILE', async () => {
    const chain = issueKoreanChain({ at: Date.now() - DAY });
    writeFileSync(join(dir, 'user.pem'), chain.user.pem);
    writeFileSync(join(dir, 'key.pem'), chain.keys.user.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    execFileSync('openssl', ['pkcs12', '-export', '-legacy', '-provider', 'legacy', '-provider', 'default', '-in', join(dir, 'user.pem'), '-inkey', join(dir, 'key.pem'), '-out', join(dir, 'old.pfx'), '-passout', 'pass:pw']);
    const e = await rejection(NpkiCertificate.fromPfx(readFileSync(join(dir, 'old.pfx')), 'pw'));
    expect(e.code).toBe('UNSUPPORTED_KEY');
    expect(e.message).toMatch(/re-export the file with AES/);
    expect((await rejection(NpkiCertificate.fromPfx(readFileSync(join(dir, 'old.pfx')).subarray(0, 100), 'pw'))).code).toBe('MALFORMED_KEY_FILE');
  });
});
