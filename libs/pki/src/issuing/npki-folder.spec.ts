import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LEGACY, openssl, tempDir } from '../../test-support/openssl';
import { parseCertificate } from '../cert/parse';
import { isPkiError } from '../errors';
import { decryptSignPriKey, keyMatchesCertificate } from '../npki/keyfile';
import { issueKoreanChain, KOREAN_DEFAULTS } from './korean';
import { npkiFolderNameOf, writeNpkiFolder } from './npki-folder';

const chain = issueKoreanChain();
const tmp = tempDir('jointcert-npki-');
afterAll(() => tmp.cleanup());
const password = 'Test!pass1234';

describe('writeNpkiFolder', () => {
  it('writes NPKI/<CA>/USER/<cn=...>/signCert.der and a signPri.key our decryptor opens, with R', () => {
    const f = writeNpkiFolder(tmp.dir, { caFolder: 'yessign', cert: chain.user.der, key: chain.user.key, password, randomNum: chain.identity!.randomNum });
    const folder = `cn=${KOREAN_DEFAULTS.userCn},ou=XYZ,ou=personal4IB,o=yessign,c=kr`;
    expect(f.dir).toBe(join(tmp.dir, 'NPKI', 'yessign', 'USER', folder));
    expect(readdirSync(f.dir).sort()).toEqual(['signCert.der', 'signPri.key']);
    expect(readFileSync(f.certPath)).toEqual(chain.user.der);
    const k = decryptSignPriKey(readFileSync(f.keyPath), password);
    expect(k.scheme).toBe('seedCBCWithSHA1');
    expect(k.iterations).toBe(2048);
    expect(k.randomNum).toEqual(chain.identity!.randomNum);
    expect(keyMatchesCertificate(k.privateKey, parseCertificate(chain.user.der))).toEqual({ ok: true });
    let err: unknown;
    try {
      decryptSignPriKey(f.signPriKey, 'wrong');
    } catch (e) {
      err = e;
    }
    expect(isPkiError(err, 'WRONG_PASSWORD')).toBe(true);
  });

  it('writes PBES2 keys OpenSSL (legacy provider) decrypts, and keys without R', () => {
    const f = writeNpkiFolder(join(tmp.dir, 'pbes2'), { caFolder: 'KICA', cert: chain.user.der, key: chain.user.key, password, scheme: 'pbes2', encryption: { iterations: 1024 } });
    const k = decryptSignPriKey(f.signPriKey, password);
    expect(k.scheme).toBe('pbes2');
    expect(k.randomNum).toBeUndefined();
    const pem = openssl(['pkcs8', ...LEGACY, '-inform', 'DER', '-in', f.keyPath, '-passin', `pass:${password}`]).toString();
    expect(pem).toMatch(/-----BEGIN PRIVATE KEY-----/);
    expect(existsSync(join(tmp.dir, 'pbes2', 'NPKI', 'KICA', 'USER'))).toBe(true);
  });

  it('derives folder names from the subject and refuses path tricks', () => {
    expect(npkiFolderNameOf(parseCertificate(chain.ca.der).subject)).toBe('cn=yessignCA-Test,ou=AccreditedCA,o=yessign,c=kr');
    for (const caFolder of ['../x', 'a/b', '..']) {
      let err: unknown;
      try {
        writeNpkiFolder(tmp.dir, { caFolder, cert: chain.user.der, key: chain.user.key, password });
      } catch (e) {
        err = e;
      }
      expect(isPkiError(err, 'INVALID_ARGUMENT')).toBe(true);
    }
  });
});
