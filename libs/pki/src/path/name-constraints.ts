/**
 * RFC 5280 §4.2.1.10 / §6.1.3 (b)(c) name constraints.
 *
 * Instead of computing the intersection of permitted subtrees (§6.1.4 (g)) we
 * keep every constraint set met on the path and require a name to satisfy each
 * of them: a name is in the intersection of the permitted subtrees iff it is in
 * each cert's permitted subtrees (of its type), and it is excluded iff some
 * set excludes it. Same answers, no subtree algebra.
 *
 * Forms handled:
 *   directoryName  base RDNs are a prefix of the name's RDNs (RFC 5280 §7.1 comparison)
 *   rfc822Name     "user@host" (exact mailbox; host case-insensitive), "host" (any mailbox
 *                  at that host), ".domain" (any mailbox at a host under the domain)
 *   dNSName        "example.com" matches it and every subdomain; ".example.com" subdomains only;
 *                  "" matches everything
 *   URI            the host of the URI's authority, with the dNSName-like forms "host" / ".domain"
 *   iPAddress      address & mask == base & mask, same family
 * The subject's emailAddress attributes are checked as rfc822Name. Other name
 * types (otherName, x400Address, ediPartyName, registeredID) cannot be
 * compared: a certificate carrying such a name under a constraint of the same
 * type fails closed. GeneralSubtree minimum/maximum are ignored (RFC 5280: MUST
 * be 0 / absent).
 *
 * Work is bounded: more than MAX_NAME_CONSTRAINT_COMPARISONS name/subtree
 * comparisons on one certificate (hostile SAN and subtree lists) fail closed,
 * like Go's crypto/x509.
 */
import type { Certificate, GeneralName, GeneralSubtree, Name } from '../cert/types';
import { OID } from '../cert/types';

export interface ConstraintSet {
  permitted?: readonly GeneralSubtree[];
  excluded?: readonly GeneralSubtree[];
}

type Verdict = 'match' | 'nomatch' | 'unchecked';

const rdnKeyCache = new WeakMap<Name, string[]>();

/** Per-RDN comparison keys (Name.key splits at unescaped commas). */
export function rdnKeys(name: Name): string[] {
  const hit = rdnKeyCache.get(name);
  if (hit) return hit;
  const out: string[] = [];
  const k = name.key;
  if (k.length > 0) {
    let start = 0;
    for (let i = 0; i < k.length; i++) {
      const ch = k.charCodeAt(i);
      if (ch === 0x5c) i++; // backslash escapes the next character
      else if (ch === 0x2c) {
        out.push(k.slice(start, i));
        start = i + 1;
      }
    }
    out.push(k.slice(start));
  }
  rdnKeyCache.set(name, out);
  return out;
}

function dnWithin(name: Name, base: Name): boolean {
  const n = rdnKeys(name);
  const b = rdnKeys(base);
  if (b.length > n.length) return false;
  for (let i = 0; i < b.length; i++) if (n[i] !== b[i]) return false;
  return true;
}

function lowerNoDot(s: string): string {
  const l = s.toLowerCase();
  return l.endsWith('.') ? l.slice(0, -1) : l;
}

/** host (no leading dot) within a dNSName constraint. */
function dnsWithin(host: string, constraint: string): boolean {
  const h = lowerNoDot(host);
  const c = lowerNoDot(constraint);
  if (c.length === 0) return true;
  if (c.startsWith('.')) return h.endsWith(c);
  return h === c || h.endsWith(`.${c}`);
}

/** host within a URI or rfc822 host constraint: ".domain" = strictly under, else exact host. */
function hostWithin(host: string, constraint: string): boolean {
  const h = lowerNoDot(host);
  const c = lowerNoDot(constraint);
  if (c.startsWith('.')) return h.endsWith(c);
  return h === c;
}

function rfc822Verdict(mailbox: string, constraint: string): Verdict {
  const at = mailbox.lastIndexOf('@');
  if (at <= 0 || at === mailbox.length - 1) return 'unchecked';
  const host = mailbox.slice(at + 1);
  if (constraint.includes('@')) {
    const cAt = constraint.lastIndexOf('@');
    return mailbox.slice(0, at) === constraint.slice(0, cAt) && lowerNoDot(host) === lowerNoDot(constraint.slice(cAt + 1)) ? 'match' : 'nomatch';
  }
  return hostWithin(host, constraint) ? 'match' : 'nomatch';
}

/** The host of a URI's authority, or undefined when the URI has none. */
export function uriHost(uri: string): string | undefined {
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/.exec(uri);
  if (!m) return undefined;
  let auth = m[1]!;
  const at = auth.lastIndexOf('@');
  if (at >= 0) auth = auth.slice(at + 1);
  if (auth.startsWith('[')) {
    const end = auth.indexOf(']');
    return end > 0 ? auth.slice(1, end) : undefined;
  }
  const colon = auth.indexOf(':');
  if (colon >= 0) auth = auth.slice(0, colon);
  return auth.length > 0 ? auth : undefined;
}

function ipVerdict(addr: Uint8Array, subnet: Uint8Array): Verdict {
  if (subnet.length !== addr.length * 2) return 'nomatch';
  for (let i = 0; i < addr.length; i++) {
    const mask = subnet[addr.length + i]!;
    if ((addr[i]! & mask) !== (subnet[i]! & mask)) return 'nomatch';
  }
  return 'match';
}

function verdict(name: GeneralName, base: GeneralName): Verdict {
  switch (name.type) {
    case 'directoryName':
      return base.type === 'directoryName' ? (dnWithin(name.name, base.name) ? 'match' : 'nomatch') : 'nomatch';
    case 'rfc822Name':
      return base.type === 'rfc822Name' ? rfc822Verdict(name.value, base.value) : 'nomatch';
    case 'dNSName':
      return base.type === 'dNSName' ? (dnsWithin(name.value, base.value) ? 'match' : 'nomatch') : 'nomatch';
    case 'uniformResourceIdentifier': {
      if (base.type !== 'uniformResourceIdentifier') return 'nomatch';
      const host = uriHost(name.value);
      if (host === undefined) return 'unchecked';
      return hostWithin(host, base.value) ? 'match' : 'nomatch';
    }
    case 'iPAddress':
      return base.type === 'iPAddress' ? ipVerdict(name.bytes, base.bytes) : 'nomatch';
    case 'otherName':
    case 'x400Address':
    case 'ediPartyName':
    case 'registeredID':
      return base.type === name.type ? 'unchecked' : 'nomatch';
  }
}

/** The names of a certificate that name constraints apply to. */
export function constrainedNames(cert: Certificate): GeneralName[] {
  const out: GeneralName[] = [];
  if (cert.subject.rdns.length > 0) {
    out.push({ type: 'directoryName', name: cert.subject });
    for (const rdn of cert.subject.rdns) {
      for (const atv of rdn) if (atv.type === OID.emailAddress) out.push({ type: 'rfc822Name', value: atv.value });
    }
  }
  if (cert.ext.subjectAltName) out.push(...cert.ext.subjectAltName);
  return out;
}

function describe(n: GeneralName): string {
  switch (n.type) {
    case 'directoryName':
      return `DirName:${n.name.text}`;
    case 'rfc822Name':
      return `email:${n.value}`;
    case 'dNSName':
      return `DNS:${n.value}`;
    case 'uniformResourceIdentifier':
      return `URI:${n.value}`;
    case 'iPAddress':
      return `IP:${Array.from(n.bytes).join('.')}`;
    case 'otherName':
      return `otherName:${n.typeId}`;
    case 'registeredID':
      return `RID:${n.oid}`;
    case 'x400Address':
    case 'ediPartyName':
      return n.type;
  }
}

export const MAX_NAME_CONSTRAINT_COMPARISONS = 250_000;

/** Check `names` against every set; the first violation's description, or undefined. */
export function nameConstraintViolation(names: readonly GeneralName[], sets: readonly ConstraintSet[]): string | undefined {
  let work = 0;
  for (const s of sets) work += names.length * ((s.permitted?.length ?? 0) + (s.excluded?.length ?? 0));
  if (work > MAX_NAME_CONSTRAINT_COMPARISONS) return `too many name constraint comparisons (${work} > ${MAX_NAME_CONSTRAINT_COMPARISONS})`;
  for (const set of sets) {
    for (const n of names) {
      if (set.excluded) {
        for (const st of set.excluded) {
          const v = verdict(n, st.base);
          if (v === 'match') return `${describe(n)} is in an excluded subtree`;
          if (v === 'unchecked') return `${describe(n)} cannot be checked against an excluded ${st.base.type} subtree`;
        }
      }
      if (set.permitted) {
        let sameType = false;
        let ok = false;
        for (const st of set.permitted) {
          if (st.base.type !== n.type) continue;
          sameType = true;
          const v = verdict(n, st.base);
          if (v === 'match') {
            ok = true;
            break;
          }
        }
        if (sameType && !ok) return `${describe(n)} is not in the permitted subtrees`;
      }
    }
  }
  return undefined;
}
