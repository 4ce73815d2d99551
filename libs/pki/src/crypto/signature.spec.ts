import { createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import { parseCertificate } from '../cert/parse';
import { OID, type Certificate } from '../cert/types';
import { encodeOidContent } from '../der';
import { openssl, tempDir } from '../../test-support/openssl';
import { DEFAULT_ALGORITHM_POLICY, DSA_SIGNATURE_OIDS, clearKeyCache, dsaPrimeBits, hasDsaParameters, publicKeyOf, signatureScheme, verifySignature, type AlgorithmPolicy } from './signature';

// Self-signed certificates made by OpenSSL: their signatures are an
// independent peer's, and each carries the key that must verify it.
describe('verifySignature', () => {
  const tmp = tempDir();
  afterAll(tmp.cleanup);

  function selfSigned(name: string, keyArgs: string[], reqArgs: string[] = []): Certificate {
    const key = join(tmp.dir, `${name}.key`);
    openssl(['genpkey', ...keyArgs, '-out', key]);
    const der = openssl(['req', '-x509', '-key', key, '-subj', `/CN=${name}`, '-days', '2', '-outform', 'DER', ...reqArgs]);
    return parseCertificate(der);
  }

  const rsa = selfSigned('rsa2048', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']);
  const rsaSha1 = selfSigned('rsa-sha1', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], ['-sha1']);
  const rsaSha512 = selfSigned('rsa-sha512', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], ['-sha512']);
  const rsa1024 = selfSigned('rsa1024', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024']);
  const pss = selfSigned('pss', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32', '-sha256']);
  const ec = selfSigned('p256', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  const ec384 = selfSigned('p384', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], ['-sha384']);
  const ed = selfSigned('ed25519', ['-algorithm', 'ED25519']);

  function dsaSelfSigned(name: string, bits: number, digest: string): Certificate {
    const params = join(tmp.dir, `${name}.params`);
    const key = join(tmp.dir, `${name}.key`);
    openssl(['genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', `dsa_paramgen_bits:${bits}`, '-out', params]);
    openssl(['genpkey', '-paramfile', params, '-out', key]);
    return parseCertificate(openssl(['req', '-x509', '-key', key, '-subj', `/CN=${name}`, '-days', '2', '-outform', 'DER', `-${digest}`]));
  }
  const dsa = dsaSelfSigned('dsa2048', 2048, 'sha256');
  const dsa1024 = dsaSelfSigned('dsa1024', 1024, 'sha1');
  const DSA_ON: AlgorithmPolicy = { ...DEFAULT_ALGORITHM_POLICY, allowDsa: true };

  const own = (c: Certificate, policy?: AlgorithmPolicy) => verifySignature(c.signatureAlgorithm, c.spki, c.tbsDer, c.signature, policy);

  it.each([
    ['RSA PKCS#1 v1.5 SHA-256', rsa, 'sha256'],
    ['RSA PKCS#1 v1.5 SHA-512', rsaSha512, 'sha512'],
    ['RSASSA-PSS SHA-256 salt 32', pss, 'sha256'],
    ['ECDSA P-256', ec, 'sha256'],
    ['ECDSA P-384', ec384, 'sha384'],
    ['Ed25519', ed, null],
  ] as const)('verifies an OpenSSL %s signature', (_name, cert, digest) => {
    expect(own(cert)).toEqual({ ok: true, digest });
  });

  it('fails a tampered body or signature as BAD_SIGNATURE, never by throwing', () => {
    for (const c of [rsa, pss, ec, ed]) {
      const body = Buffer.from(c.tbsDer);
      body[body.length - 5]! ^= 1;
      expect(verifySignature(c.signatureAlgorithm, c.spki, body, c.signature)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
      const sig = Buffer.from(c.signature);
      sig[10]! ^= 0x40;
      expect(verifySignature(c.signatureAlgorithm, c.spki, c.tbsDer, sig)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
      expect(verifySignature(c.signatureAlgorithm, c.spki, c.tbsDer, Buffer.alloc(3))).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
    }
  });

  it('refuses SHA-1 unless the policy allows it', () => {
    expect(own(rsaSha1)).toMatchObject({ ok: false, reason: 'ALGORITHM_NOT_ALLOWED' });
    expect(own(rsaSha1, { ...DEFAULT_ALGORITHM_POLICY, allowSha1: true })).toEqual({ ok: true, digest: 'sha1' });
  });

  it('refuses RSA keys below the minimum size', () => {
    expect(own(rsa1024)).toMatchObject({ ok: false, reason: 'WEAK_KEY' });
    expect(own(rsa1024, { ...DEFAULT_ALGORITHM_POLICY, minRsaBits: 1024 })).toEqual({ ok: true, digest: 'sha256' });
  });

  it('refuses a key of the wrong type for the algorithm', () => {
    expect(verifySignature(rsa.signatureAlgorithm, ec.spki, rsa.tbsDer, rsa.signature)).toMatchObject({ ok: false, reason: 'KEY_ALGORITHM_MISMATCH' });
    expect(verifySignature(ec.signatureAlgorithm, rsa.spki, ec.tbsDer, ec.signature)).toMatchObject({ ok: false, reason: 'KEY_ALGORITHM_MISMATCH' });
    expect(verifySignature(ed.signatureAlgorithm, ec.spki, ed.tbsDer, ed.signature)).toMatchObject({ ok: false, reason: 'KEY_ALGORITHM_MISMATCH' });
  });

  it('honours algorithm switches and curve lists', () => {
    expect(own(ec, { ...DEFAULT_ALGORITHM_POLICY, allowEcdsa: false })).toMatchObject({ ok: false, reason: 'ALGORITHM_NOT_ALLOWED' });
    expect(own(ec384, { ...DEFAULT_ALGORITHM_POLICY, curves: [OID.prime256v1] })).toMatchObject({ ok: false, reason: 'ALGORITHM_NOT_ALLOWED' });
    expect(own(pss, { ...DEFAULT_ALGORITHM_POLICY, allowRsaPss: false })).toMatchObject({ ok: false, reason: 'ALGORITHM_NOT_ALLOWED' });
    expect(own(ed, { ...DEFAULT_ALGORITHM_POLICY, allowEdDsa: false })).toMatchObject({ ok: false, reason: 'ALGORITHM_NOT_ALLOWED' });
  });

  it('verifies OpenSSL DSA signatures only when the policy allows DSA', () => {
    expect(dsa.signatureAlgorithm.oid).toBe(DSA_SIGNATURE_OIDS.dsaWithSHA256);
    expect(own(dsa)).toMatchObject({ ok: false, reason: 'ALGORITHM_NOT_ALLOWED' });
    expect(own(dsa, DSA_ON)).toEqual({ ok: true, digest: 'sha256' });
    expect(dsaPrimeBits(dsa.spki)).toBe(2048);
    expect(own(dsa1024, { ...DSA_ON, allowSha1: true })).toMatchObject({ ok: false, reason: 'WEAK_KEY' });
    expect(own(dsa1024, { ...DSA_ON, allowSha1: true, minRsaBits: 1024 })).toEqual({ ok: true, digest: 'sha1' });
    expect(own(dsa1024, { ...DSA_ON, minRsaBits: 1024 })).toMatchObject({ ok: false, reason: 'ALGORITHM_NOT_ALLOWED' });
  });

  it('fails a bad DSA signature as BAD_SIGNATURE, a DSA key without parameters as BAD_KEY, never by throwing', () => {
    const body = Buffer.from(dsa.tbsDer);
    body[body.length - 5]! ^= 1;
    expect(verifySignature(dsa.signatureAlgorithm, dsa.spki, body, dsa.signature, DSA_ON)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(verifySignature(dsa.signatureAlgorithm, dsa.spki, dsa.tbsDer, Buffer.alloc(3), DSA_ON)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(verifySignature(dsa.signatureAlgorithm, rsa.spki, dsa.tbsDer, dsa.signature, DSA_ON)).toMatchObject({ ok: false, reason: 'KEY_ALGORITHM_MISMATCH' });
    const bare = { ...dsa.spki, algorithm: { oid: OID.dsa, der: Buffer.from('06072a8648ce380401', 'hex') } };
    expect(hasDsaParameters(bare)).toBe(false);
    expect(verifySignature(dsa.signatureAlgorithm, bare, dsa.tbsDer, dsa.signature, DSA_ON)).toMatchObject({ ok: false, reason: 'BAD_KEY' });
    const garbage = { ...dsa.spki, algorithm: { oid: OID.dsa, params: Buffer.from('020101', 'hex'), der: Buffer.alloc(0) } };
    expect(verifySignature(dsa.signatureAlgorithm, garbage, dsa.tbsDer, dsa.signature, DSA_ON)).toMatchObject({ ok: false, reason: 'BAD_KEY' });
    const withParams = { oid: DSA_SIGNATURE_OIDS.dsaWithSHA256, params: Buffer.from('0500', 'hex'), der: Buffer.alloc(0) };
    expect(verifySignature(withParams, dsa.spki, dsa.tbsDer, dsa.signature, DSA_ON)).toMatchObject({ ok: false, reason: 'UNSUPPORTED_ALGORITHM' });
  });

  it('accepts rsaEncryption as a signature algorithm only with a digest from elsewhere (CMS)', () => {
    const alg = { oid: OID.rsaEncryption, params: Buffer.from('0500', 'hex'), der: Buffer.alloc(0) };
    expect(verifySignature(alg, rsa.spki, rsa.tbsDer, rsa.signature)).toMatchObject({ ok: false, reason: 'UNSUPPORTED_ALGORITHM' });
    expect(verifySignature(alg, rsa.spki, rsa.tbsDer, rsa.signature, DEFAULT_ALGORITHM_POLICY, 'sha256')).toEqual({ ok: true, digest: 'sha256' });
  });

  it('rejects unknown, MD5 and badly parameterised algorithms', () => {
    const mk = (oid: string, params?: string) => ({ oid, der: Buffer.alloc(0), ...(params ? { params: Buffer.from(params, 'hex') } : {}) });
    expect(verifySignature(mk('1.2.3.4'), rsa.spki, rsa.tbsDer, rsa.signature)).toMatchObject({ ok: false, reason: 'UNSUPPORTED_ALGORITHM' });
    expect(verifySignature(mk(OID.md5WithRSA, '0500'), rsa.spki, rsa.tbsDer, rsa.signature)).toMatchObject({ ok: false, reason: 'ALGORITHM_NOT_ALLOWED' });
    expect(verifySignature(mk(OID.sha256WithRSA, '0401aa'), rsa.spki, rsa.tbsDer, rsa.signature)).toMatchObject({ ok: false, reason: 'UNSUPPORTED_ALGORITHM' });
    expect(verifySignature(mk(OID.ecdsaWithSHA256, '0500'), ec.spki, ec.tbsDer, ec.signature)).toMatchObject({ ok: false, reason: 'UNSUPPORTED_ALGORITHM' });
    // PSS without parameters, with garbage parameters; a different MGF1 hash is a scheme of its own (crypto/pss.ts)
    expect(verifySignature(mk(OID.rsassaPss), pss.spki, pss.tbsDer, pss.signature)).toMatchObject({ ok: false, reason: 'UNSUPPORTED_ALGORITHM' });
    expect(verifySignature(mk(OID.rsassaPss, '3003020101'), pss.spki, pss.tbsDer, pss.signature)).toMatchObject({ ok: false, reason: 'UNSUPPORTED_ALGORITHM' });
    const sha256 = Buffer.concat([Buffer.from([0x06, 9]), encodeOidContent(OID.sha256)]);
    const sha1 = Buffer.concat([Buffer.from([0x06, 5]), encodeOidContent(OID.sha1)]);
    const mgf1 = Buffer.concat([Buffer.from([0x06, 9]), encodeOidContent(OID.mgf1)]);
    const algId = (inner: Buffer) => Buffer.concat([Buffer.from([0x30, inner.length]), inner]);
    const tagged = (n: number, inner: Buffer) => Buffer.concat([Buffer.from([0xa0 | n, inner.length]), inner]);
    const mgf = algId(Buffer.concat([mgf1, algId(sha1)]));
    const params = algId(Buffer.concat([tagged(0, algId(sha256)), tagged(1, mgf)]));
    const s = signatureScheme({ oid: OID.rsassaPss, params, der: Buffer.alloc(0) });
    expect(s).toEqual({ kind: 'rsa-pss', digest: 'sha256', mgfDigest: 'sha1', saltLength: 20 });
  });

  it('imports RSA keys through PKCS#1 to the same key, cached', () => {
    const k = publicKeyOf(rsa.spki);
    expect(publicKeyOf(rsa.spki)).toBe(k);
    const viaSpki = createPublicKey({ key: Buffer.from(rsa.spki.der), format: 'der', type: 'spki' });
    expect(k.equals(viaSpki)).toBe(true);
    expect(publicKeyOf(ec.spki).asymmetricKeyType).toBe('ec');
  });

  it('clearKeyCache imports a newly parsed key again (a new KeyObject, the same key); one found by its SPKI buffer stays', () => {
    const reparsed = () => parseCertificate(Buffer.from(rsa.der)).spki;
    const before = publicKeyOf(reparsed());
    expect(publicKeyOf(reparsed())).toBe(before);
    const known = publicKeyOf(rsa.spki);
    clearKeyCache();
    const after = publicKeyOf(reparsed());
    expect(after).not.toBe(before);
    expect(after.equals(before)).toBe(true);
    expect(publicKeyOf(reparsed())).toBe(after);
    expect(publicKeyOf(rsa.spki)).toBe(known);
    expect(verifySignature(rsa.signatureAlgorithm, reparsed(), rsa.tbsDer, rsa.signature)).toEqual({ ok: true, digest: 'sha256' });
  });

  it('a key found by its DER buffer is compared byte for byte: a buffer rewritten in place gives the new key', () => {
    const der = Buffer.from(rsa.spki.der);
    const spki = { ...rsa.spki, der, publicKey: der.subarray(der.length - rsa.spki.publicKey.length) };
    const first = publicKeyOf(spki);
    expect(first.equals(publicKeyOf(rsa.spki))).toBe(true);
    expect(publicKeyOf(spki)).toBe(first);
    expect(rsaSha1.spki.der.length).toBe(der.length);
    Buffer.from(rsaSha1.spki.der).copy(der);
    const second = publicKeyOf(spki);
    expect(second.equals(first)).toBe(false);
    expect(second.equals(publicKeyOf(rsaSha1.spki))).toBe(true);
  });
});
