/**
 * findSignerCertificates: which certificates a SignerIdentifier names among a
 * message's embedded certificates, then the extra (configured) ones — in
 * that order, an extra that is embedded too never twice, at most
 * MAX_SIGNER_CANDIDATES.
 */
import { parseCertificate } from '../cert/parse';
import type { Certificate } from '../cert/types';
import { issue, testKey } from '../issuing';
import type { SignerIdentifier } from './parse';
import { findSignerCertificates, MAX_SIGNER_CANDIDATES } from './signer-id';

const caI = issue({ subject: 'CN=Signer CA,O=yessign,C=KR', keys: testKey('sid-ca'), extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign'] } });
const ca = parseCertificate(caI.der);
/** A leaf of the CA; `k` picks its key (and so its subjectKeyIdentifier). */
const leaf = (serial: bigint, cn: string, k = 'sid-leaf'): Certificate =>
  parseCertificate(issue({ subject: `CN=${cn},O=yessign,C=KR`, serial, keys: testKey(k, 'ec-p256'), issuer: caI, extensions: { keyUsage: ['digitalSignature'] } }).der);
const byIssuer = (c: Certificate): SignerIdentifier => ({ type: 'issuerAndSerialNumber', issuer: c.issuer.der, serial: c.serial });
const bySki = (c: Certificate): SignerIdentifier => ({ type: 'subjectKeyIdentifier', keyIdentifier: c.ext.subjectKeyIdentifier! });

describe('findSignerCertificates', () => {
  const signer = leaf(0x51n, 'signer');
  const copy = parseCertificate(Buffer.from(signer.der)); // the same certificate, another object
  const other = leaf(0x52n, 'other', 'sid-other');

  it('takes an embedded signer first, and an extra only when it is not embedded too (same object or same DER)', () => {
    for (const sid of [byIssuer(signer), bySki(signer)]) {
      expect(findSignerCertificates(sid, [signer, ca], [copy, signer, other, ca]).certificates).toEqual([signer]);
      expect(findSignerCertificates(sid, [ca], [other, copy]).certificates).toEqual([copy]);
      expect(findSignerCertificates(sid, [], [copy, copy]).certificates).toEqual([copy, copy]); // extras are not deduplicated among themselves
      expect(findSignerCertificates(sid, [other, ca], [ca]).certificates).toEqual([]);
    }
  });

  it('returns embedded matches, then extra ones, at most MAX_SIGNER_CANDIDATES', () => {
    // certificates with the signer's issuer and serial (a planted one is tried, never trusted)
    const twins = Array.from({ length: MAX_SIGNER_CANDIDATES + 2 }, (_, i) => leaf(0x51n, `twin${i}`, `sid-twin${i}`));
    const found = findSignerCertificates(byIssuer(signer), [twins[0]!, other, twins[1]!], [twins[1]!, signer, ...twins.slice(2)]).certificates;
    expect(found).toEqual([twins[0], twins[1], signer, twins[2]]);
    expect(findSignerCertificates(byIssuer(signer), [], twins).certificates).toEqual(twins.slice(0, MAX_SIGNER_CANDIDATES));
  });
});
