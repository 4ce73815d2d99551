import { createHash } from 'node:crypto';
import { parseCertificate, verifySignedData, type Name } from '@jointcert/pki';
import { oid, seq, set, tlv, utf8, printable } from '@jointcert/pki/der';
import { issueKoreanChain, keyIdentifier, signCms, testKey } from '@jointcert/pki/issuing';
import { signerOf } from './signer-fingerprint';

/**
 * Intake (the registry's cheap signer lookup) and verification (libs/pki
 * verifySignedData, what the verifier runs) must name the same signer for
 * every SignerIdentifier a client may write: 100 variants — issuer names
 * re-encoded (case, string types, spacing), wrong serials and issuers, SKI,
 * the KOSCOM v0 shape and its ambiguous twin.
 */
const chain = issueKoreanChain({ user: { keys: testKey('agree-user'), serial: 0x4242n } });
const twin = issueKoreanChain({ user: { keys: testKey('agree-twin'), serial: 0x4242n } });
const other = issueKoreanChain({ user: { keys: testKey('agree-other'), serial: 0x77n } });
const cert = parseCertificate(chain.user.der);
const content = Buffer.from('the challenge nonce');
const fingerprint = createHash('sha256').update(chain.user.der).digest('hex');

type Enc = 'same' | 'upper' | 'lower' | 'utf8' | 'printable' | 'spaces';
const PRINTABLE = /^[A-Za-z0-9 '()+,./:=?-]*$/;

/** The name re-encoded: every string value transformed, string types switched where legal. */
function reencode(name: Name, enc: Enc, pick: (i: number) => boolean): Buffer {
  let i = 0;
  const rdns = name.rdns.map((rdn) =>
    set(
      ...rdn.map((a) => {
        const mine = pick(i++);
        if (!mine || enc === 'same') return seq(oid(a.type), Buffer.from(a.valueDer));
        let v = a.value;
        if (enc === 'upper') v = v.toUpperCase();
        if (enc === 'lower') v = v.toLowerCase();
        if (enc === 'spaces') v = ` ${v.replace(/ /g, '  ')} `;
        const printableOk = PRINTABLE.test(v);
        const asPrintable = enc === 'printable' ? printableOk : a.valueTag === 0x13 && printableOk;
        return seq(oid(a.type), asPrintable ? printable(v) : utf8(v));
      }),
    ),
  );
  return seq(...rdns);
}

function cms(sid: Buffer, version: number, certs: Buffer[]): Buffer {
  return signCms(chain.user, content, { noAttributes: true, digestNullParams: true, sid, version, certs });
}

interface Variant {
  name: string;
  sid: Buffer;
  version: number;
  certs: Buffer[];
}

function variants(): Variant[] {
  const out: Variant[] = [];
  const serial = tlv(0x02, cert.serial);
  const wrongSerial = tlv(0x02, Buffer.from([0x43, 0x43]));
  const encs: Enc[] = ['same', 'upper', 'lower', 'utf8', 'printable', 'spaces'];
  const picks: Array<[string, (i: number) => boolean]> = [
    ['all', () => true],
    ['first', (i) => i === 0],
    ['last', (i) => i === cert.issuer.rdns.length - 1],
    ['odd', (i) => i % 2 === 1],
  ];
  const certSets: Array<[string, Buffer[]]> = [
    ['own', [chain.user.der]],
    ['own+other', [other.user.der, chain.user.der]],
  ];
  for (const enc of encs) {
    for (const [pn, pick] of picks) {
      for (const [cn, certs] of certSets) {
        out.push({ name: `issuer ${enc}/${pn}, ${cn}`, sid: seq(reencode(cert.issuer, enc, pick), serial), version: 1, certs });
      }
    }
  }
  // 48 so far; wrong serials and names
  for (const enc of encs) out.push({ name: `issuer ${enc}, wrong serial`, sid: seq(reencode(cert.issuer, enc, () => true), wrongSerial), version: 1, certs: [chain.user.der] });
  for (const enc of encs) out.push({ name: `subject as issuer ${enc}, v1 (not KOSCOM)`, sid: seq(reencode(cert.subject, enc, () => true), serial), version: 1, certs: [chain.user.der] });
  // KOSCOM v0: subject as issuer, exactly one embedded certificate with the serial
  for (const enc of encs) out.push({ name: `KOSCOM v0 ${enc}`, sid: seq(reencode(cert.subject, enc, () => true), serial), version: 0, certs: [chain.user.der] });
  for (const enc of encs) out.push({ name: `KOSCOM v0 ${enc} + other`, sid: seq(reencode(cert.subject, enc, () => true), serial), version: 0, certs: [other.user.der, chain.user.der] });
  for (const enc of encs) out.push({ name: `KOSCOM v0 ${enc}, twin with the serial`, sid: seq(reencode(cert.subject, enc, () => true), serial), version: 0, certs: [chain.user.der, twin.user.der] });
  for (const enc of encs) out.push({ name: `v0 with the real issuer ${enc}`, sid: seq(reencode(cert.issuer, enc, () => true), serial), version: 0, certs: [chain.user.der] });
  for (const enc of encs) out.push({ name: `KOSCOM v0 ${enc}, wrong serial`, sid: seq(reencode(cert.subject, enc, () => true), wrongSerial), version: 0, certs: [chain.user.der] });
  for (const enc of encs) out.push({ name: `v0 with the real issuer ${enc}, twin embedded too`, sid: seq(reencode(cert.issuer, enc, () => true), serial), version: 0, certs: [twin.user.der, chain.user.der] });
  // SKI
  const ski = keyIdentifier(chain.user.publicKey);
  out.push({ name: 'SKI', sid: tlv(0x80, ski), version: 3, certs: [chain.user.der] });
  out.push({ name: 'SKI + other', sid: tlv(0x80, ski), version: 3, certs: [other.user.der, chain.user.der] });
  out.push({ name: 'SKI of another key', sid: tlv(0x80, keyIdentifier(other.user.publicKey)), version: 3, certs: [chain.user.der] });
  out.push({ name: "issuer of another CA's name", sid: seq(Buffer.from(parseCertificate(other.ca.der).subject.der), serial), version: 1, certs: [chain.user.der] });
  return out;
}

describe('intake and verifier agree on the signer (100 SignerIdentifier variants)', () => {
  const all = variants();

  it('has 100 variants', () => {
    expect(all).toHaveLength(100);
  });

  it.each(all.map((v) => [v.name, v] as const))('%s', (_, v) => {
    const msg = cms(v.sid, v.version, v.certs);
    const verified = verifySignedData(msg, { at: Date.now() });
    const verifierSigner = verified.signers[0]?.reasons.some((r) => r.code === 'SIGNER_NOT_FOUND') ? undefined : verified.signers[0]?.certificate?.fingerprintSha256;
    let intake: string | undefined;
    try {
      const ref = signerOf(msg.toString('base64'));
      intake = ref.fingerprint;
    } catch {
      intake = undefined;
    }
    expect(intake).toBe(verifierSigner);
    if (verifierSigner !== undefined) {
      expect(verifierSigner).toBe(fingerprint);
      expect(verified.ok).toBe(true);
    }
  });

  it('the RFC 5280 comparison is what decides: a re-encoded C=kr is found by both', () => {
    const msg = cms(seq(reencode(cert.issuer, 'lower', () => true), tlv(0x02, cert.serial)), 1, [chain.user.der]);
    expect(Buffer.from(reencode(cert.issuer, 'lower', () => true)).equals(Buffer.from(cert.issuer.der))).toBe(false);
    expect(signerOf(msg.toString('base64')).fingerprint).toBe(fingerprint);
    expect(verifySignedData(msg, { at: Date.now() }).ok).toBe(true);
  });
});
