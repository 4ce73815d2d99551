/**
 * What the Korean profile reads from a certificate's subject: the CN, the CN
 * without its per-issuance number (how a re-issued certificate of the same
 * person is recognised), and whether a VID (identifyData) is present.
 */
import { OID, type Certificate } from '../cert/types';

/** The subject's first CN, if any. */
export function commonNameOf(c: Pick<Certificate, 'subject'>): string | undefined {
  for (const rdn of c.subject.rdns) for (const atv of rdn) if (atv.type === OID.commonName && typeof atv.value === 'string') return atv.value;
  return undefined;
}

/**
 * The CN without its per-issuance number. NPKI user CNs are the holder's name,
 * "()" (sometimes with a qualifier inside) and digits that the CA assigns per
 * issuance (`홍길동()0010041200601010001` → `홍길동()`); a re-issued certificate
 * of the same person keeps the part up to ")" and gets new digits. Rule: when
 * the CN ends in ")" followed by one or more ASCII digits, those digits are
 * dropped; any other CN is kept whole (it has no per-issuance part we know of).
 */
export function cnBaseOf(cn: string | undefined): string | null {
  if (cn === undefined) return null;
  const m = /^(.*\))[0-9]+$/s.exec(cn);
  return m ? m[1]! : cn;
}

/** Whether the subjectAltName carries NPKI identifyData (the VID). */
export function hasIdentifyData(c: Pick<Certificate, 'ext'>): boolean {
  return (c.ext.subjectAltName ?? []).some((n) => n.type === 'otherName' && n.typeId === OID.npkiIdentifyData);
}
