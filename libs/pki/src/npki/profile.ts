/**
 * NPKI certificate types by certificate policy, and a site's accepted set.
 *
 * The table is data (NPKI.md "CAs, roots, certificate types"); a deployment may
 * pass its own. Classification rule: the FIRST certificatePolicies OID decides,
 * by exact match (no prefix matching: 1.2.410.200005.1.1.6 is not a type, its
 * children are). A certificate whose first policy is unknown has no type.
 *
 * Sources: NPKI.md's table, and the OID lists shipped with public relying-party
 * samples of the vendors' toolkits (a CrossCert verifier sample listing
 * "개인 용도제한용 인증서정책" per CA, a VestSign policy table, MagicLine and
 * mobisign accept lists). Where they disagree the row says so and takes the
 * reading that accepts less by default:
 *  - SignKorea 1.2.410.200004.5.1.1.9.2: NPKI.md reads "personal limited
 *    (securities/insurance)", both toolkit tables read 신용카드용 (credit card)
 *    → classified credit-card (not in the default set).
 *  - yessign 1.2.410.200005.1.1.2: "corporate limited" / 은행/보험(법인) → corporate bank-insurance.
 *  - KICA 5.2.1.5/.6 "business A/B grade" are corporate limited-use (group business).
 *  - yessign 6.3 (procurement) and 6.8 (e-tax) are business certificates.
 *  - Not listed (a single source, or outside the CA's own arc, or test-only):
 *    1.2.410.200005.1.1.12.902 (one table calls it a SignKorea e-tax OID under
 *    yessign's arc), 1.2.410.200004.5.2.1.6.369 (signGATE test),
 *    1.2.410.200004.5.4.1.3 (CrossCert "개인" without a usage), and the historic
 *    NCASign (1.2.410.200004.5.3.*) and INIPASS (1.2.410.200004.5.5.*) arcs,
 *    whose certificates have all expired. A site that needs one lists the OID.
 *
 * Groups (`group`) are what a site names in ACCEPTED_CERT_TYPES (see
 * NAMED_SELECTORS): general (범용), bank-insurance (은행·보험), securities
 * (증권·보험), credit-card (신용카드), e-government (전자민원), e-tax
 * (전자세금계산서/국세청), corporate-banking (기업뱅킹), procurement (조달), business
 * (사업자 등급).
 */
import { PkiError } from '../errors';
import type { Certificate } from '../cert/types';

export type NpkiCa = 'yessign' | 'KICA' | 'SignKorea' | 'CrossCert' | 'TradeSign';
export type NpkiHolder = 'personal' | 'corporate';
export type NpkiUsage = 'general' | 'limited';
export type NpkiGroup =
  | 'general'
  | 'bank-insurance'
  | 'securities'
  | 'credit-card'
  | 'e-government'
  | 'e-tax'
  | 'corporate-banking'
  | 'procurement'
  | 'business';

export interface NpkiCertType {
  oid: string;
  ca: NpkiCa;
  holder: NpkiHolder;
  usage: NpkiUsage;
  /** What a limited-use certificate is limited to. */
  purpose?: string;
  /** The usage group ('general' for 범용). Rows of a custom table without it count as their usage. */
  group?: NpkiGroup;
  /** Korean and English. */
  label: string;
}

const P = (oid: string, ca: NpkiCa, holder: NpkiHolder, group: NpkiGroup, label: string, purpose?: string): NpkiCertType => {
  const usage: NpkiUsage = group === 'general' ? 'general' : 'limited';
  return purpose === undefined ? { oid, ca, holder, usage, group, label } : { oid, ca, holder, usage, purpose, group, label };
};

export const NPKI_POLICIES: ReadonlyArray<NpkiCertType> = [
  // yessign (금융결제원)
  P('1.2.410.200005.1.1.1', 'yessign', 'personal', 'general', '개인 범용 (personal, general-purpose)'),
  P('1.2.410.200005.1.1.4', 'yessign', 'personal', 'bank-insurance', '개인 용도제한 은행/카드/보험 (personal, bank/card/insurance)', 'bank/card/insurance'),
  P('1.2.410.200005.1.1.5', 'yessign', 'corporate', 'general', '법인 범용 (corporate, general-purpose)'),
  P('1.2.410.200005.1.1.2', 'yessign', 'corporate', 'bank-insurance', '법인 용도제한 은행/보험 (corporate, bank/insurance)', 'bank/insurance'),
  P('1.2.410.200005.1.1.6.1', 'yessign', 'corporate', 'corporate-banking', '기업뱅킹 (corporate banking)', 'banking'),
  P('1.2.410.200005.1.1.6.2', 'yessign', 'personal', 'credit-card', '신용카드 (personal credit card)', 'credit card'),
  P('1.2.410.200005.1.1.6.3', 'yessign', 'corporate', 'procurement', '조달청 (public procurement)', 'procurement'),
  P('1.2.410.200005.1.1.6.8', 'yessign', 'corporate', 'e-tax', '전자세금용 (e-tax invoice)', 'e-tax'),
  // KICA / signGATE (한국정보인증)
  P('1.2.410.200004.5.2.1.2', 'KICA', 'personal', 'general', '개인 범용 (personal, general-purpose)'),
  P('1.2.410.200004.5.2.1.1', 'KICA', 'corporate', 'general', '법인 범용 (corporate, general-purpose)'),
  P('1.2.410.200004.5.2.1.7.1', 'KICA', 'personal', 'bank-insurance', '개인 은행/보험 (personal, bank/insurance)', 'bank/insurance'),
  P('1.2.410.200004.5.2.1.7.2', 'KICA', 'personal', 'securities', '개인 증권/보험 (personal, securities/insurance)', 'securities/insurance'),
  P('1.2.410.200004.5.2.1.7.3', 'KICA', 'personal', 'credit-card', '개인 신용카드 (personal, credit card)', 'credit card'),
  P('1.2.410.200004.5.2.1.5', 'KICA', 'corporate', 'business', '사업자 A등급 (business, grade A)', 'business grade A'),
  P('1.2.410.200004.5.2.1.6', 'KICA', 'corporate', 'business', '사업자 B등급 (business, grade B)', 'business grade B'),
  P('1.2.410.200004.5.2.1.6.257', 'KICA', 'corporate', 'e-tax', '전자세금용 (e-tax invoice)', 'e-tax'),
  P('1.2.410.200004.5.2.1.5001', 'KICA', 'corporate', 'e-tax', '국세청 전용 (national tax service)', 'national tax service'),
  // SignKorea (코스콤)
  P('1.2.410.200004.5.1.1.5', 'SignKorea', 'personal', 'general', '개인 범용 (personal, general-purpose)'),
  P('1.2.410.200004.5.1.1.7', 'SignKorea', 'corporate', 'general', '법인 범용 (corporate, general-purpose)'),
  P('1.2.410.200004.5.1.1.9', 'SignKorea', 'personal', 'securities', '개인 증권/보험 (personal, securities/insurance)', 'securities/insurance'),
  // sources disagree (securities/insurance vs credit card): the narrower reading
  P('1.2.410.200004.5.1.1.9.2', 'SignKorea', 'personal', 'credit-card', '개인 신용카드 (personal, credit card)', 'credit card'),
  P('1.2.410.200004.5.1.1.10', 'SignKorea', 'corporate', 'securities', '법인 증권 (corporate, securities)', 'securities'),
  // CrossCert (한국전자인증)
  P('1.2.410.200004.5.4.1.1', 'CrossCert', 'personal', 'general', '개인 범용 (personal, general-purpose)'),
  P('1.2.410.200004.5.4.1.2', 'CrossCert', 'corporate', 'general', '법인 범용 (corporate, general-purpose)'),
  P('1.2.410.200004.5.4.1.101', 'CrossCert', 'personal', 'bank-insurance', '은행/보험 (bank/insurance)', 'bank/insurance'),
  P('1.2.410.200004.5.4.1.102', 'CrossCert', 'personal', 'securities', '증권 (securities)', 'securities'),
  P('1.2.410.200004.5.4.1.103', 'CrossCert', 'personal', 'credit-card', '신용카드 (credit card)', 'credit card'),
  P('1.2.410.200004.5.4.1.104', 'CrossCert', 'personal', 'e-government', '전자민원 (e-government)', 'e-government'),
  P('1.2.410.200004.5.4.2.80', 'CrossCert', 'corporate', 'e-tax', '전자세금용 (e-tax invoice)', 'e-tax'),
  // TradeSign (한국무역정보통신, KTNET)
  P('1.2.410.200012.1.1.1', 'TradeSign', 'personal', 'general', '개인 범용 (personal, general-purpose)'),
  P('1.2.410.200012.1.1.3', 'TradeSign', 'corporate', 'general', '법인 범용 (corporate, general-purpose)'),
  P('1.2.410.200012.1.1.101', 'TradeSign', 'personal', 'bank-insurance', '은행/보험 (bank/insurance)', 'bank/insurance'),
  P('1.2.410.200012.1.1.103', 'TradeSign', 'personal', 'securities', '증권/보험 (securities/insurance)', 'securities/insurance'),
  P('1.2.410.200012.1.1.105', 'TradeSign', 'personal', 'credit-card', '신용카드 (credit card)', 'credit card'),
  P('1.2.410.200012.5.19.1.1', 'TradeSign', 'corporate', 'e-tax', '전자세금용 (e-tax invoice)', 'e-tax'),
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
 *  - a named group (NAMED_SELECTORS: 'personal-general', 'bank-insurance',
 *    'securities', ..., and 'default' for the whole default set)
 *  - `holder/usage` ('personal/general', 'corporate/limited', '*' allowed on either side)
 *  - a CA name ('yessign'): every type of that CA, or `CA/holder/usage`
 *  - an explicit policy OID ('1.2.410.200005.1.1.4'), which may be outside the table
 */
export interface AcceptedTypes {
  readonly selectors: readonly string[];
  readonly oids: ReadonlySet<string>;
}

const OID_RE = /^[0-2](?:\.(?:0|[1-9]\d*))+$/;

type Match = { holder?: NpkiHolder; group: NpkiGroup };

/**
 * Named selectors: each a (holder, group) set over every CA. Personal
 * limited-use certificates a bank, insurer or brokerage hands out are
 * `bank-insurance` and `securities`; `default` is what a 청약홈-like site
 * accepts (범용 of both holders plus those two personal limited-use groups).
 */
export const NAMED_SELECTORS: Readonly<Record<string, readonly Match[]>> = {
  general: [{ group: 'general' }],
  'personal-general': [{ holder: 'personal', group: 'general' }],
  'corporate-general': [{ holder: 'corporate', group: 'general' }],
  'bank-insurance': [{ holder: 'personal', group: 'bank-insurance' }],
  securities: [{ holder: 'personal', group: 'securities' }],
  'credit-card': [{ holder: 'personal', group: 'credit-card' }],
  'e-government': [{ holder: 'personal', group: 'e-government' }],
  'corporate-bank-insurance': [{ holder: 'corporate', group: 'bank-insurance' }],
  'corporate-securities': [{ holder: 'corporate', group: 'securities' }],
  'corporate-banking': [{ group: 'corporate-banking' }],
  'e-tax': [{ group: 'e-tax' }],
  procurement: [{ group: 'procurement' }],
  business: [{ group: 'business' }],
  default: [
    { group: 'general' },
    { holder: 'personal', group: 'bank-insurance' },
    { holder: 'personal', group: 'securities' },
  ],
};

const groupOf = (t: NpkiCertType): NpkiGroup | undefined => t.group ?? (t.usage === 'general' ? 'general' : undefined);

export function buildAcceptedTypes(selectors: readonly string[], table: ReadonlyArray<NpkiCertType> = NPKI_POLICIES): AcceptedTypes {
  const oids = new Set<string>();
  for (const raw of selectors) {
    const sel = raw.trim();
    if (OID_RE.test(sel)) {
      oids.add(sel);
      continue;
    }
    const named = Object.hasOwn(NAMED_SELECTORS, sel.toLowerCase()) ? NAMED_SELECTORS[sel.toLowerCase()] : undefined;
    if (named) {
      for (const t of table) if (named.some((m) => groupOf(t) === m.group && (m.holder === undefined || m.holder === t.holder))) oids.add(t.oid);
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
  return new PkiError(
    'INVALID_ARGUMENT',
    `accepted-type selector "${s}": expected a named group (${Object.keys(NAMED_SELECTORS).join(', ')}), holder/usage, a CA name, CA/holder/usage or a policy OID`,
  );
}

/** The default selectors: what a 청약홈-like site accepts (see NAMED_SELECTORS.default). */
export const DEFAULT_ACCEPTED_SELECTORS: readonly string[] = Object.freeze(['default']);

/** Default: 범용 (personal and corporate) plus personal bank/insurance and securities limited-use, of every CA. */
export const DEFAULT_ACCEPTED_TYPES: AcceptedTypes = buildAcceptedTypes(DEFAULT_ACCEPTED_SELECTORS);

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
