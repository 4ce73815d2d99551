/**
 * verifySignedData against independent peers: messages made by `openssl cms`
 * and `openssl smime` (DER, BER via -stream, attached/detached, with and
 * without signed attributes, SHA-1/256/384/512, SKI signer ids, -nocerts),
 * messages built here with Node's crypto (sha256WithRSAEncryption SignerInfos,
 * crafted attribute sets), a real NPKI key, and hostile inputs (truncation,
 * byte flips, swapped certificates) that must give the right typed reason and
 * never throw.
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, webcrypto, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pkijs from 'pkijs';
import { openssl, tempDir } from '../../test-support/openssl';
import { YESSIGN, fixture } from '../../test-support/fixtures';
import { parseCertificate } from '../cert/parse';
import type { Certificate } from '../cert/types';
import { encodeOidContent, explicit, int, octets, oid, seq, set } from '../der';
import { DIGEST_OID, type DigestName } from '../crypto/digest';
import { DEFAULT_ALGORITHM_POLICY } from '../crypto/signature';
import { decryptSignPriKey } from '../npki/keyfile';
import { validatePath } from '../path/build';
import { createValidationPolicy } from '../path/policy';
import { certificateCacheSize } from './cert-cache';
import { CMS_OID, parseSignedData } from './parse';
import { clearCmsCaches, verifySignedData, type CmsReasonCode, type CmsVerification, type PathVerdict } from './verify';
import { cmsAttribute, signCms } from '../issuing/cms';

const AT = Date.UTC(2026, 5, 1);
const NONCE = Buffer.from('3f1c9a0e5b7d2468ace013579bdf02468ace013579bdf02468ace013579bdf0', 'hex');
// "공동인증서 로그인 요청" in EUC-KR, produced by iconv below and checked against these hand-written bytes' prefix
const EUCKR_PREFIX = Buffer.from('b0f8b5bfc0cec1f5bcad', 'hex'); // 공동인증서

interface Pki {
  dir: string;
  f: (n: string) => string;
  root: Buffer;
  leaf: Buffer;
  leafCert: Certificate;
  leafKey: KeyObject;
  /** Same issuer and serial as `leaf`, different key. */
  evil: Buffer;
  /** Another leaf of the same CA (different serial and key). */
  other: Buffer;
  euckr: Buffer;
}

let pki: Pki;
let cleanup: () => void;

function setup(): Pki {
  const t = tempDir('cms-verify-');
  cleanup = t.cleanup;
  const f = (n: string): string => join(t.dir, n);
  writeFileSync(
    f('ext.cnf'),
    ['[ca]', 'basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign', 'subjectKeyIdentifier=hash',
      '[leaf]', 'basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,nonRepudiation', 'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid', 'certificatePolicies=1.2.410.200005.1.1.1', ''].join('\n'),
  );
  for (const k of ['root', 'leaf', 'evil', 'other']) openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', f(`${k}.key`)]);
  openssl(['req', '-x509', '-new', '-key', f('root.key'), '-subj', '/C=KR/O=Test/CN=Test Root', '-days', '3650',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', f('root.pem')]);
  const issue = (name: string, subj: string, serial: string): void => {
    openssl(['req', '-new', '-key', f(`${name}.key`), '-subj', subj, '-utf8', '-out', f(`${name}.csr`)]);
    openssl(['x509', '-req', '-in', f(`${name}.csr`), '-CA', f('root.pem'), '-CAkey', f('root.key'), '-set_serial', serial, '-days', '365',
      '-extfile', f('ext.cnf'), '-extensions', 'leaf', '-out', f(`${name}.pem`)]);
    openssl(['x509', '-in', f(`${name}.pem`), '-outform', 'DER', '-out', f(`${name}.der`)]);
  };
  issue('leaf', '/C=KR/O=yessign/OU=personal4IB/CN=홍길동()0010', '0x459c75');
  issue('evil', '/C=KR/O=yessign/OU=personal4IB/CN=홍길동()0010', '0x459c75');
  issue('other', '/C=KR/O=yessign/OU=personal4IB/CN=김철수()0020', '0x459c76');
  openssl(['x509', '-in', f('root.pem'), '-outform', 'DER', '-out', f('root.der')]);
  writeFileSync(f('nonce.bin'), NONCE);
  writeFileSync(f('ko.txt'), '공동인증서 로그인 요청\n');
  const euckr = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'EUC-KR', f('ko.txt')]);
  writeFileSync(f('euckr.bin'), euckr);
  const leaf = readFileSync(f('leaf.der'));
  return {
    dir: t.dir,
    f,
    root: readFileSync(f('root.der')),
    leaf,
    leafCert: parseCertificate(leaf),
    leafKey: createPrivateKey(readFileSync(f('leaf.key'))),
    evil: readFileSync(f('evil.der')),
    other: readFileSync(f('other.der')),
    euckr,
  };
}

/** `openssl cms -sign` (or smime) of a file, DER output. */
function cmsSign(opts: { md?: string; attached?: boolean; noattr?: boolean; keyid?: boolean; nocerts?: boolean; stream?: boolean; smime?: boolean; input?: string; extra?: string[] } = {}): Buffer {
  const { f } = pki;
  const args = [opts.smime ? 'smime' : 'cms', '-sign', '-binary', '-in', f(opts.input ?? 'nonce.bin'), '-signer', f('leaf.pem'), '-inkey', f('leaf.key'), '-outform', 'DER'];
  if (opts.md) args.push('-md', opts.md);
  if (opts.attached ?? true) args.push('-nodetach');
  if (opts.noattr) args.push('-noattr');
  if (opts.keyid) args.push('-keyid');
  if (opts.nocerts) args.push('-nocerts');
  if (opts.stream) args.push('-stream');
  if (opts.extra) args.push(...opts.extra);
  return openssl(args);
}

function codes(r: CmsVerification<PathVerdict>): CmsReasonCode[] {
  return r.reasons.map((x) => x.code);
}

// --- the toolkit's CMS builder with this file's signer and time (for what openssl will not make) ---

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const attr = cmsAttribute;

interface Build {
  content: Buffer;
  cert?: Buffer;
  key?: KeyObject;
  digest?: DigestName;
  sigAlg?: string;
  /** Signed attributes; 'default' = contentType, signingTime, messageDigest; false = none. */
  attrs?: Buffer[] | 'default' | false;
  detached?: boolean;
  eContentType?: string;
  certs?: Buffer[];
  digestAlgOid?: string;
  signingTime?: number;
  /** Encode the [0] signedAttrs header with a non-minimal length (BER, not DER). */
  nonDerAttrs?: boolean;
}

function build(o: Build): Buffer {
  return signCms({ der: o.cert ?? pki.leaf, key: o.key ?? pki.leafKey }, o.content, {
    digest: o.digest,
    signatureAlgorithmOid: o.sigAlg,
    noAttributes: o.attrs === false,
    attributes: Array.isArray(o.attrs) ? o.attrs : undefined,
    nonDerAttributes: o.nonDerAttrs,
    detached: o.detached,
    eContentType: o.eContentType,
    certs: o.certs,
    digestAlgorithmOid: o.digestAlgOid,
    signingTime: o.signingTime ?? AT,
  });
}

beforeAll(() => {
  pki = setup();
});
afterAll(() => cleanup());

describe('verifySignedData: openssl cms -sign messages', () => {
  const mds: DigestName[] = ['sha1', 'sha256', 'sha384', 'sha512'];
  for (const md of mds) {
    for (const attached of [true, false]) {
      for (const noattr of [false, true]) {
        it(`${md}, ${attached ? 'attached' : 'detached'}, ${noattr ? 'no attributes' : 'signed attributes'}`, () => {
          const msg = cmsSign({ md, attached, noattr });
          const r = verifySignedData(msg, { at: AT, content: attached ? undefined : NONCE, expectedContent: NONCE, allowedDigests: [md] });
          expect(codes(r)).toEqual([]);
          expect(r.ok).toBe(true);
          expect(r.detached).toBe(!attached);
          expect(r.content?.equals(NONCE)).toBe(true);
          expect(r.contentType).toBe(CMS_OID.data);
          const s = r.signers[0]!;
          expect(s.digest).toBe(md);
          expect(s.contentDigest).toBe(createHash(md).update(NONCE).digest('hex'));
          expect(s.signedAttributes).toBe(!noattr);
          expect(s.signingTime === undefined).toBe(noattr);
          expect(s.certificate?.fingerprintSha256).toBe(pki.leafCert.fingerprintSha256);
          expect(s.signatureAlgorithm.oid).toBe(RSA_ENCRYPTION); // OpenSSL writes rsaEncryption
        });
      }
    }
  }

  it('refuses SHA-1 unless allowed', () => {
    const msg = cmsSign({ md: 'sha1' });
    const r = verifySignedData(msg, { at: AT });
    expect(r.ok).toBe(false);
    expect(codes(r)).toEqual(['ALGORITHM_NOT_ALLOWED']);
  });

  it('finds the signer by subjectKeyIdentifier (-keyid)', () => {
    const r = verifySignedData(cmsSign({ keyid: true }), { at: AT });
    expect(r.ok).toBe(true);
    expect(r.signers[0]!.sid.type).toBe('subjectKeyIdentifier');
  });

  it('uses a supplied certificate when the message has none (-nocerts)', () => {
    const msg = cmsSign({ nocerts: true });
    expect(codes(verifySignedData(msg, { at: AT }))).toEqual(['SIGNER_NOT_FOUND']);
    const r = verifySignedData(msg, { at: AT, extraCertificates: [pki.leafCert] });
    expect(r.ok).toBe(true);
    expect(r.certificates).toEqual([]);
  });

  it('reads BER (-stream: indefinite lengths, chunked eContent)', () => {
    const big = Buffer.alloc(3000, 0x41); // larger than one chunk, so eContent is a constructed OCTET STRING
    writeFileSync(pki.f('big.bin'), big);
    for (const input of ['nonce.bin', 'big.bin']) {
      const msg = cmsSign({ stream: true, input });
      expect(msg[1]).toBe(0x80); // indefinite length at the top
      const r = verifySignedData(msg, { at: AT });
      expect(codes(r)).toEqual([]);
      expect(r.content?.equals(input === 'big.bin' ? big : NONCE)).toBe(true);
    }
  });

  it('accepts PKCS#7 signedData v1 from openssl smime', () => {
    const msg = cmsSign({ smime: true });
    const sd = parseSignedData(msg);
    expect(sd.version).toBe(1);
    const r = verifySignedData(msg, { at: AT, expectedContent: NONCE });
    expect(r.ok).toBe(true);
  });

  it('verifies EUC-KR content as raw bytes', () => {
    expect(pki.euckr.subarray(0, EUCKR_PREFIX.length).equals(EUCKR_PREFIX)).toBe(true);
    for (const noattr of [false, true]) {
      const msg = cmsSign({ input: 'euckr.bin', noattr });
      const r = verifySignedData(msg, { at: AT, expectedContent: pki.euckr });
      expect(r.ok).toBe(true);
      expect(r.content?.equals(pki.euckr)).toBe(true);
    }
  });

  it('requires one signer unless told otherwise', () => {
    const msg = openssl(['cms', '-sign', '-binary', '-nodetach', '-in', pki.f('nonce.bin'), '-signer', pki.f('leaf.pem'), '-inkey', pki.f('leaf.key'),
      '-signer', pki.f('other.pem'), '-inkey', pki.f('other.key'), '-outform', 'DER']);
    const r = verifySignedData(msg, { at: AT });
    expect(codes(r)).toEqual(['MULTIPLE_SIGNERS']);
    expect(r.signers.map((s) => s.ok)).toEqual([true, true]);
    expect(verifySignedData(msg, { at: AT, requireSingleSigner: false }).ok).toBe(true);
  });

  it('accepts a bare SignedData (no ContentInfo) unless refused', () => {
    const msg = cmsSign({});
    const sd = parseSignedData(msg);
    expect(sd.wrapped).toBe(true);
    // ContentInfo = 30 len 06 09 <oid> a0 len <SignedData>: find the inner SEQUENCE
    const inner = msg.subarray(msg.indexOf(Buffer.from([0xa0]), 15));
    const bare = inner.subarray(inner[1]! & 0x80 ? 2 + (inner[1]! & 0x7f) : 2);
    const r = verifySignedData(bare, { at: AT });
    expect(r.ok).toBe(true);
    expect(parseSignedData(bare).wrapped).toBe(false);
    expect(codes(verifySignedData(bare, { at: AT, limits: { allowBareSignedData: false } }))).toEqual(['MALFORMED']);
  });
});

describe('verifySignedData: tampering gives the right reason', () => {
  it('tampered attached content', () => {
    for (const noattr of [false, true]) {
      const msg = Buffer.from(cmsSign({ noattr }));
      const at = msg.indexOf(NONCE);
      msg[at + 5]! ^= 0x01;
      const r = verifySignedData(msg, { at: AT });
      expect(codes(r)).toEqual([noattr ? 'SIGNATURE_INVALID' : 'DIGEST_MISMATCH']);
    }
  });

  it('detached: wrong content, missing content, content that disagrees with eContent', () => {
    const det = cmsSign({ attached: false });
    expect(codes(verifySignedData(det, { at: AT, content: Buffer.from('other') }))).toEqual(['DIGEST_MISMATCH']);
    expect(codes(verifySignedData(det, { at: AT }))).toEqual(['CONTENT_MISSING']);
    const att = cmsSign({});
    expect(codes(verifySignedData(att, { at: AT, content: Buffer.from('other') }))).toEqual(['CONTENT_MISMATCH']);
    expect(codes(verifySignedData(att, { at: AT, expectedContent: Buffer.from('another nonce') }))).toEqual(['CONTENT_MISMATCH']);
  });

  it('a flipped signature byte', () => {
    for (const noattr of [false, true]) {
      const msg = Buffer.from(cmsSign({ noattr }));
      const sig = parseSignedData(msg).signerInfos[0]!.signature;
      msg[sig.byteOffset - msg.byteOffset + 100]! ^= 0x40;
      expect(codes(verifySignedData(msg, { at: AT }))).toEqual(['SIGNATURE_INVALID']);
    }
  });

  it('a wrong signer: same issuer and serial, different key', () => {
    const msg = cmsSign({ nocerts: true });
    const evil = parseCertificate(pki.evil);
    const r = verifySignedData(msg, { at: AT, extraCertificates: [evil] });
    expect(codes(r)).toEqual(['SIGNATURE_INVALID']);
    expect(r.signers[0]!.certificate?.der).toEqual(evil.der);
    // the embedded certificate swapped for the impostor
    const withCert = Buffer.from(cmsSign({}));
    expect(pki.evil.length).toBe(pki.leaf.length);
    const pos = withCert.indexOf(pki.leaf);
    pki.evil.copy(withCert, pos);
    expect(codes(verifySignedData(withCert, { at: AT }))).toEqual(['SIGNATURE_INVALID']);
    // both present: the one whose key verifies is the signer
    const both = verifySignedData(withCert, { at: AT, extraCertificates: [pki.leafCert] });
    expect(both.ok).toBe(true);
    expect(both.signers[0]!.certificate?.fingerprintSha256).toBe(pki.leafCert.fingerprintSha256);
  });

  it('a swapped certificate set: no signer certificate', () => {
    const msg = cmsSign({ nocerts: true });
    const r = verifySignedData(msg, { at: AT, extraCertificates: [parseCertificate(pki.other), parseCertificate(pki.root)] });
    expect(codes(r)).toEqual(['SIGNER_NOT_FOUND']);
  });

  it('messageDigest and contentType attributes that do not match (validly signed)', () => {
    const wrongDigest = build({ content: NONCE, attrs: [attr(CMS_OID.contentType, oid(CMS_OID.data)), attr(CMS_OID.messageDigest, octets(Buffer.alloc(32)))] });
    expect(codes(verifySignedData(wrongDigest, { at: AT }))).toEqual(['DIGEST_MISMATCH']);
    const shortDigest = build({ content: NONCE, attrs: [attr(CMS_OID.contentType, oid(CMS_OID.data)), attr(CMS_OID.messageDigest, octets(Buffer.alloc(3)))] });
    expect(codes(verifySignedData(shortDigest, { at: AT }))).toEqual(['DIGEST_MISMATCH']);
    const noDigest = build({ content: NONCE, attrs: [attr(CMS_OID.contentType, oid(CMS_OID.data))] });
    expect(codes(verifySignedData(noDigest, { at: AT }))).toEqual(['DIGEST_MISMATCH']);
    const md = octets(createHash('sha256').update(NONCE).digest());
    const wrongType = build({ content: NONCE, attrs: [attr(CMS_OID.contentType, oid('1.2.840.113549.1.9.16.1.4')), attr(CMS_OID.messageDigest, md)] });
    expect(codes(verifySignedData(wrongType, { at: AT }))).toEqual(['CONTENT_TYPE_MISMATCH']);
    const noType = build({ content: NONCE, attrs: [attr(CMS_OID.messageDigest, md)] });
    expect(codes(verifySignedData(noType, { at: AT }))).toEqual(['CONTENT_TYPE_MISMATCH']);
    const nonDataNoAttrs = build({ content: NONCE, attrs: false, eContentType: '1.2.840.113549.1.9.16.1.4' });
    expect(codes(verifySignedData(nonDataNoAttrs, { at: AT }))).toEqual(['CONTENT_TYPE_MISMATCH']);
    const dup = build({ content: NONCE, attrs: [attr(CMS_OID.contentType, oid(CMS_OID.data)), attr(CMS_OID.messageDigest, md), attr(CMS_OID.messageDigest, md)] });
    const d = verifySignedData(dup, { at: AT });
    expect(codes(d)).toEqual(['MALFORMED']);
    expect(d.reasons[0]!.detail).toMatch(/two messageDigest/);
  });

  it('an unknown digest OID, MD5, and a digest that differs from the signature algorithm', () => {
    const msg = Buffer.from(cmsSign({}));
    const sha256 = Buffer.from(encodeOidContent(DIGEST_OID.sha256));
    let n = 0;
    for (let i = msg.indexOf(sha256); i >= 0; i = msg.indexOf(sha256, i + 1), n++) msg[i + sha256.length - 1] = 0x63; // 2.16.840.1.101.3.4.2.99
    expect(n).toBeGreaterThan(0);
    expect(codes(verifySignedData(msg, { at: AT }))).toEqual(['UNSUPPORTED_ALGORITHM']);
    const md5 = build({ content: NONCE, digestAlgOid: '1.2.840.113549.2.5' });
    expect(codes(verifySignedData(md5, { at: AT }))).toEqual(['ALGORITHM_NOT_ALLOWED']);
    const mismatch = build({ content: NONCE, digest: 'sha384', sigAlg: SHA256_WITH_RSA });
    expect(codes(verifySignedData(mismatch, { at: AT }))).toEqual(['ALGORITHM_MISMATCH']);
  });

  it('truncated at every offset: MALFORMED, never a throw', () => {
    for (const msg of [cmsSign({}), cmsSign({ stream: true }), cmsSign({ smime: true, noattr: true })]) {
      for (let n = 0; n < msg.length; n++) {
        const r = verifySignedData(msg.subarray(0, n), { at: AT });
        expect(r.ok).toBe(false);
        expect(codes(r)).toEqual(['MALFORMED']);
      }
    }
  });

  it('a flipped byte anywhere: never a throw; never ok when it is in what the signer covers', () => {
    for (const noattr of [false, true]) {
      const msg = cmsSign({ noattr });
      const sd = parseSignedData(msg);
      const si = sd.signerInfos[0]!.der;
      const siStart = si.byteOffset - msg.byteOffset;
      const content = sd.eContent!;
      const cStart = content.byteOffset - msg.byteOffset;
      for (let i = 0; i < msg.length; i++) {
        const m = Buffer.from(msg);
        m[i]! ^= 0xff;
        const r = verifySignedData(m, { at: AT });
        const covered = (i >= siStart && i < siStart + si.length) || (i >= cStart && i < cStart + content.length) || i < 4;
        if (covered && r.ok) throw new Error(`flipping byte ${i} kept the message valid`);
        expect(r.ok === (r.reasons.length === 0)).toBe(true);
      }
    }
  });

  it('signedAttrs that are not DER are refused', () => {
    const r = verifySignedData(build({ content: NONCE, nonDerAttrs: true }), { at: AT });
    expect(codes(r)).toEqual(['MALFORMED']);
    expect(r.reasons[0]!.detail).toMatch(/signedAttrs must be DER/);
  });
});

describe('verifySignedData: other signers and options', () => {
  it('sha256WithRSAEncryption SignerInfos (Node crypto as the signer), attached and detached, with and without attributes', () => {
    for (const attrs of ['default', false] as const) {
      for (const detached of [false, true]) {
        const msg = build({ content: pki.euckr, sigAlg: SHA256_WITH_RSA, attrs, detached });
        const r = verifySignedData(msg, { at: AT, content: detached ? pki.euckr : undefined, expectedContent: pki.euckr });
        expect(codes(r)).toEqual([]);
        expect(r.signers[0]!.signatureAlgorithm.oid).toBe(SHA256_WITH_RSA);
      }
    }
  });

  it('a real NPKI key (the yessign test signPri.key) signing a nonce, as a Korean client would', () => {
    const key = decryptSignPriKey(YESSIGN.key(), YESSIGN.password);
    const cert = YESSIGN.cert();
    const parsed = parseCertificate(cert);
    const msg = build({ content: NONCE, cert, key: key.privateKey, attrs: 'default' });
    const r = verifySignedData(msg, { at: AT, expectedContent: NONCE, algorithms: DEFAULT_ALGORITHM_POLICY });
    expect(codes(r)).toEqual([]);
    expect(r.signers[0]!.certificate?.subject.key).toBe(parsed.subject.key);
  });

  it('static fixtures signed with the yessign NPKI key (test-fixtures/cms)', () => {
    const challenge = fixture('cms', 'euckr-challenge.bin');
    expect(challenge.toString('hex')).toBe('323032303033303120b7ceb1d7c0ce20c0cec1f520bfe4c3bb');
    const subject = parseCertificate(YESSIGN.cert()).subject.key;
    for (const name of ['yessign-pkcs7-noattr.der', 'yessign-cms-attrs-ber.der']) {
      const r = verifySignedData(fixture('cms', name), { at: AT, expectedContent: challenge });
      expect({ name, reasons: codes(r) }).toEqual({ name, reasons: [] });
      expect(r.signers[0]!.certificate?.subject.key).toBe(subject);
    }
    const sha1 = fixture('cms', 'yessign-cms-sha1-detached.der');
    expect(codes(verifySignedData(sha1, { at: AT, content: challenge }))).toEqual(['ALGORITHM_NOT_ALLOWED']);
    expect(verifySignedData(sha1, { at: AT, content: challenge, allowedDigests: ['sha1', 'sha256'] }).ok).toBe(true);
    expect(codes(verifySignedData(sha1, { at: AT, allowedDigests: ['sha1'] }))).toEqual(['CONTENT_MISSING']);
  });

  it('runs validatePath for a good signer only, with the other certificates and the time', () => {
    const msg = cmsSign({ extra: ['-certfile', pki.f('root.pem')] });
    const calls: [string, number, number][] = [];
    const r = verifySignedData(msg, {
      at: AT,
      validatePath: (leaf, inter, at) => {
        calls.push([leaf.subject.text, inter.length, at]);
        return { ok: true, chain: [leaf, ...inter] };
      },
    });
    expect(r.ok).toBe(true);
    expect(calls).toEqual([[pki.leafCert.subject.text, 1, AT]]);
    expect(r.signers[0]!.path?.chain.length).toBe(2);

    expect(codes(verifySignedData(msg, { at: AT, validatePath: () => ({ ok: false }) }))).toEqual(['PATH_INVALID']);
    const thrown = verifySignedData(msg, {
      at: AT,
      validatePath: () => {
        throw new Error('boom');
      },
    });
    expect(codes(thrown)).toEqual(['PATH_INVALID']);
    let called = false;
    verifySignedData(msg, {
      at: AT,
      expectedContent: Buffer.from('x'),
      validatePath: () => {
        called = true;
        return { ok: true };
      },
    });
    verifySignedData(cmsSign({ nocerts: true }), { at: AT, extraCertificates: [parseCertificate(pki.evil)], validatePath: () => ((called = true), { ok: true }) });
    expect(called).toBe(false);
  });

  it('gives validatePath the embedded and extra certificates but the signer, each once — the same frozen list again for a repeat message and a frozen extra list', () => {
    const msg = cmsSign({ extra: ['-certfile', pki.f('root.pem')] });
    const root = parseCertificate(pki.root);
    const other = parseCertificate(pki.other);
    const seen: (readonly Certificate[])[] = [];
    const run = (m: Uint8Array, extra: readonly Certificate[]): void =>
      void verifySignedData(m, {
        at: AT,
        extraCertificates: extra,
        validatePath: (_leaf, inter) => (seen.push(inter), { ok: true }),
      });
    const frozen = Object.freeze([root, other, pki.leafCert]); // the root again (another object), the signer again
    run(msg, frozen);
    run(msg, frozen);
    expect(seen[0]!.map((c) => c.subject.text)).toEqual([root.subject.text, other.subject.text]);
    expect(seen[1]).toBe(seen[0]);
    expect(Object.isFrozen(seen[0])).toBe(true);
    // another message (other embedded certificates), or a list that is not frozen: pooled anew, the same way
    run(cmsSign({}), frozen);
    expect(seen[2]!.map((c) => c.subject.text)).toEqual([root.subject.text, other.subject.text]);
    run(msg, [root, other, pki.leafCert]);
    expect(seen[3]).toEqual(seen[0]);
    expect(seen[3]).not.toBe(seen[0]);
  });

  it('wired to the real path validation (libs/pki/src/path)', () => {
    const now = Date.now();
    const msg = cmsSign({});
    const policy = createValidationPolicy({ trustAnchors: [parseCertificate(pki.root)], at: now, requiredKeyUsage: ['digitalSignature', 'nonRepudiation'] });
    const r = verifySignedData(msg, { at: now, expectedContent: NONCE, validatePath: (leaf, inter) => validatePath(leaf, inter, policy) });
    expect(codes(r)).toEqual([]);
    expect(r.signers[0]!.path?.path.map((c) => c.subject.text)).toEqual([pki.leafCert.subject.text, parseCertificate(pki.root).subject.text]);
    const elsewhere = createValidationPolicy({ trustAnchors: [parseCertificate(pki.other)], at: now });
    const bad = verifySignedData(msg, { at: now, validatePath: (leaf, inter) => validatePath(leaf, inter, elsewhere) });
    expect(codes(bad)).toEqual(['PATH_INVALID']);
    expect(bad.signers[0]!.path?.ok).toBe(false);
  });

  it('caches parsed certificates: a repeat signer is not re-parsed', () => {
    clearCmsCaches();
    expect(certificateCacheSize()).toBe(0);
    const msg = cmsSign({});
    const a = verifySignedData(msg, { at: AT }).signers[0]!.certificate;
    const b = verifySignedData(Buffer.from(msg), { at: AT }).signers[0]!.certificate;
    expect(a).toBe(b);
    expect(certificateCacheSize()).toBe(1);
    // the cached certificate does not alias the caller's buffer
    const mine = Buffer.from(msg);
    clearCmsCaches();
    const c = verifySignedData(mine, { at: AT }).signers[0]!.certificate!;
    mine.fill(0);
    expect(Buffer.from(c.der).equals(pki.leaf)).toBe(true);
  });

  it('clearCmsCaches keeps the cached certificates it is told to keep, the same objects, and no others', () => {
    clearCmsCaches();
    const msg = cmsSign({ extra: ['-certfile', pki.f('root.pem')] });
    verifySignedData(msg, { at: AT });
    const first = verifySignedData(msg, { at: AT }).certificates;
    expect(certificateCacheSize()).toBe(2);
    const leafDer = first.find((c) => Buffer.from(c.der).equals(pki.leaf))!.der;
    const rootDer = first.find((c) => !Buffer.from(c.der).equals(pki.leaf))!.der;
    clearCmsCaches({ keep: [Buffer.from(rootDer), Buffer.from('not a certificate')] });
    expect(certificateCacheSize()).toBe(1);
    const again = verifySignedData(msg, { at: AT }).certificates;
    expect(again.find((c) => c.der === rootDer)).toBeDefined();
    expect(again.find((c) => Buffer.from(c.der).equals(leafDer))).not.toBe(first.find((c) => c.der === leafDer));
    clearCmsCaches();
    expect(certificateCacheSize()).toBe(0);
  });

  it('limits: input size and certificate count', () => {
    const msg = cmsSign({ extra: ['-certfile', pki.f('root.pem')] });
    const big = verifySignedData(msg, { at: AT, limits: { maxBytes: 100 } });
    expect(codes(big)).toEqual(['MALFORMED']);
    expect(big.reasons[0]!.cause).toBe('INPUT_TOO_LARGE');
    expect(codes(verifySignedData(msg, { at: AT, limits: { maxCertificates: 1 } }))).toEqual(['MALFORMED']);
  });

  it('junk: not CMS at all, wrong content type, an undecodable embedded certificate', () => {
    for (const junk of [Buffer.alloc(0), Buffer.from('hello'), Buffer.from([0x30, 0x00]), Buffer.from([0x30, 0x80, 0x00, 0x00]), seq(oid(CMS_OID.data), explicit(0, octets(NONCE))), Buffer.alloc(64, 0x30)]) {
      const r = verifySignedData(junk, { at: AT });
      expect(codes(r)).toEqual(['MALFORMED']);
      expect(() => parseSignedData(junk)).toThrow(expect.objectContaining({ code: 'MALFORMED_CMS' }) as Error);
    }
    const badCert = build({ content: NONCE, certs: [seq(int(1))] });
    expect(codes(verifySignedData(badCert, { at: AT }))).toEqual(['MALFORMED']);
    const noSigners = seq(oid(CMS_OID.signedData), explicit(0, seq(int(1), set(), seq(oid(CMS_OID.data)), set())));
    expect(codes(verifySignedData(noSigners, { at: AT }))).toEqual(['NO_SIGNERS']);
  });
});

describe('pkijs 3 (an independent parser and verifier) agrees', () => {
  beforeAll(() => pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto })));

  async function pkijsVerdict(msg: Uint8Array, content?: Uint8Array): Promise<{ ok: boolean; signers: number; content?: Buffer }> {
    const ab = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    const ci = pkijs.ContentInfo.fromBER(ab(msg));
    const sd = new pkijs.SignedData({ schema: ci.content });
    const ec = sd.encapContentInfo.eContent;
    let ok: boolean;
    try {
      ok = await sd.verify({ signer: 0, checkChain: false, ...(content ? { data: ab(content) } : {}) });
    } catch {
      ok = false;
    }
    const out: { ok: boolean; signers: number; content?: Buffer } = { ok, signers: sd.signerInfos.length };
    if (ec) out.content = Buffer.from(ec.getValue());
    return out;
  }

  it('on openssl messages, good and tampered', async () => {
    const cases: [string, Buffer, Uint8Array | undefined][] = [
      ['attached', cmsSign({}), undefined],
      ['no attributes', cmsSign({ noattr: true }), undefined],
      ['BER stream', cmsSign({ stream: true }), undefined],
      ['smime PKCS#7', cmsSign({ smime: true }), undefined],
      ['SKI', cmsSign({ keyid: true }), undefined],
      ['detached', cmsSign({ attached: false }), NONCE],
      ['sha256WithRSAEncryption', build({ content: pki.euckr, sigAlg: SHA256_WITH_RSA }), undefined],
    ];
    for (const [name, msg, content] of cases) {
      const bad = Buffer.from(msg);
      const sig = parseSignedData(bad).signerInfos[0]!.signature;
      bad[sig.byteOffset - bad.byteOffset + 7]! ^= 1;
      for (const [label, m] of [['good', msg], ['bad signature', bad]] as const) {
        const ours = verifySignedData(m, { at: AT, content });
        const theirs = await pkijsVerdict(m, content);
        expect({ name, label, ok: theirs.ok, signers: theirs.signers }).toEqual({ name, label, ok: ours.ok, signers: ours.signers.length });
        if (!content) expect(theirs.content?.equals(ours.content!)).toBe(true);
      }
    }
  });
});
