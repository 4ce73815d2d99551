import { createPublicKey, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@jointcert/common';
import { encodePem, encryptSignPriKey, encryptVidMsg } from '@jointcert/pki';
import { issueKoreanChain, testKey } from '@jointcert/pki/issuing';
import { loadKmKeyPair, ServerKmKey } from './server-km-key';

const chain = issueKoreanChain({ user: { keys: testKey('km-user') } });
const other = issueKoreanChain({ user: { keys: testKey('km-other') } });
let dir: string;
const f = (name: string, data: string | Buffer): string => {
  writeFileSync(join(dir, name), data);
  return join(dir, name);
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'jc-km-key-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the server KM key pair at boot', () => {
  it('none configured: no pair, and encryptedRandom is refused as MALFORMED_INPUT naming the remedy', () => {
    expect(loadKmKeyPair({})).toBeUndefined();
    const km = new ServerKmKey(loadConfig({}));
    expect(() => km.decrypt(Buffer.from([0x30, 0]))).toThrow(expect.objectContaining({ code: 'MALFORMED_INPUT', extra: expect.objectContaining({ reason: 'NO_KM_CERTIFICATE' }) }) as Error);
  });

  it('an NPKI kmPri.key (password-encrypted) with kmCert.der decrypts a vidMsg; DER or PEM certificate, PKCS#8 PEM key', () => {
    const pkcs8 = chain.user.key.export({ type: 'pkcs8', format: 'der' });
    const cert = f('kmCert.der', chain.user.der);
    const key = f('kmPri.key', encryptSignPriKey(pkcs8, 'km-secret-1'));
    const km = new ServerKmKey(loadConfig({ KM_CERT_FILE: cert, KM_KEY_FILE: key, KM_KEY_PASSWORD: 'km-secret-1' }));
    const R = randomBytes(20);
    expect(km.decrypt(encryptVidMsg(createPublicKey(chain.user.key), R))).toEqual(R);
    expect(() => km.decrypt(encryptVidMsg(createPublicKey(other.user.key), R))).toThrow(expect.objectContaining({ code: 'DECRYPTION_FAILED' }) as Error);
    const pem = loadKmKeyPair({ KM_CERT_FILE: f('km.pem', encodePem('CERTIFICATE', chain.user.der)), KM_KEY_FILE: f('km.key', chain.user.key.export({ type: 'pkcs8', format: 'pem' })) });
    expect(pem?.certificate.serialHex).toBeDefined();
  });

  it('refuses to start half-configured, with a wrong password, or with a key that is not the certificate\'s', () => {
    const key = f('k2.key', encryptSignPriKey(chain.user.key.export({ type: 'pkcs8', format: 'der' }), 'right-password'));
    expect(() => loadKmKeyPair({ KM_CERT_FILE: f('c.der', chain.user.der) })).toThrow(/go together/);
    expect(() => loadKmKeyPair({ KM_CERT_FILE: f('c.der', chain.user.der), KM_KEY_FILE: key, KM_KEY_PASSWORD: 'wrong' })).toThrow(expect.objectContaining({ code: 'WRONG_PASSWORD' }) as Error);
    expect(() => loadKmKeyPair({ KM_CERT_FILE: f('o.der', other.user.der), KM_KEY_FILE: key, KM_KEY_PASSWORD: 'right-password' })).toThrow(expect.objectContaining({ code: 'KEY_CERT_MISMATCH' }) as Error);
  });
});
