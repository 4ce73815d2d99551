/**
 * A ValidationReport as the UTF-8 bytes of its JSON: the very bytes Fastify's
 * default serializer sent (JSON.stringify of the report as it came), made
 * cheaper.
 *
 * A report is some 4 KB, and most of it repeats from one request to the next
 * for the same signer: the certificate summaries of the path, the checks, the
 * revocation views. The summaries and views also carry the subjects, usually
 * Korean, which make the whole JSON text two-byte, so that sending it as a
 * string costs a UTF-8 length, a copy into the header block and a UTF-8
 * encoding of the whole. So the JSON of those parts is remembered as UTF-8
 * bytes (FragmentMemo), found again by the certificate's fingerprint (or
 * serial and responder) and used only when the part has the same keys in the
 * same order with the same values as the one it was made from; the rest is
 * JSON.stringify'd per request, and the bytes go out beside the headers.
 *
 * The report's and each signer's keys are written by name, in the contract's
 * order (the verifier builds them so); the compiler checks that none is left
 * out (allWritten).
 */
import type { SignerReport, ValidationReport } from '@jointcert/contracts';

/** Fragments kept (at most a few KB each); when full, the memory starts again. */
const FRAGMENTS_MAX = 2_000;

/** A flat object's own keys and values in JSON.stringify's order (for-in: a plain object has no inherited enumerable keys). */
interface Shape {
  keys: string[];
  values: unknown[];
}

/** The shape of a plain object whose values are all primitives; undefined for anything else (it is never remembered). */
function shapeOf(o: unknown): Shape | undefined {
  if (typeof o !== 'object' || o === null || Object.getPrototypeOf(o) !== Object.prototype) return undefined;
  const keys: string[] = [];
  const values: unknown[] = [];
  for (const k in o) {
    const v = (o as Record<string, unknown>)[k];
    if (typeof v === 'object' ? v !== null : typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') return undefined;
    keys.push(k);
    values.push(v);
  }
  return { keys, values };
}

function sameShape(s: Shape, o: object): boolean {
  if (Object.getPrototypeOf(o) !== Object.prototype) return false;
  let i = 0;
  for (const k in o) {
    if (k !== s.keys[i] || (o as Record<string, unknown>)[k] !== s.values[i]) return false;
    i++;
  }
  return i === s.keys.length;
}

/**
 * UTF-8 JSON of a flat object, or of an array of them, remembered under a key
 * and answered from memory only for a value with the same keys, order and
 * (primitive) values: exactly what JSON.stringify would write again.
 */
class FragmentMemo {
  private readonly known = new Map<string, { array: boolean; shapes: Shape[]; json: Buffer }>();

  json(key: string, value: object): Buffer {
    const array = Array.isArray(value);
    const items: readonly object[] = array ? value : [value];
    const hit = this.known.get(key);
    if (hit !== undefined && hit.array === array && hit.shapes.length === items.length && items.every((item, i) => sameShape(hit.shapes[i]!, item))) return hit.json;
    const json = Buffer.from(JSON.stringify(value), 'utf8');
    const shapes = items.map(shapeOf);
    if (shapes.every((x) => x !== undefined)) {
      if (this.known.size >= FRAGMENTS_MAX) this.known.clear();
      this.known.set(key, { array, shapes, json });
    }
    return json;
  }
}

const fragments = new FragmentMemo();

const j = JSON.stringify;

/** The JSON text of a report being written: text, remembered fragments between, then one Buffer. */
class Out {
  private readonly parts: Array<string | Buffer> = [];
  private text = '';

  add(text: string): void {
    this.text += text;
  }

  fragment(json: Buffer): void {
    this.parts.push(this.text, json);
    this.text = '';
  }

  /** The whole as UTF-8, written into one allocation. */
  bytes(): Buffer {
    this.parts.push(this.text);
    let size = 0;
    for (const p of this.parts) size += typeof p === 'string' ? Buffer.byteLength(p, 'utf8') : p.length;
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    for (const p of this.parts) at += typeof p === 'string' ? out.write(p, at, 'utf8') : p.copy(out, at);
    return out;
  }
}

/** Compiles only when a destructuring left nothing out: a key added to the contract type must be written here too. */
function allWritten(rest: Record<string, never>): void {
  void rest;
}

function summary(s: SignerReport['certificate'], out: Out): void {
  if (s === null) out.add('null');
  else out.fragment(fragments.json(`summary ${s.fingerprintSha256}`, s));
}

function signer(s: SignerReport, out: Out): void {
  const { verdict, reasons, certificate, signingTime, digestAlgorithm, signatureAlgorithm, signedAttributes, path, checks, revocation, policyOid, type, ...rest } = s;
  allWritten(rest);
  out.add(`{"verdict":${j(verdict)},"reasons":${j(reasons)},"certificate":`);
  summary(certificate, out);
  out.add(`,"signingTime":${j(signingTime)},"digestAlgorithm":${j(digestAlgorithm)},"signatureAlgorithm":${j(signatureAlgorithm)},"signedAttributes":${j(signedAttributes)},"path":[`);
  path.forEach((c, i) => {
    if (i > 0) out.add(',');
    summary(c, out);
  });
  out.add('],"checks":');
  out.fragment(fragments.json(`checks ${certificate?.fingerprintSha256 ?? ''}`, checks));
  out.add(',"revocation":[');
  revocation.forEach((v, i) => {
    if (i > 0) out.add(',');
    out.fragment(fragments.json(`revocation ${v.serialHex} ${v.url ?? ''}`, v));
  });
  out.add(`],"policyOid":${j(policyOid)},"type":${j(type)}}`);
}

/** The report's JSON, UTF-8: the same bytes as Buffer.from(JSON.stringify(report)). */
export function reportJson(r: ValidationReport): Buffer {
  const { verdict, reasons, validationTime, contentType, contentDigest, contentLength, signers, ...rest } = r;
  allWritten(rest);
  const out = new Out();
  out.add(
    `{"verdict":${j(verdict)},"reasons":${j(reasons)},"validationTime":${j(validationTime)},"contentType":${j(contentType)},"contentDigest":${j(contentDigest)},"contentLength":${j(contentLength)},"signers":[`,
  );
  signers.forEach((x, i) => {
    if (i > 0) out.add(',');
    signer(x, out);
  });
  out.add(']}');
  return out.bytes();
}
