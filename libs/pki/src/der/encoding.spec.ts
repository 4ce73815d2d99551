import { checkSize, decodeBase64, decodePem, decodePemAll, encodePem, toDer } from './encoding';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openssl, tempDir } from '../../test-support/openssl';
import { codeOf as code } from '../../test-support/errors';


describe('base64', () => {
  it('decodes standard and URL alphabets, with or without padding and line breaks', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0x00, 0x01]);
    expect(decodeBase64(bytes.toString('base64'))).toEqual(bytes);
    expect(decodeBase64(bytes.toString('base64url'))).toEqual(bytes);
    expect(decodeBase64('+/+/\n AAE=')).toEqual(Buffer.from('fbffbf0001', 'hex'));
    expect(decodeBase64('')).toEqual(Buffer.alloc(0));
  });

  it('decodes canonical text (its fast path) and every other accepted form to the same bytes', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 73 + n * 11) & 0xff));
      const b64 = bytes.toString('base64');
      for (const form of [b64, b64.replace(/=+$/, ''), bytes.toString('base64url'), b64.replace(/(.{4})/g, '$1\n'), ` ${b64}\t`]) {
        expect(decodeBase64(form)).toEqual(bytes);
      }
    }
    // non-zero bits in the last group's padding: not canonical, still base64 (as before)
    expect(decodeBase64('QR==')).toEqual(Buffer.from('A'));
    expect(decodeBase64('QUJ=')).toEqual(Buffer.from('AB'));
  });

  it('rejects stray characters, mixed alphabets and broken padding', () => {
    for (const bad of ['ab$c', 'ab-+', 'abcde', 'ab=c', 'a===', 'YQ=', '한글']) {
      expect(code(() => decodeBase64(bad))).toBe('MALFORMED_BASE64');
    }
  });

  it('enforces a size limit before and after decoding', () => {
    expect(code(() => decodeBase64('A'.repeat(4000), 1000))).toBe('INPUT_TOO_LARGE');
    expect(code(() => decodeBase64(Buffer.alloc(800).toString('base64'), 700))).toBe('INPUT_TOO_LARGE');
    expect(code(() => checkSize(11, 10, 'x'))).toBe('INPUT_TOO_LARGE');
  });
});

describe('PEM', () => {
  const tmp = tempDir();
  afterAll(tmp.cleanup);
  const key = openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']).toString();
  writeFileSync(join(tmp.dir, 'key.pem'), key);
  const cert = openssl(['req', '-x509', '-key', join(tmp.dir, 'key.pem'), '-subj', '/CN=pem test', '-days', '1']).toString();
  const certDer = openssl(['x509', '-outform', 'DER'], cert);

  it('decodes one and many blocks, matching OpenSSL', () => {
    expect(decodePem(cert, 'CERTIFICATE')).toEqual(certDer);
    const all = decodePemAll(`junk before\n${cert}between\n${key}trailing`);
    expect(all.map((b) => b.label)).toEqual(['CERTIFICATE', 'PRIVATE KEY']);
    expect(all[0]!.der).toEqual(certDer);
  });

  it('round-trips with encodePem and is accepted by OpenSSL', () => {
    const pem = encodePem('CERTIFICATE', certDer);
    expect(openssl(['x509', '-noout', '-subject'], pem).toString()).toContain('pem test');
  });

  it('rejects mismatched labels, headers, broken bodies, unterminated blocks', () => {
    expect(code(() => decodePem(cert, 'PRIVATE KEY'))).toBe('MALFORMED_PEM');
    expect(code(() => decodePem(`${cert}${cert}`))).toBe('MALFORMED_PEM');
    expect(code(() => decodePemAll('-----BEGIN CERTIFICATE-----\nAAAA\n-----END X509 CRL-----\n'))).toBe('MALFORMED_PEM');
    expect(code(() => decodePemAll('-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END RSA PRIVATE KEY-----\n'))).toBe('MALFORMED_PEM');
    expect(code(() => decodePemAll('-----BEGIN CERTIFICATE-----\nA$AA\n-----END CERTIFICATE-----\n'))).toBe('MALFORMED_PEM');
    expect(code(() => decodePemAll('-----BEGIN CERTIFICATE-----\nAAAA\n'))).toBe('MALFORMED_PEM');
    expect(code(() => decodePem('no pem here'))).toBe('MALFORMED_PEM');
  });

  it('toDer accepts DER bytes, PEM text, PEM bytes and base64 text', () => {
    expect(toDer(certDer)).toEqual(certDer);
    expect(toDer(cert)).toEqual(certDer);
    expect(toDer(Buffer.from(cert))).toEqual(certDer);
    expect(toDer(certDer.toString('base64'))).toEqual(certDer);
    expect(code(() => toDer(certDer, undefined, 10))).toBe('INPUT_TOO_LARGE');
  });
});
