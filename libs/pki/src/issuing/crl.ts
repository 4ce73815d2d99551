/**
 * buildCrl: CertificateList DER from a spec, signed with Node crypto — for
 * tests, benchmarks and the dev CA. Malformed variants are made by the spec
 * (duplicates, unsorted serials, v1 with extensions, raw extra extensions) or
 * by editing the bytes afterwards.
 *
 * `encodeRevokedEntries` writes millions of uniform entries straight into one
 * buffer (the generic writer allocates per element): a million-entry CRL in
 * well under a second.
 */
import type { KeyObject } from 'node:crypto';
import { bitString, enumerated, explicit, generalizedTime, implicit, int, octets, seq, tlv, bool, time, type DerPart } from '../der';
import { PkiError } from '../errors';
import type { ReasonFlag } from '../cert/types';
import { REVOCATION_REASONS, type RevocationReason } from '../revocation/types';
import { distributionPointName, extension, generalNames, reasonFlags, type DistributionPointNameSpec, type DistributionPointSpec, type GeneralNameSpec } from './extensions';
import { keyIdentifier } from './keys';
import { encodeName, type NameSpec } from './names';
import { defaultSignatureAlgorithm, signData, signatureAlgorithmIdentifier, type SignatureAlgorithmName } from './signing';

const OIDS = {
  crlNumber: '2.5.29.20',
  deltaCrlIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  freshestCrl: '2.5.29.46',
  authorityKeyIdentifier: '2.5.29.35',
  reasonCode: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  certificateIssuer: '2.5.29.29',
};

export interface RawExtensionSpec {
  oid: string;
  critical?: boolean;
  value: Uint8Array;
}

export interface CrlEntrySpec {
  serial: bigint | number | Uint8Array;
  revokedAt: number;
  /** CRLReason name or raw value (raw values allow unknown codes). */
  reason?: RevocationReason | number;
  invalidityDate?: number;
  /** certificateIssuer entry extension (indirect CRLs). */
  certificateIssuer?: readonly GeneralNameSpec[];
  extra?: readonly RawExtensionSpec[];
}

export interface IdpSpec extends DistributionPointNameSpec {
  onlyUser?: boolean;
  onlyCA?: boolean;
  onlySomeReasons?: readonly ReasonFlag[];
  indirect?: boolean;
  onlyAttribute?: boolean;
  /** Default true (RFC 5280 §5.2.5). */
  critical?: boolean;
}

export interface CrlSpec {
  issuer: NameSpec;
  issuerKey: KeyObject;
  algorithm?: SignatureAlgorithmName;
  thisUpdate: number;
  /** null omits nextUpdate. Default thisUpdate + 7 days. */
  nextUpdate?: number | null;
  /** 1 or 2; default 2. v1 omits the version field. */
  version?: 1 | 2;
  entries?: readonly CrlEntrySpec[];
  /** Pre-encoded revokedCertificates content (from encodeRevokedEntries); overrides `entries`. */
  revokedContent?: Uint8Array;
  /** Write an empty revokedCertificates SEQUENCE when there are no entries (RFC says omit). */
  emptyRevokedSequence?: boolean;
  /** cRLNumber (RFC 5280 §5.2.3 MUST): default 1 (v2 CRLs); false omits it; `{ value, critical: true }` marks it critical. */
  crlNumber?: bigint | number | false | { value: bigint | number; critical: boolean };
  /** deltaCRLIndicator (BaseCRLNumber): makes this a delta CRL. */
  deltaBase?: bigint | number;
  /** AKI keyIdentifier: default the issuer key's SHA-1 key id; false omits AKI. */
  authorityKeyId?: Uint8Array | false;
  idp?: IdpSpec;
  freshestCrl?: readonly DistributionPointSpec[];
  extra?: readonly RawExtensionSpec[];
}

const REASON_CODE: Readonly<Record<RevocationReason, number>> = Object.fromEntries(
  Object.entries(REVOCATION_REASONS).map(([k, v]) => [v, Number(k)]),
) as Record<RevocationReason, number>;

function entry(e: CrlEntrySpec): Buffer {
  const exts: Buffer[] = [];
  if (e.reason !== undefined) exts.push(extension(OIDS.reasonCode, false, enumerated(typeof e.reason === 'number' ? e.reason : REASON_CODE[e.reason])));
  if (e.invalidityDate !== undefined) exts.push(extension(OIDS.invalidityDate, false, generalizedTime(e.invalidityDate)));
  if (e.certificateIssuer) exts.push(extension(OIDS.certificateIssuer, true, generalNames(e.certificateIssuer)));
  for (const x of e.extra ?? []) exts.push(extension(x.oid, x.critical ?? false, x.value));
  return seq(int(e.serial), time(e.revokedAt), exts.length > 0 && seq(...exts));
}

function idpValue(s: IdpSpec): Buffer {
  return seq(
    distributionPointName(s),
    s.onlyUser && implicit(1, bool(true)),
    s.onlyCA && implicit(2, bool(true)),
    s.onlySomeReasons && implicit(3, reasonFlags(s.onlySomeReasons)),
    s.indirect && implicit(4, bool(true)),
    s.onlyAttribute && implicit(5, bool(true)),
  );
}

function dpList(dps: readonly DistributionPointSpec[]): Buffer {
  return seq(
    ...dps.map((dp) => seq(distributionPointName(dp), dp.reasons && implicit(1, reasonFlags(dp.reasons)), dp.crlIssuer && implicit(2, generalNames(dp.crlIssuer)))),
  );
}

/** tbsCertList DER. */
export function buildTbsCertList(spec: CrlSpec): Buffer {
  const alg = spec.algorithm ?? defaultSignatureAlgorithm(spec.issuerKey);
  const exts: Buffer[] = [];
  if (spec.authorityKeyId !== false) exts.push(extension(OIDS.authorityKeyIdentifier, false, seq(implicit(0, octets(spec.authorityKeyId ?? keyIdentifier(spec.issuerKey))))));
  const crlNumber = spec.crlNumber ?? (spec.version === 1 ? false : 1); // a v1 CRL has no extensions
  if (crlNumber !== false) {
    const n = crlNumber;
    exts.push(typeof n === 'object' ? extension(OIDS.crlNumber, n.critical, int(n.value)) : extension(OIDS.crlNumber, false, int(n)));
  }
  if (spec.deltaBase !== undefined) exts.push(extension(OIDS.deltaCrlIndicator, true, int(spec.deltaBase)));
  if (spec.idp) exts.push(extension(OIDS.issuingDistributionPoint, spec.idp.critical ?? true, idpValue(spec.idp)));
  if (spec.freshestCrl) exts.push(extension(OIDS.freshestCrl, false, dpList(spec.freshestCrl)));
  for (const x of spec.extra ?? []) exts.push(extension(x.oid, x.critical ?? false, x.value));
  const version = spec.version ?? 2;
  let revoked: DerPart;
  if (spec.revokedContent) revoked = tlv(0x30, spec.revokedContent);
  else if (spec.entries && spec.entries.length > 0) revoked = seq(...spec.entries.map(entry));
  else if (spec.emptyRevokedSequence) revoked = seq();
  const nextUpdate = spec.nextUpdate === undefined ? spec.thisUpdate + 7 * 86_400_000 : spec.nextUpdate;
  return seq(
    version === 2 && int(1),
    signatureAlgorithmIdentifier(alg),
    encodeName(spec.issuer),
    time(spec.thisUpdate),
    nextUpdate !== null && time(nextUpdate),
    revoked,
    exts.length > 0 && explicit(0, seq(...exts)),
  );
}

/** Sign a tbsCertList into a CertificateList. */
export function signCrl(tbs: Uint8Array, issuerKey: KeyObject, algorithm?: SignatureAlgorithmName): Buffer {
  const alg = algorithm ?? defaultSignatureAlgorithm(issuerKey);
  return seq(tbs, signatureAlgorithmIdentifier(alg), bitString(signData(alg, issuerKey, tbs)));
}

export function buildCrl(spec: CrlSpec): Buffer {
  return signCrl(buildTbsCertList(spec), spec.issuerKey, spec.algorithm);
}

/**
 * The content of a revokedCertificates SEQUENCE with `count` entries, written
 * directly: entry i has serial `serialOf(i, out)` (fills `serialLength` bytes;
 * the first byte is forced positive and non-zero, so the INTEGER is minimal),
 * revocationDate UTCTime `revokedAt(i)` (1950–2049), and reasonCode `reason(i)`
 * (a CRLReason value, or -1 for none).
 */
export function encodeRevokedEntries(
  count: number,
  serialLength: number,
  serialOf: (i: number, out: Uint8Array) => void,
  revokedAt: (i: number) => number,
  reason: (i: number) => number,
): Buffer {
  if (serialLength < 1 || serialLength > 100) throw new PkiError('INVALID_ARGUMENT', 'serialLength out of range');
  const REASON_EXT = 14; // 30 0c 30 0a 06 03 55 1d 15 04 03 0a 01 rr
  const maxEntry = 2 + 2 + serialLength + 15 + REASON_EXT;
  const out = Buffer.allocUnsafe(count * maxEntry);
  const serial = new Uint8Array(serialLength);
  const timeCache = new Map<number, Buffer>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    serialOf(i, serial);
    serial[0] = (serial[0]! & 0x7f) | 0x01;
    const t = revokedAt(i);
    let tb = timeCache.get(t);
    if (!tb) {
      tb = time(t);
      if (tb.length !== 15) throw new PkiError('INVALID_ARGUMENT', 'encodeRevokedEntries writes UTCTime only (1950–2049)');
      if (timeCache.size < 100_000) timeCache.set(t, tb);
    }
    const r = reason(i);
    const len = 2 + serialLength + 15 + (r >= 0 ? REASON_EXT : 0);
    if (len > 127) throw new PkiError('INVALID_ARGUMENT', 'entry too long for the fast writer');
    out[p++] = 0x30;
    out[p++] = len;
    out[p++] = 0x02;
    out[p++] = serialLength;
    out.set(serial, p);
    p += serialLength;
    out.set(tb, p);
    p += 15;
    if (r >= 0) {
      out.set([0x30, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55, 0x1d, 0x15, 0x04, 0x03, 0x0a, 0x01, r], p);
      p += REASON_EXT;
    }
  }
  return out.subarray(0, p);
}
