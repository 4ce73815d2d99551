/**
 * NPKI certificate types by certificate policy, and a site's accepted set.
 *
 * The table is data (NPKI.md "CAs, roots, certificate types"); a deployment may
 * pass its own. Classification rule: the FIRST certificatePolicies OID decides,
 * by exact match (no prefix matching: 1.2.410.200005.1.1.6 is not a type, its
 * children are). A certificate whose first policy is unknown has no type.
 *
 * Holder/usage of rows the source table leaves implicit are our reading:
 * yessign 6.3 (procurement) and 6.8 (e-tax) are business certificates; KICA
 * "business A/B grade" (5.2.1.5/.6) are treated as corporate limited-use (so
 * not accepted by default: fail closed; list the OIDs to accept them); the
 * CrossCert and TradeSign limited-use rows are personal.
 */
import { PkiError } from '../errors';
import type { Certificate } from '../cert/types';

export type NpkiCa = 'yessign' | 'KICA' | 'SignKorea' | 'CrossCert' | 'TradeSign';
export type NpkiHolder = 'personal' | 'corporate';
export type NpkiUsage = 'general' | 'limited';

export interface NpkiCertType {
  oid: string;
  ca: NpkiCa;
  holder: NpkiHolder;
  usage: NpkiUsage;
  /** What a limited-use certificate is limited to. */
  purpose?: string;
  /** Korean and English. */
  label: string;
}

const P = (oid: string, ca: NpkiCa, holder: NpkiHolder, usage: NpkiUsage, label: string, purpose?: string): NpkiCertType =>
  purpose === undefined ? { oid, ca, holder, usage, label } : { oid, ca, holder, usage, purpose, label };

export const NPKI_POLICIES: ReadonlyArray<NpkiCertType> = [
  // yessign (금융결제원)
  P('1.2.410.200005.1.1.1', 'yessign', 'personal', 'general', '개인 범용 (personal, general-purpose)'),
  P('1.2.410.200005.1.1.4', 'yessign', 'personal', 'limited', '개인 용도제한 은행/카드/보험 (personal, bank/card/insurance)', 'bank/card/insurance'),
  P('1.2.410.200005.1.1.5', 'yessign', 'corporate', 'general', '법인 범용 (corporate, general-purpose)'),
  P('1.2.410.200005.1.1.2', 'yessign', 'corporate', 'limited', '법인 용도제한 (corporate, limited-use)', 'limited'),
  P('1.2.410.200005.1.1.6.1', 'yessign', 'corporate', 'limited', '기업뱅킹 (corporate banking)', 'banking'),
  P('1.2.410.200005.1.1.6.2', 'yessign', 'personal', 'limited', '신용카드 (personal credit card)', 'credit card'),
  P('1.2.410.200005.1.1.6.3', 'yessign', 'corporate', 'limited', '조달청 (public procurement)', 'procurement'),
  P('1.2.410.200005.1.1.6.8', 'yessign', 'corporate', 'limited', '전자세금용 (e-tax invoice)', 'e-tax'),
  // KICA / signGATE (한국정보인증)
  P('1.2.410.200004.5.2.1.2', 'KICA', 'personal', 'general', '개인 범용 (personal, general-purpose)'),
  P('1.2.410.200004.5.2.1.1', 'KICA', 'corporate', 'general', '법인 범용 (corporate, general-purpose)'),
  P('1.2.410.200004.5.2.1.7.1', 'KICA', 'personal', 'limited', '개인 은행/보험 (personal, bank/insurance)', 'bank/insurance'),
  P('1.2.410.200004.5.2.1.7.2', 'KICA', 'personal', 'limited', '개인 증권 (personal, securities)', 'securities'),
  P('1.2.410.200004.5.2.1.7.3', 'KICA', 'personal', 'limited', '개인 신용카드 (personal, credit card)', 'credit card'),
  P('1.2.410.200004.5.2.1.5', 'KICA', 'corporate', 'limited', '사업자 A등급 (business, grade A)', 'business grade A'),
  P('1.2.410.200004.5.2.1.6', 'KICA', 'corporate', 'limited', '사업자 B등급 (business, grade B)', 'business grade B'),
  // SignKorea (코스콤)
  P('1.2.410.200004.5.1.1.5', 'SignKorea', 'personal', 'general', '개인 범용 (personal, general-purpose)'),
  P('1.2.410.200004.5.1.1.7', 'SignKorea', 'corporate', 'general', '법인 범용 (corporate, general-purpose)'),
  P('1.2.410.200004.5.1.1.9', 'SignKorea', 'personal', 'limited', '개인 증권/보험 (personal, securities/insurance)', 'securities/insurance'),
  P('1.2.410.200004.5.1.1.9.2', 'SignKorea', 'personal', 'limited', '개인 용도제한 (personal, limited-use)', 'securities/insurance'),
  // CrossCert (한국전자인증)
  P('1.2.410.200004.5.4.1.1', 'CrossCert', 'personal', 'general', '개인 범용 (personal, general-purpose)'),
  P('1.2.410.200004.5.4.1.2', 'CrossCert', 'corporate', 'general', '법인 범용 (corporate, general-purpose)'),
  P('1.2.410.200004.5.4.1.101', 'CrossCert', 'personal', 'limited', '은행 (bank)', 'bank'),
  P('1.2.410.200004.5.4.1.102', 'CrossCert', 'personal', 'limited', '증권 (securities)', 'securities'),
  P('1.2.410.200004.5.4.1.103', 'CrossCert', 'personal', 'limited', '신용카드 (credit card)', 'credit card'),
  P('1.2.410.200004.5.4.1.104', 'CrossCert', 'personal', 'limited', '전자민원 (e-government)', 'e-government'),
  // TradeSign (한국무역정보통신)
  P('1.2.410.200012.1.1.1', 'TradeSign', 'personal', 'general', '개인 범용 (personal, general-purpose)'),
  P('1.2.410.200012.1.1.3', 'TradeSign', 'corporate', 'general', '법인 범용 (corporate, general-purpose)'),
  P('1.2.410.200012.1.1.101', 'TradeSign', 'personal', 'limited', '은행 (bank)', 'bank'),
  P('1.2.410.200012.1.1.103', 'TradeSign', 'personal', 'limited', '증권 (securities)', 'securities'),
  P('1.2.410.200012.1.1.105', 'TradeSign', 'personal', 'limited', '신용카드 (credit card)', 'credit card'),
];

const CAS: readonly NpkiCa[] = ['yessign', 'KICA', 'SignKorea', 'CrossCert', 'TradeSign'];

function indexOf(table: ReadonlyArray<NpkiCertType>): Map<string, NpkiCertType> {
  const m = new Map<string, NpkiCertType>();
  for (const t of table) {
    if (m.has(t.oid)) throw new PkiError('INVALID_ARGUMENT', `policy table lists ${t.oid} twice`);
    m.set(t.oid, t);
  }
  return m;
}

const DEFAULT_INDEX = indexOf(NPKI_POLICIES);

/** The type given by the first policy OID (exact match), or undefined. */
export function classifyPolicies(policyOids: readonly string[], table: ReadonlyArray<NpkiCertType> = NPKI_POLICIES): NpkiCertType | undefined {
  const first = policyOids[0];
  if (first === undefined) return undefined;
  return (table === NPKI_POLICIES ? DEFAULT_INDEX : indexOf(table)).get(first);
}

export function certificatePolicyOids(cert: Pick<Certificate, 'ext'>): string[] {
  return cert.ext.certificatePolicies?.policies.map((p) => p.oid) ?? [];
}

export function classifyCertificate(cert: Pick<Certificate, 'ext'>, table: ReadonlyArray<NpkiCertType> = NPKI_POLICIES): NpkiCertType | undefined {
  return classifyPolicies(certificatePolicyOids(cert), table);
}

// --- accepted types ----------------------------------------------------------------

/**
 * A site's accepted certificate types, resolved to policy OIDs. Built from
 * selectors:
 *  - `holder/usage` ('personal/general', 'corporate/limited', '*' allowed on either side)
 *  - a CA name ('yessign'): every type of that CA, or `CA/holder/usage`
 *  - an explicit policy OID ('1.2.410.200005.1.1.4'), which may be outside the table
 */
export interface AcceptedTypes {
  readonly selectors: readonly string[];
  readonly oids: ReadonlySet<string>;
}

const OID_RE = /^[0-2](?:\.(?:0|[1-9]\d*))+$/;

export function buildAcceptedTypes(selectors: readonly string[], table: ReadonlyArray<NpkiCertType> = NPKI_POLICIES): AcceptedTypes {
  const oids = new Set<string>();
  for (const raw of selectors) {
    const sel = raw.trim();
    if (OID_RE.test(sel)) {
      oids.add(sel);
      continue;
    }
    const parts = sel.split('/');
    let ca: string | undefined;
    let holder = '*';
    let usage = '*';
    if (parts.length === 1) ca = parts[0];
    else if (parts.length === 2) [holder, usage] = parts as [string, string];
    else if (parts.length === 3) [ca, holder, usage] = parts as [string, string, string];
    else throw badSelector(raw);
    if (ca !== undefined && !CAS.some((c) => c.toLowerCase() === ca.toLowerCase())) throw badSelector(raw);
    if (!['personal', 'corporate', '*'].includes(holder) || !['general', 'limited', '*'].includes(usage)) throw badSelector(raw);
    for (const t of table) {
      if (ca !== undefined && t.ca.toLowerCase() !== ca.toLowerCase()) continue;
      if (holder !== '*' && t.holder !== holder) continue;
      if (usage !== '*' && t.usage !== usage) continue;
      oids.add(t.oid);
    }
  }
  return { selectors: [...selectors], oids };
}

function badSelector(s: string): PkiError {
  return new PkiError('INVALID_ARGUMENT', `accepted-type selector "${s}": expected holder/usage, a CA name, CA/holder/usage or a policy OID`);
}

/** Default: general-purpose (범용) personal and corporate certificates of every CA. */
export const DEFAULT_ACCEPTED_TYPES: AcceptedTypes = buildAcceptedTypes(['personal/general', 'corporate/general']);

export type AcceptCheck = { ok: true } | { ok: false; reason: 'POLICY_NOT_ACCEPTED' | 'POLICY_UNKNOWN' };

export function isAccepted(type: NpkiCertType | undefined, accepted: AcceptedTypes = DEFAULT_ACCEPTED_TYPES): AcceptCheck {
  if (type === undefined) return { ok: false, reason: 'POLICY_UNKNOWN' };
  return accepted.oids.has(type.oid) ? { ok: true } : { ok: false, reason: 'POLICY_NOT_ACCEPTED' };
}

export type PolicyCheck =
  | { ok: true; oid: string; type?: NpkiCertType }
  | { ok: false; reason: 'POLICY_NOT_ACCEPTED' | 'POLICY_UNKNOWN' | 'NO_POLICY'; oid?: string; type?: NpkiCertType };

/**
 * Decide on a certificate's policy OIDs: classify by the first, and accept it
 * if its OID is in the set (explicitly listed OIDs outside the table count).
 */
export function checkPolicies(
  policyOids: readonly string[],
  accepted: AcceptedTypes = DEFAULT_ACCEPTED_TYPES,
  table: ReadonlyArray<NpkiCertType> = NPKI_POLICIES,
): PolicyCheck {
  const oid = policyOids[0];
  if (oid === undefined) return { ok: false, reason: 'NO_POLICY' };
  const type = classifyPolicies(policyOids, table);
  if (accepted.oids.has(oid)) return type ? { ok: true, oid, type } : { ok: true, oid };
  if (type === undefined) return { ok: false, reason: 'POLICY_UNKNOWN', oid };
  return { ok: false, reason: 'POLICY_NOT_ACCEPTED', oid, type };
}

export function checkCertificatePolicy(cert: Pick<Certificate, 'ext'>, accepted: AcceptedTypes = DEFAULT_ACCEPTED_TYPES): PolicyCheck {
  return checkPolicies(certificatePolicyOids(cert), accepted);
}
