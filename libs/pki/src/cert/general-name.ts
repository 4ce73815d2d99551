/**
 * GeneralName / GeneralNames (RFC 5280 §4.2.1.6), shared by SAN/IAN, AKI, AIA,
 * name constraints, CRL distribution points and the CRL IssuingDistributionPoint.
 *
 * Decoders take the element's Tlv and the cursor it was read from (so nesting
 * depth keeps counting) and throw MALFORMED_DER; callers decide the error code
 * (the certificate parser turns it into MALFORMED_EXTENSION with the OID).
 */
import { type DerCursor, Tag, malformed, type Tlv } from '../der/reader';
import { bytes, encoded, readOid, decodeOid } from '../der/values';
import { readName } from './name';
import type { GeneralName } from './types';

export interface GeneralNameOptions {
  /**
   * iPAddress lengths accepted: 'address' (4 or 16 octets, SAN/IAN/AIA/CDP),
   * 'subnet' (8 or 32: address and mask, name constraints), or 'any'.
   */
  ip?: 'address' | 'subnet' | 'any';
}

/** Decode one GeneralName element read from `cur`. */
export function readGeneralName(buf: Uint8Array, tlv: Tlv, cur: DerCursor, opts: GeneralNameOptions = {}): GeneralName {
  switch (tlv.tag) {
    case 0xa0: {
      // otherName [0] IMPLICIT SEQUENCE { type-id OID, value [0] EXPLICIT ANY }
      const c = cur.enter(tlv);
      const typeId = readOid(buf, c.expect(Tag.OID, 'otherName type-id'));
      const v = c.expect(0xa0, 'otherName value');
      c.done('otherName');
      const inner = c.enter(v);
      const valueTlv = inner.next();
      inner.done('otherName value');
      return { type: 'otherName', typeId, value: encoded(buf, valueTlv) };
    }
    case 0x81:
      return { type: 'rfc822Name', value: ia5(buf, tlv, 'rfc822Name') };
    case 0x82:
      return { type: 'dNSName', value: ia5(buf, tlv, 'dNSName') };
    case 0xa3:
      return { type: 'x400Address', der: encoded(buf, tlv) };
    case 0xa4: {
      // directoryName [4] EXPLICIT Name (Name is a CHOICE)
      const c = cur.enter(tlv);
      const nTlv = c.expect(Tag.SEQUENCE, 'directoryName');
      c.done('directoryName');
      return { type: 'directoryName', name: readName(buf, nTlv, c) };
    }
    case 0xa5:
      return { type: 'ediPartyName', der: encoded(buf, tlv) };
    case 0x86:
      return { type: 'uniformResourceIdentifier', value: ia5(buf, tlv, 'uniformResourceIdentifier') };
    case 0x87: {
      const b = bytes(buf, tlv);
      const mode = opts.ip ?? 'address';
      const ok =
        mode === 'any' ||
        (mode === 'address' && (b.length === 4 || b.length === 16)) ||
        (mode === 'subnet' && (b.length === 8 || b.length === 32));
      if (!ok) throw malformed(`iPAddress of ${b.length} octets (${mode})`, tlv.start);
      return { type: 'iPAddress', bytes: b };
    }
    case 0x88:
      return { type: 'registeredID', oid: decodeOid(buf, tlv.valueStart, tlv.valueEnd) };
    default:
      throw malformed(`unknown GeneralName tag 0x${tlv.tag.toString(16)}`, tlv.start);
  }
}

/**
 * Decode the GeneralName elements inside a constructed element (a GeneralNames
 * SEQUENCE, or an IMPLICIT [n] GeneralNames such as DistributionPointName.fullName).
 * GeneralNames is SIZE (1..MAX): an empty one is malformed.
 */
export function readGeneralNames(buf: Uint8Array, tlv: Tlv, cur: DerCursor, opts: GeneralNameOptions = {}): GeneralName[] {
  const c = cur.enter(tlv);
  const out: GeneralName[] = [];
  while (!c.atEnd()) out.push(readGeneralName(buf, c.next(), c, opts));
  if (out.length === 0) throw malformed('empty GeneralNames', tlv.start);
  return out;
}

/** IA5String content (the implicit tag replaces 0x16): ASCII only. */
function ia5(buf: Uint8Array, tlv: Tlv, what: string): string {
  if (tlv.constructed) throw malformed(`${what}: constructed encoding`, tlv.start);
  let s = '';
  for (let i = tlv.valueStart; i < tlv.valueEnd; i++) {
    const b = buf[i]!;
    if (b > 0x7f) throw malformed(`${what}: non-ASCII octet in IA5String`, tlv.start);
    s += String.fromCharCode(b);
  }
  return s;
}

/** Text of a GeneralName for messages and logs (not for comparisons). */
export function generalNameText(gn: GeneralName): string {
  switch (gn.type) {
    case 'otherName':
      return `othername:${gn.typeId}`;
    case 'rfc822Name':
      return `email:${gn.value}`;
    case 'dNSName':
      return `DNS:${gn.value}`;
    case 'uniformResourceIdentifier':
      return `URI:${gn.value}`;
    case 'directoryName':
      return `DirName:${gn.name.text}`;
    case 'iPAddress':
      return `IP:${ipText(gn.bytes)}`;
    case 'registeredID':
      return `RID:${gn.oid}`;
    case 'x400Address':
      return 'x400Address';
    case 'ediPartyName':
      return 'ediPartyName';
  }
}

function ipText(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  if (b.length === 8) return `${Array.from(b.subarray(0, 4)).join('.')}/${Array.from(b.subarray(4)).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i + 1 < b.length; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return groups.join(':');
}
