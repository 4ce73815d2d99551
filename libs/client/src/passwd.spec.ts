/**
 * changeKeyPassword through the WebCrypto path: the real yessign test key and
 * libs/pki-made keys re-encrypted, then read back by the client, by libs/pki's
 * node:crypto decryptor and by OpenSSL (legacy provider for SEED); R and every
 * other PKCS#8 byte unchanged; weak, equal and wrong passwords refused.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decryptSignPriKey, encryptSignPriKey, type EncryptOptions, parseEncryptedPrivateKeyInfo } from '@jointcert/pki';
import { issueKoreanChain, pkcs8Of } from '@jointcert/pki/issuing';
import { YESSIGN } from '../../pki/test-support/fixtures';
import { rejection } from '../test-support/rejection';
import { changeKeyPassword, checkNpkiPassword, DEFAULT_PASSWORD_ITERATIONS, NPKI_PASSWORD_RULE, toHex, unlockKeyFile } from '.';

const NEW = 'N3w-pass!word';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'jc-passwd-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('changeKeyPassword on the real yessign key (seedCBCWithSHA1, 2048 iterations)', () => {
  let changed: Awaited<ReturnType<typeof changeKeyPassword>>;
  const original = decryptSignPriKey(YESSIGN.key(), YESSIGN.password);
  beforeAll(async () => {
    changed = await changeKeyPassword(YESSIGN.key(), YESSIGN.password, NEW);
  });

  it('writes PBES2 + PBKDF2-HMAC-SHA256 (10,000 iterations) + SEED-CBC with a fresh 16-byte salt', () => {
    expect(changed).toMatchObject({ scheme: 'pbes2', prf: 'hmacWithSHA256', iterations: DEFAULT_PASSWORD_ITERATIONS, hasRandomNum: true });
    const p = parseEncryptedPrivateKeyInfo(changed.file);
    expect(p).toMatchObject({ scheme: 'pbes2', prf: 'hmacWithSHA256', iterations: 10_000 });
    expect(p.salt).toHaveLength(16);
  });

  it('decrypts with the new password and not with the old; the PKCS#8 (R included) is byte for byte the same', async () => {
    const k = await unlockKeyFile(changed.file, NEW);
    expect(toHex(k.randomNum!)).toBe(YESSIGN.randomNumHex);
    expect(toHex(k.pkcs8)).toBe(original.pkcs8.toString('hex'));
    expect((await rejection(unlockKeyFile(changed.file, YESSIGN.password))).code).toBe('WRONG_PASSWORD');
  });

  it("libs/pki's node:crypto decryptor reads it, with the same R", () => {
    const k = decryptSignPriKey(changed.file, NEW);
    expect(k.randomNum?.toString('hex')).toBe(YESSIGN.randomNumHex);
    expect(k.pkcs8.equals(original.pkcs8)).toBe(true);
    expect(() => decryptSignPriKey(changed.file, YESSIGN.password)).toThrow(/password/);
  });

  it('OpenSSL (pkcs8, legacy provider for SEED) decrypts it to the same RSA key', () => {
    writeFileSync(join(dir, 'yessign-new.key'), changed.file);
    const legacy = ['-provider', 'legacy', '-provider', 'default'];
    const pkcs1 = execFileSync('openssl', ['pkcs8', ...legacy, '-inform', 'DER', '-in', join(dir, 'yessign-new.key'), '-passin', `pass:${NEW}`, '-outform', 'DER']);
    expect(pkcs1.equals(original.privateKey.export({ type: 'pkcs1', format: 'der' }))).toBe(true);
    expect(() => execFileSync('openssl', ['pkcs8', ...legacy, '-inform', 'DER', '-in', join(dir, 'yessign-new.key'), '-passin', `pass:${YESSIGN.password}`, '-outform', 'DER'], { stdio: 'pipe' })).toThrow();
  });

  it("scheme 'keep' re-encrypts in the file's own scheme and count, with a new salt", async () => {
    const kept = await changeKeyPassword(YESSIGN.key(), YESSIGN.password, NEW, { scheme: 'keep' });
    expect(kept).toMatchObject({ scheme: 'seedCBCWithSHA1', iterations: 2048 });
    expect(kept.prf).toBeUndefined();
    const p = parseEncryptedPrivateKeyInfo(kept.file);
    expect(toHex(p.salt)).not.toBe(YESSIGN.salt);
    expect(decryptSignPriKey(kept.file, NEW).pkcs8.equals(original.pkcs8)).toBe(true);
  });

  it('a wrong old password is WRONG_PASSWORD', async () => {
    expect((await rejection(changeKeyPassword(YESSIGN.key(), 'Wrong-old-pass1', NEW))).code).toBe('WRONG_PASSWORD');
  });
});

describe('the NPKI password rule', () => {
  it.each([
    ['short1!', ['length']],
    ['onlyletters!!', ['digit']],
    ['1234567890!', ['letter']],
    ['letters1234', ['symbol']],
    ['abcdefghij', ['digit', 'symbol']],
    ['비밀번호abc123!', ['character']],
    ['with space1!', ['character']],
  ] as const)('%s breaks it (%j): WEAK_PASSWORD naming the rule, before any decryption', async (pw, missing) => {
    expect(checkNpkiPassword(pw)).toEqual(missing);
    // the old password is wrong too: the rule is checked first, so the answer is WEAK_PASSWORD
    const e = await rejection(changeKeyPassword(YESSIGN.key(), 'not-the-password', pw));
    expect(e.code).toBe('WEAK_PASSWORD');
    expect(e.message).toContain(NPKI_PASSWORD_RULE);
    expect(e.details).toEqual({ rule: NPKI_PASSWORD_RULE, missing });
  });

  it('accepts 10+ printable ASCII characters with a letter, a digit and a symbol', () => {
    for (const pw of ['Abcdefgh1!', NEW, YESSIGN.password, 'a1~~~~~~~~']) expect(checkNpkiPassword(pw)).toEqual([]);
  });

  it('the same password again, or an iteration count out of range, is INVALID_ARGUMENT', async () => {
    expect((await rejection(changeKeyPassword(YESSIGN.key(), YESSIGN.password, YESSIGN.password))).code).toBe('INVALID_ARGUMENT');
    expect((await rejection(changeKeyPassword(YESSIGN.key(), YESSIGN.password, NEW, { iterations: 10 }))).code).toBe('INVALID_ARGUMENT');
  });
});

describe('keys made by libs/pki in the other schemes', () => {
  const chain = issueKoreanChain();
  const pkcs8 = pkcs8Of(chain.keys.user.privateKey);
  it.each<[string, EncryptOptions]>([
    ['PBES2 + HMAC-SHA1', { scheme: 'pbes2' }],
    ['legacy seedCBC pbkdf2-sha1/derived-iv', { scheme: 'legacy-seed', legacyVariant: 'pbkdf2-sha1/derived-iv' }],
  ])("%s: re-encrypted by default and with 'keep' (the same scheme, PRF and variant)", async (_name, opts) => {
    const file = encryptSignPriKey(pkcs8, 'old-pässwörd', { ...opts, iterations: 1500 });
    const before = decryptSignPriKey(file, 'old-pässwörd');
    const fresh = await changeKeyPassword(file, 'old-pässwörd', NEW);
    expect(decryptSignPriKey(fresh.file, NEW).pkcs8.equals(before.pkcs8)).toBe(true);
    const kept = await changeKeyPassword(file, 'old-pässwörd', NEW, { scheme: 'keep' });
    const k = decryptSignPriKey(kept.file, NEW);
    expect(k).toMatchObject({ scheme: before.scheme, iterations: 1500 });
    expect(k.prf).toBe(before.prf);
    expect(k.legacyVariant).toBe(before.legacyVariant);
    expect(k.pkcs8.equals(before.pkcs8)).toBe(true);
    const der = createPrivateKey({ key: k.pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs1', format: 'der' });
    expect(der.equals(chain.keys.user.privateKey.export({ type: 'pkcs1', format: 'der' }))).toBe(true);
  });
});
