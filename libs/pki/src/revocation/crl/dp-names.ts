/**
 * Distribution-point name matching (RFC 5280 §6.3.3 (b)(2)(i)): does the CRL's
 * IssuingDistributionPoint name one of the certificate's CRL distribution points?
 *
 * Each GeneralName becomes a set of match keys; two names match when their key
 * sets intersect:
 *   - directoryName: `dn:<Name.key>` (RFC 5280 §7.1 comparison).
 *   - nameRelativeToCRLIssuer: the CRL issuer's name plus that RDN, then as a directoryName.
 *   - URI: `uri:<scheme and host lower-cased, rest as is>`; an ldap:// URI also
 *     yields `dn:<key of its DN>`. Deliberate leniency for the Korean CAs, whose
 *     certificates point at `ldap://host/ou=dpNN,...?certificateRevocationList`
 *     while a partition may be named by the directoryName of that entry, and
 *     whose directory host names vary: an LDAP URI matches a directoryName
 *     or another LDAP URI with the same DN, whatever the host.
 *   - other types: their type and value exactly.
 */
import { nameFromDer, normalizeForKey } from '../../cert/name';
import { OID, type GeneralName, type Name, type RelativeDistinguishedName } from '../../cert/types';
import { encodeOidContent, readSingle, toHex } from '../../der';

export function generalNameKeys(g: GeneralName): string[] {
  switch (g.type) {
    case 'directoryName':
      return [`dn:${g.name.key}`];
    case 'uniformResourceIdentifier': {
      const keys = [`uri:${normalizeUri(g.value)}`];
      const dn = ldapDnKey(g.value);
      if (dn !== undefined) keys.push(`dn:${dn}`);
      return keys;
    }
    case 'rfc822Name':
    case 'dNSName':
      return [`${g.type}:${g.value.toLowerCase()}`];
    case 'iPAddress':
      return [`ip:${toHex(g.bytes)}`];
    case 'registeredID':
      return [`rid:${g.oid}`];
    case 'otherName':
      return [`other:${g.typeId}:${toHex(g.value)}`];
    case 'x400Address':
    case 'ediPartyName':
      return [`${g.type}:${toHex(g.der)}`];
  }
}

export function keysOf(names: readonly GeneralName[]): Set<string> {
  const out = new Set<string>();
  for (const g of names) for (const k of generalNameKeys(g)) out.add(k);
  return out;
}

export function intersects(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const k of a) if (b.has(k)) return true;
  return false;
}

/** The full name of a nameRelativeToCRLIssuer: `issuer` with the RDN appended (as the least significant RDN). */
export function relativeToFullName(issuer: Name, rdn: RelativeDistinguishedName): Name {
  const top = readSingle(issuer.der, 'Name');
  const content: Uint8Array[] = [issuer.der.subarray(top.valueStart, top.valueEnd)];
  const atvs = rdn.map((atv) => tlv(0x30, concat([tlv(0x06, encodeOidContent(atv.type)), atv.valueDer])));
  content.push(tlv(0x31, concat(atvs)));
  return nameFromDer(tlv(0x30, concat(content)));
}

function tlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  const out = new Uint8Array(1 + len.length + n);
  out[0] = tag;
  out.set(len, 1);
  out.set(content, 1 + len.length);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function normalizeUri(u: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/s.exec(u);
  if (!m) return u;
  return `${m[1]!.toLowerCase()}://${m[2]!.toLowerCase()}${m[3]!}`;
}

const SHORT_TO_OID: Readonly<Record<string, string>> = {
  cn: OID.commonName,
  o: OID.organizationName,
  ou: OID.organizationalUnitName,
  c: OID.countryName,
  l: OID.localityName,
  st: OID.stateOrProvinceName,
  serialnumber: OID.serialNumber,
  e: OID.emailAddress,
  emailaddress: OID.emailAddress,
  dc: OID.domainComponent,
  street: '2.5.4.9',
  uid: '0.9.2342.19200300.100.1.1',
  sn: OID.surname,
};

/** Key (as `Name.key`) of the DN in an ldap:// URL, or undefined when it has none or does not parse. */
export function ldapDnKey(url: string): string | undefined {
  const m = /^ldaps?:\/\/[^/?#]*\/([^?#]*)/i.exec(url);
  if (!m || m[1] === '') return undefined;
  let dn: string;
  try {
    dn = decodeURIComponent(m[1]!);
  } catch {
    return undefined;
  }
  return dnStringKey(dn);
}

/**
 * Comparison key of an RFC 4514 DN string, built like `Name.key` (name.ts):
 * string values normalised, most significant RDN first. Undefined when unparseable.
 */
export function dnStringKey(dn: string): string | undefined {
  const rdns: string[] = [];
  for (const rdnText of splitUnescaped(dn, ',')) {
    const keys: string[] = [];
    for (const atvText of splitUnescaped(rdnText, '+')) {
      const eq = atvText.indexOf('=');
      if (eq <= 0) return undefined;
      const t = atvText.slice(0, eq).trim().toLowerCase();
      const oid = SHORT_TO_OID[t] ?? (/^(oid\.)?\d+(\.\d+)+$/.test(t) ? t.replace(/^oid\./, '') : undefined);
      if (oid === undefined) return undefined;
      const raw = atvText.slice(eq + 1).trim();
      if (raw.startsWith('#')) {
        if (!/^#([0-9a-fA-F]{2})+$/.test(raw)) return undefined;
        keys.push(`${oid}=x${raw.slice(1).toLowerCase()}`);
        continue;
      }
      const value = unescape4514(raw);
      if (value === undefined) return undefined;
      keys.push(`${oid}=s${escapeKey(normalizeForKey(value))}`);
    }
    if (keys.length === 0) return undefined;
    if (keys.length > 1) keys.sort();
    rdns.push(keys.join('+'));
  }
  return rdns.reverse().join(',');
}

function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\' && i + 1 < s.length) {
      cur += ch + s[i + 1]!;
      i++;
    } else if (ch === sep) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function unescape4514(s: string): string | undefined {
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch !== '\\') {
      bytes.push(...enc.encode(ch));
      continue;
    }
    const a = s[i + 1];
    if (a === undefined) return undefined;
    if (/[0-9a-fA-F]/.test(a) && /[0-9a-fA-F]/.test(s[i + 2] ?? '')) {
      bytes.push(parseInt(a + s[i + 2]!, 16));
      i += 2;
    } else {
      bytes.push(...enc.encode(a));
      i += 1;
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}

/** Same escaping as the attribute keys of name.ts (`\`, `+` and `,`). */
function escapeKey(s: string): string {
  return /[\\+,]/.test(s) ? s.replace(/[\\+,]/g, '\\$&') : s;
}
