/**
 * A ValidationReport as the UTF-8 bytes of its JSON: the bytes Fastify's
 * default serializer would send (JSON.stringify, keys in the contract's
 * order, which is the order the verifier builds them in), made cheaper.
 *
 * A report is some 4 KB, and most of it repeats from one request to the next
 * for the same signer: the certificate summaries of the path and the
 * revocation views. They also carry the subjects, usually Korean, which make
 * the whole JSON text two-byte, so that sending it as a string costs a UTF-8
 * length, a copy into the header block and a UTF-8 encoding of the whole. So
 * the JSON of those parts is kept as UTF-8 bytes, found again by the
 * certificate's fingerprint (or serial and responder) and used only when
 * every field is equal to the one it was made from; everything else is
 * JSON.stringify'd per request; the bytes go out beside the headers.
 *
 * Every key of each type is written, in the type's order (the compiler checks
 * that none is left out: allKeys, allWritten). Optional keys (a check's
 * cert, reason, detail) are written by JSON.stringify itself.
 */
import type { CertificateSummary, RevocationCheckView, SignerReport, ValidationReport } from '@jointcert/contracts';

/** Fragments kept (about 0.5 KB each); when full, the memory starts again. */
const FRAGMENTS_MAX = 2_000;

/** UTF-8 JSON of a value, remembered under a key while the value stays equal field by field. */
class FragmentMemo<T extends object> {
  private readonly known = new Map<string, { value: T; json: Buffer }>();

  constructor(private readonly keys: readonly (keyof T)[]) {}

  json(key: string, value: T): Buffer {
    const hit = this.known.get(key);
    if (hit !== undefined && this.keys.every((k) => hit.value[k] === value[k])) return hit.json;
    const copy = {} as T;
    for (const k of this.keys) copy[k] = value[k];
    const json = Buffer.from(JSON.stringify(copy), 'utf8');
    if (this.known.size >= FRAGMENTS_MAX) this.known.clear();
    this.known.set(key, { value: copy, json });
    return json;
  }
}

/** Every key of T, in the contract's order: a list that leaves one out does not compile. */
function allKeys<T>() {
  return <const K extends readonly (keyof T)[]>(keys: K & ([keyof T] extends [K[number]] ? unknown : never)): K => keys;
}

const SUMMARY_KEYS = allKeys<CertificateSummary>()(['subject', 'issuer', 'serialHex', 'fingerprintSha256', 'notBefore', 'notAfter']);
const REVOCATION_KEYS = allKeys<RevocationCheckView>()([
  'subject',
  'serialHex',
  'status',
  'source',
  'url',
  'thisUpdate',
  'nextUpdate',
  'producedAt',
  'cached',
  'revokedAt',
  'reason',
  'unknownReason',
  'detail',
]);

const summaries = new FragmentMemo<CertificateSummary>(SUMMARY_KEYS);
const revocations = new FragmentMemo<RevocationCheckView>(REVOCATION_KEYS);

const j = JSON.stringify;
const NULL = Buffer.from('null');
const COMMA = Buffer.from(',');

function summary(s: CertificateSummary | null): Buffer {
  return s === null ? NULL : summaries.json(s.fingerprintSha256, s);
}

function list<T>(items: readonly T[], fragment: (item: T) => Buffer, out: Buffer[]): void {
  items.forEach((item, i) => {
    if (i > 0) out.push(COMMA);
    out.push(fragment(item));
  });
}

/** Compiles only when a destructuring left nothing out: a key added to the contract type must be written here too. */
function allWritten(rest: Record<string, never>): void {
  void rest;
}

function signer(s: SignerReport, out: Buffer[]): void {
  const { verdict, reasons, certificate, signingTime, digestAlgorithm, signatureAlgorithm, signedAttributes, path, checks, revocation, policyOid, type, ...rest } = s;
  allWritten(rest);
  out.push(Buffer.from(`{"verdict":${j(verdict)},"reasons":${j(reasons)},"certificate":`, 'utf8'), summary(certificate));
  out.push(
    Buffer.from(
      `,"signingTime":${j(signingTime)},"digestAlgorithm":${j(digestAlgorithm)},"signatureAlgorithm":${j(signatureAlgorithm)},"signedAttributes":${j(signedAttributes)},"path":[`,
      'utf8',
    ),
  );
  list(path, summary, out);
  out.push(Buffer.from(`],"checks":${j(checks)},"revocation":[`, 'utf8'));
  list(revocation, (v) => revocations.json(`${v.serialHex} ${v.url ?? ''}`, v), out);
  out.push(Buffer.from(`],"policyOid":${j(policyOid)},"type":${j(type)}}`, 'utf8'));
}

/** The report's JSON, UTF-8: the same bytes as Buffer.from(JSON.stringify(report)). */
export function reportJson(r: ValidationReport): Buffer {
  const { verdict, reasons, validationTime, contentType, contentDigest, contentLength, signers, ...rest } = r;
  allWritten(rest);
  const out: Buffer[] = [
    Buffer.from(
      `{"verdict":${j(verdict)},"reasons":${j(reasons)},"validationTime":${j(validationTime)},"contentType":${j(contentType)},"contentDigest":${j(contentDigest)},"contentLength":${j(contentLength)},"signers":[`,
      'utf8',
    ),
  ];
  signers.forEach((x, i) => {
    if (i > 0) out.push(COMMA);
    signer(x, out);
  });
  out.push(Buffer.from(']}'));
  return Buffer.concat(out);
}
