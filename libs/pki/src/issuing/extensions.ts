/**
 * X.509 extension encoders for test certificates (and, for the shared pieces
 * such as GeneralNames and DistributionPointName, for CRLs).
 *
 * Each typed field of ExtensionsSpec takes a shorthand (e.g. an array) or an
 * object with `critical`. Default criticality follows RFC 5280's MUST/SHOULD:
 * basicConstraints, keyUsage, policyConstraints, inhibitAnyPolicy,
 * nameConstraints and policyMappings critical; everything else not.
 */
import { PkiError } from '../errors';
import {
  bmp,
  bool,
  ctxPrimitive,
  explicit,
  ia5,
  implicit,
  int,
  namedBits,
  nul,
  octets,
  oid,
  seq,
  tlv,
  utf8,
  visible,
} from '../der';
import { KEY_USAGE_BITS, type KeyUsageName, OID, REASON_FLAGS, type ReasonFlag } from '../cert/types';
import { type AttributeSpec, encodeName, encodeRdn, type NameSpec } from './names';

// --- GeneralName ---------------------------------------------------------------------

export type GeneralNameSpec =
  | { otherName: { typeId: string; /** DER of the value placed inside [0] EXPLICIT */ value: Uint8Array } }
  | { email: string }
  | { dns: string }
  | { uri: string }
  /** IPv4/IPv6 text, optionally with /prefix (name constraints: address + mask), or raw bytes. */
  | { ip: string | Uint8Array }
  | { dirName: NameSpec }
  | { registeredId: string }
  /** A whole GeneralName element, verbatim. */
  | { raw: Uint8Array };

export function generalName(gn: GeneralNameSpec): Buffer {
  if ('otherName' in gn) return tlv(0xa0, oid(gn.otherName.typeId), explicit(0, gn.otherName.value));
  if ('email' in gn) return implicit(1, ia5(gn.email));
  if ('dns' in gn) return implicit(2, ia5(gn.dns));
  if ('dirName' in gn) return explicit(4, encodeName(gn.dirName));
  if ('uri' in gn) return implicit(6, ia5(gn.uri));
  if ('ip' in gn) return ctxPrimitive(7, typeof gn.ip === 'string' ? ipBytes(gn.ip) : gn.ip);
  if ('registeredId' in gn) return implicit(8, oid(gn.registeredId));
  return Buffer.from(gn.raw);
}

/** GeneralNames: SEQUENCE OF GeneralName. */
export function generalNames(names: readonly GeneralNameSpec[]): Buffer {
  return seq(...names.map(generalName));
}

/** "10.0.0.1", "10.0.0.0/8", "2001:db8::1", "2001:db8::/32" → 4/8/16/32 bytes. */
export function ipBytes(text: string): Buffer {
  const [addr = '', prefix] = text.split('/');
  const bytes = addr.includes(':') ? ipv6(addr) : ipv4(addr);
  if (prefix === undefined) return bytes;
  const bits = Number(prefix);
  if (!/^\d+$/.test(prefix) || bits > bytes.length * 8) throw new PkiError('INVALID_ARGUMENT', `bad prefix in ${text}`);
  const mask = Buffer.alloc(bytes.length);
  for (let i = 0; i < bits; i++) mask[i >> 3]! |= 0x80 >> (i & 7);
  return Buffer.concat([bytes, mask]);
}

function ipv4(s: string): Buffer {
  const parts = s.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new PkiError('INVALID_ARGUMENT', `bad IPv4 address ${s}`);
  }
  return Buffer.from(parts.map(Number));
}

function ipv6(s: string): Buffer {
  const halves = s.split('::');
  if (halves.length > 2) throw new PkiError('INVALID_ARGUMENT', `bad IPv6 address ${s}`);
  const words = (h: string | undefined): string[] => (h ? h.split(':') : []);
  const head = words(halves[0]);
  const tail = words(halves[1]);
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const all = [...head, ...Array<string>(Math.max(fill, 0)).fill('0'), ...tail];
  if (all.length !== 8 || all.some((w) => !/^[0-9a-fA-F]{1,4}$/.test(w))) throw new PkiError('INVALID_ARGUMENT', `bad IPv6 address ${s}`);
  const out = Buffer.alloc(16);
  all.forEach((w, i) => out.writeUInt16BE(parseInt(w, 16), i * 2));
  return out;
}

// --- distribution points (certificates' CDP / freshestCRL, CRLs' IDP) ------------------

export interface DistributionPointNameSpec {
  /** URIs, each a uniformResourceIdentifier in fullName. */
  urls?: readonly string[];
  /** Other fullName entries (after the URLs). */
  fullName?: readonly GeneralNameSpec[];
  /** nameRelativeToCRLIssuer (one RDN, its attributes); exclusive with urls/fullName. */
  relativeName?: readonly AttributeSpec[];
}

export interface DistributionPointSpec extends DistributionPointNameSpec {
  reasons?: readonly ReasonFlag[];
  crlIssuer?: readonly GeneralNameSpec[];
}

/** DistributionPointName content, tagged [0] (as in DistributionPoint and IssuingDistributionPoint), or undefined when empty. */
export function distributionPointName(spec: DistributionPointNameSpec): Buffer | undefined {
  const full = [...(spec.urls ?? []).map((uri) => ({ uri })), ...(spec.fullName ?? [])];
  if (full.length > 0 && spec.relativeName) throw new PkiError('INVALID_ARGUMENT', 'fullName and relativeName are exclusive');
  if (full.length > 0) return explicit(0, implicit(0, generalNames(full)));
  if (spec.relativeName) return explicit(0, implicit(1, encodeRdn(spec.relativeName)));
  return undefined;
}

export function reasonFlags(reasons: readonly ReasonFlag[]): Buffer {
  return namedBits(reasons.map((r) => REASON_FLAGS.indexOf(r)));
}

function distributionPoint(dp: DistributionPointSpec): Buffer {
  return seq(
    distributionPointName(dp),
    dp.reasons && implicit(1, reasonFlags(dp.reasons)),
    dp.crlIssuer && implicit(2, generalNames(dp.crlIssuer)),
  );
}

// --- policies -----------------------------------------------------------------------------

export interface UserNoticeSpec {
  explicitText?: string;
  /** DisplayText type; default 'utf8' (RFC 5280). Korean CAs write 'bmp'. */
  textType?: 'utf8' | 'bmp' | 'visible' | 'ia5';
  noticeRef?: { organization: string; noticeNumbers: readonly number[]; organizationType?: 'utf8' | 'bmp' | 'visible' | 'ia5' };
}

export interface PolicySpec {
  oid: string;
  /** User notices, written before the CPS pointers (the order yessign uses). */
  userNotice?: UserNoticeSpec | readonly UserNoticeSpec[];
  cps?: string | readonly string[];
  /** Further PolicyQualifierInfo entries, verbatim values. */
  qualifiers?: ReadonlyArray<{ oid: string; value: Uint8Array }>;
}

const DISPLAY_TEXT = { utf8, bmp, visible, ia5 } as const;

function userNotice(n: UserNoticeSpec): Buffer {
  return seq(
    n.noticeRef &&
      seq(DISPLAY_TEXT[n.noticeRef.organizationType ?? 'utf8'](n.noticeRef.organization), seq(...n.noticeRef.noticeNumbers.map((x) => int(x)))),
    n.explicitText !== undefined && DISPLAY_TEXT[n.textType ?? 'utf8'](n.explicitText),
  );
}

function asList<T>(v: T | readonly T[] | undefined): readonly T[] {
  return v === undefined ? [] : Array.isArray(v) ? (v as readonly T[]) : [v as T];
}

function policyInformation(p: string | PolicySpec): Buffer {
  if (typeof p === 'string') return seq(oid(p));
  const quals = [
    ...asList(p.userNotice).map((n) => seq(oid(OID.qtUnotice), userNotice(n))),
    ...asList(p.cps).map((u) => seq(oid(OID.qtCps), ia5(u))),
    ...(p.qualifiers ?? []).map((q) => seq(oid(q.oid), q.value)),
  ];
  return seq(oid(p.oid), quals.length > 0 && seq(...quals));
}

// --- the extensions spec --------------------------------------------------------------------

type Crit<T> = T & { critical?: boolean };

export interface GeneralSubtreeSpec {
  base: GeneralNameSpec;
  minimum?: number;
  maximum?: number;
}

export interface AuthorityKeyIdentifierSpec {
  /** Default: the issuer's key identifier; false omits it. */
  keyIdentifier?: Uint8Array | false;
  /** authorityCertIssuer (as a directoryName) and authorityCertSerialNumber, as yessign writes them. */
  issuer?: NameSpec;
  serial?: bigint | number | Uint8Array;
}

export interface ExtensionsSpec {
  /** Default: present with the issuer key's identifier (v3 certificates); false omits it. */
  authorityKeyIdentifier?: false | Crit<AuthorityKeyIdentifierSpec>;
  /** Default: SHA-1 of the subject public key bits (v3 certificates); false omits it. */
  subjectKeyIdentifier?: false | Uint8Array | Crit<{ keyIdentifier: Uint8Array }>;
  keyUsage?: readonly KeyUsageName[] | Crit<{ usages: readonly KeyUsageName[] }>;
  extKeyUsage?: readonly string[] | Crit<{ oids: readonly string[] }>;
  certificatePolicies?: ReadonlyArray<string | PolicySpec> | Crit<{ policies: ReadonlyArray<string | PolicySpec> }>;
  policyMappings?: ReadonlyArray<readonly [issuerDomainPolicy: string, subjectDomainPolicy: string]> | Crit<{ mappings: ReadonlyArray<readonly [string, string]> }>;
  subjectAltName?: readonly GeneralNameSpec[] | Crit<{ names: readonly GeneralNameSpec[] }>;
  issuerAltName?: readonly GeneralNameSpec[] | Crit<{ names: readonly GeneralNameSpec[] }>;
  basicConstraints?: Crit<{ ca: boolean; pathLen?: number }>;
  nameConstraints?: Crit<{ permitted?: ReadonlyArray<GeneralNameSpec | GeneralSubtreeSpec>; excluded?: ReadonlyArray<GeneralNameSpec | GeneralSubtreeSpec> }>;
  policyConstraints?: Crit<{ requireExplicitPolicy?: number; inhibitPolicyMapping?: number }>;
  inhibitAnyPolicy?: number | Crit<{ skipCerts: number }>;
  /** A list of URLs is one DistributionPoint whose fullName holds them all (as OpenSSL's config writes it); use `points` for several. */
  crlDistributionPoints?: readonly string[] | Crit<{ points: readonly DistributionPointSpec[] }>;
  freshestCrl?: readonly string[] | Crit<{ points: readonly DistributionPointSpec[] }>;
  authorityInfoAccess?: Crit<{
    ocsp?: string | readonly string[];
    caIssuers?: string | readonly string[];
    /** Further AccessDescriptions after the OCSP and caIssuers ones. */
    other?: ReadonlyArray<{ method: string; location: GeneralNameSpec }>;
  }>;
  ocspNoCheck?: boolean | Crit<object>;
  /** Arbitrary extensions appended after the typed ones (unknown OIDs, duplicates, broken values). */
  extra?: ReadonlyArray<{ oid: string; critical?: boolean; value: Uint8Array }>;
}

/** One Extension: SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE (written only when true), extnValue OCTET STRING }. */
export function extension(extnId: string, critical: boolean, value: Uint8Array): Buffer {
  return seq(oid(extnId), critical && bool(true), octets(value));
}

/** What the encoder needs besides the spec. */
export interface ExtensionContext {
  /** Key identifier of the issuer's key (for the default AKI). */
  issuerKeyId: Uint8Array;
  /** Key identifier of the subject's key (for the default SKI). */
  subjectKeyId: Uint8Array;
  /** Whether the default AKI/SKI are added when the spec leaves them undefined. */
  autoKeyIds: boolean;
}

function pick<S, O extends object>(v: S | Crit<O>, isShort: (v: S | Crit<O>) => v is S): { short?: S; obj?: Crit<O>; critical?: boolean } {
  if (isShort(v)) return { short: v };
  return { obj: v, critical: v.critical };
}

const isArray = <T>(v: unknown): v is readonly T[] => Array.isArray(v);

/** Encode the extensions in a fixed order: AKI, SKI, keyUsage, EKU, policies, mappings, SAN, IAN, basicConstraints, name constraints, policy constraints, inhibitAnyPolicy, CDP, freshestCRL, AIA, ocspNoCheck, extra. */
export function encodeExtensions(spec: ExtensionsSpec, ctx: ExtensionContext): Buffer[] {
  const out: Buffer[] = [];
  const add = (o: string, critical: boolean | undefined, dflt: boolean, value: Uint8Array): void => {
    out.push(extension(o, critical ?? dflt, value));
  };

  const aki = spec.authorityKeyIdentifier;
  if (aki !== false && (aki !== undefined || ctx.autoKeyIds)) {
    const a = aki ?? {};
    const keyId = a.keyIdentifier === undefined ? ctx.issuerKeyId : a.keyIdentifier;
    add(
      OID.authorityKeyIdentifier,
      a.critical,
      false,
      seq(
        keyId !== false && ctxPrimitive(0, keyId),
        a.issuer !== undefined && implicit(1, generalNames([{ dirName: a.issuer }])),
        a.serial !== undefined && implicit(2, int(a.serial)),
      ),
    );
  }

  const ski = spec.subjectKeyIdentifier;
  if (ski !== false && (ski !== undefined || ctx.autoKeyIds)) {
    if (ski === undefined) add(OID.subjectKeyIdentifier, false, false, octets(ctx.subjectKeyId));
    else if (ski instanceof Uint8Array) add(OID.subjectKeyIdentifier, false, false, octets(ski));
    else add(OID.subjectKeyIdentifier, ski.critical, false, octets(ski.keyIdentifier));
  }

  if (spec.keyUsage) {
    const p = pick(spec.keyUsage, isArray<KeyUsageName>);
    const usages = p.short ?? p.obj!.usages;
    add(OID.keyUsage, p.critical, true, namedBits(usages.map((u) => KEY_USAGE_BITS.indexOf(u))));
  }

  if (spec.extKeyUsage) {
    const p = pick(spec.extKeyUsage, isArray<string>);
    add(OID.extKeyUsage, p.critical, false, seq(...(p.short ?? p.obj!.oids).map((o) => oid(o))));
  }

  if (spec.certificatePolicies) {
    const p = pick(spec.certificatePolicies, isArray<string | PolicySpec>);
    add(OID.certificatePolicies, p.critical, false, seq(...(p.short ?? p.obj!.policies).map(policyInformation)));
  }

  if (spec.policyMappings) {
    const p = pick(spec.policyMappings, isArray<readonly [string, string]>);
    add(OID.policyMappings, p.critical, true, seq(...(p.short ?? p.obj!.mappings).map(([i, s]) => seq(oid(i), oid(s)))));
  }

  for (const [field, o] of [
    ['subjectAltName', OID.subjectAltName],
    ['issuerAltName', OID.issuerAltName],
  ] as const) {
    const v = spec[field];
    if (v) {
      const p = pick(v, isArray<GeneralNameSpec>);
      add(o, p.critical, false, generalNames(p.short ?? p.obj!.names));
    }
  }

  if (spec.basicConstraints) {
    const b = spec.basicConstraints;
    add(OID.basicConstraints, b.critical, true, seq(b.ca && bool(true), b.pathLen !== undefined && int(b.pathLen)));
  }

  if (spec.nameConstraints) {
    const n = spec.nameConstraints;
    const subtrees = (list: ReadonlyArray<GeneralNameSpec | GeneralSubtreeSpec>): Buffer =>
      seq(
        ...list.map((s) => {
          const st: GeneralSubtreeSpec = 'base' in s ? s : { base: s };
          return seq(
            generalName(st.base),
            st.minimum !== undefined && st.minimum !== 0 && implicit(0, int(st.minimum)),
            st.maximum !== undefined && implicit(1, int(st.maximum)),
          );
        }),
      );
    add(
      OID.nameConstraints,
      n.critical,
      true,
      seq(n.permitted && implicit(0, subtrees(n.permitted)), n.excluded && implicit(1, subtrees(n.excluded))),
    );
  }

  if (spec.policyConstraints) {
    const c = spec.policyConstraints;
    add(
      OID.policyConstraints,
      c.critical,
      true,
      seq(
        c.requireExplicitPolicy !== undefined && implicit(0, int(c.requireExplicitPolicy)),
        c.inhibitPolicyMapping !== undefined && implicit(1, int(c.inhibitPolicyMapping)),
      ),
    );
  }

  if (spec.inhibitAnyPolicy !== undefined) {
    const v = spec.inhibitAnyPolicy;
    if (typeof v === 'number') add(OID.inhibitAnyPolicy, undefined, true, int(v));
    else add(OID.inhibitAnyPolicy, v.critical, true, int(v.skipCerts));
  }

  for (const [field, o] of [
    ['crlDistributionPoints', OID.crlDistributionPoints],
    ['freshestCrl', OID.freshestCrl],
  ] as const) {
    const v = spec[field];
    if (v) {
      const p = pick(v, isArray<string>);
      const points: readonly DistributionPointSpec[] = p.short ? [{ urls: p.short }] : p.obj!.points;
      add(o, p.critical, false, seq(...points.map(distributionPoint)));
    }
  }

  if (spec.authorityInfoAccess) {
    const a = spec.authorityInfoAccess;
    const ad = (method: string, location: GeneralNameSpec): Buffer => seq(oid(method), generalName(location));
    add(
      OID.authorityInfoAccess,
      a.critical,
      false,
      seq(
        ...asList(a.ocsp).map((uri) => ad(OID.adOcsp, { uri })),
        ...asList(a.caIssuers).map((uri) => ad(OID.adCaIssuers, { uri })),
        ...(a.other ?? []).map((d) => ad(d.method, d.location)),
      ),
    );
  }

  if (spec.ocspNoCheck) {
    add(OID.ocspNoCheck, spec.ocspNoCheck === true ? false : spec.ocspNoCheck.critical, false, nul());
  }

  for (const e of spec.extra ?? []) add(e.oid, e.critical, false, e.value);
  return out;
}

/** The NPKI identifyData SAN entry from the DER of an IdentifyData (see npki/vid.ts encodeIdentifyData). */
export function identifyDataName(identifyDataDer: Uint8Array): GeneralNameSpec {
  return { otherName: { typeId: OID.npkiIdentifyData, value: identifyDataDer } };
}
