/**
 * A ValidationReport as the UTF-8 bytes of its JSON: the very bytes Fastify's
 * default serializer sent (JSON.stringify of the report as it came), made
 * cheaper.
 *
 * A report is some 4 KB, and nearly all of it is its signers, which repeat
 * from one request to the next for the same signer: the certificate
 * summaries of the path, the checks, the revocation views. They also carry
 * the subjects, usually Korean, which make the whole JSON text two-byte, so
 * that sending it as a string costs a UTF-8 length, a copy into the header
 * block and a UTF-8 encoding of the whole. So the JSON of a signer is
 * remembered as UTF-8 bytes, found again by its certificate's fingerprint,
 * and used only for a signer whose every value but its signingTime (which
 * changes with each document, and is written per request between the two
 * remembered halves) is the same as the one it was made from: the same keys
 * in the same order with the same values, all the way down (matches), so
 * exactly what JSON.stringify would write again. The report's own few fields
 * are JSON.stringify'd per request, and the bytes go out beside the headers
 * as one Buffer.
 *
 * The report's and each signer's keys are written by name, in the contract's
 * order (the verifier builds them so); the compiler checks that none is left
 * out (allWritten).
 */
import type { SignerReport, ValidationReport } from '@jointcert/contracts';

/** Signers kept (a few KB each); when full, the memory starts again. */
const SIGNERS_MAX = 2_000;

const j = JSON.stringify;

/*
 * What a remembered signer was written from, as shapes to match a later
 * signer against without allocating: a plain object's keys in
 * JSON.stringify's order with their values' shapes, an array's items', a
 * primitive itself. Only plain data has a shape (objects whose prototype is
 * Object.prototype, arrays, strings, finite numbers, booleans, null,
 * undefined); anything else (a toJSON, a class instance, a function) makes
 * the signer one that is never remembered.
 */
class ObjectShape {
  constructor(
    readonly keys: readonly string[],
    readonly values: readonly Shape[],
  ) {}
}
class ArrayShape {
  constructor(readonly items: readonly Shape[]) {}
}
type Shape = ObjectShape | ArrayShape | string | number | boolean | null | undefined;

const NOT_PLAIN = Symbol('not plain data');

function shapeOf(v: unknown): Shape | typeof NOT_PLAIN {
  switch (typeof v) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : NOT_PLAIN;
    case 'object': {
      if (v === null) return null;
      if (Array.isArray(v)) {
        if (Object.getPrototypeOf(v) !== Array.prototype) return NOT_PLAIN;
        const items: Shape[] = [];
        for (let i = 0; i < v.length; i++) {
          const x = shapeOf(v[i]);
          if (x === NOT_PLAIN) return NOT_PLAIN;
          items.push(x);
        }
        return new ArrayShape(items);
      }
      if (Object.getPrototypeOf(v) !== Object.prototype) return NOT_PLAIN;
      const keys: string[] = [];
      const values: Shape[] = [];
      // for-in: own enumerable keys in JSON.stringify's order (a plain object inherits none)
      for (const k in v) {
        const x = shapeOf((v as Record<string, unknown>)[k]);
        if (x === NOT_PLAIN) return NOT_PLAIN;
        keys.push(k);
        values.push(x);
      }
      return new ObjectShape(keys, values);
    }
    case 'bigint':
    case 'function':
    case 'symbol':
      return NOT_PLAIN;
  }
}

/** Whether `v` is the plain data `s` was taken from, key order included: then JSON.stringify writes both alike. */
function matches(s: Shape, v: unknown): boolean {
  if (s instanceof ObjectShape) {
    if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return false;
    let i = 0;
    for (const k in v) {
      if (k !== s.keys[i] || !matches(s.values[i], (v as Record<string, unknown>)[k])) return false;
      i++;
    }
    return i === s.keys.length;
  }
  if (s instanceof ArrayShape) {
    if (!Array.isArray(v) || v.length !== s.items.length || Object.getPrototypeOf(v) !== Array.prototype) return false;
    for (let i = 0; i < v.length; i++) if (!matches(s.items[i], v[i])) return false;
    return true;
  }
  return s === v;
}

/** A signer's JSON, UTF-8, before and after its signingTime's value, and the shapes of every other value it was written from (COMPARED's order; none when not plain data). */
interface SignerJson {
  head: Buffer;
  tail: Buffer;
  from: readonly Shape[] | undefined;
}

/** Every key but signingTime: what a remembered signer must match. */
const COMPARED = ['verdict', 'reasons', 'certificate', 'digestAlgorithm', 'signatureAlgorithm', 'signedAttributes', 'path', 'checks', 'revocation', 'policyOid', 'type'] as const;

function shapesOf(s: SignerReport): Shape[] | undefined {
  const out: Shape[] = [];
  for (const k of COMPARED) {
    const x = shapeOf(s[k]);
    if (x === NOT_PLAIN) return undefined;
    out.push(x);
  }
  return out;
}

function sameSigner(from: readonly Shape[], s: SignerReport): boolean {
  for (let i = 0; i < COMPARED.length; i++) if (!matches(from[i], s[COMPARED[i]!])) return false;
  return true;
}

/** Compiles only when a destructuring left nothing out: a key added to the contract type must be written here too. */
function allWritten(rest: Record<string, never>): void {
  void rest;
}

function write(s: SignerReport): SignerJson {
  const { verdict, reasons, certificate, signingTime, digestAlgorithm, signatureAlgorithm, signedAttributes, path, checks, revocation, policyOid, type, ...rest } = s;
  void signingTime; // written per request, between head and tail
  allWritten(rest);
  const head = `{"verdict":${j(verdict)},"reasons":${j(reasons)},"certificate":${j(certificate)},"signingTime":`;
  const tail = `,"digestAlgorithm":${j(digestAlgorithm)},"signatureAlgorithm":${j(signatureAlgorithm)},"signedAttributes":${j(signedAttributes)},"path":${j(path)},"checks":${j(checks)},"revocation":${j(revocation)},"policyOid":${j(policyOid)},"type":${j(type)}}`;
  return { head: Buffer.from(head, 'utf8'), tail: Buffer.from(tail, 'utf8'), from: shapesOf(s) };
}

class SignerMemo {
  private known = new Map<string, SignerJson>();

  json(s: SignerReport): SignerJson {
    const key = s.certificate?.fingerprintSha256;
    if (typeof key !== 'string') return write(s);
    const hit = this.known.get(key);
    if (hit !== undefined && sameSigner(hit.from!, s)) return hit;
    const made = write(s);
    if (made.from === undefined) return made;
    if (this.known.size >= SIGNERS_MAX) this.known = new Map();
    this.known.set(key, made);
    return made;
  }
}

const signers = new SignerMemo();

/**
 * Response buffers cut from 32 KiB slabs, as Buffer.allocUnsafe cuts small
 * ones from its 8 KiB pool — but a report (~4 KB) is too big for that pool,
 * so each took a new pool's worth. Every slice is handed out once (never
 * reused: a slab lives while any of its slices does), and is fully written
 * before it is sent.
 */
class Slab {
  private static readonly SIZE = 32 * 1024;
  private buf = Buffer.allocUnsafeSlow(0);
  private used = 0;

  take(size: number): Buffer {
    if (size > Slab.SIZE / 4) return Buffer.allocUnsafe(size);
    if (this.used + size > this.buf.length) {
      this.buf = Buffer.allocUnsafeSlow(Slab.SIZE);
      this.used = 0;
    }
    const out = this.buf.subarray(this.used, this.used + size);
    // the next slice starts on an 8-byte boundary, as the pool's do
    this.used += (size + 7) & ~7;
    return out;
  }
}

const slab = new Slab();

/** The report's JSON, UTF-8: the same bytes as Buffer.from(JSON.stringify(report)). */
export function reportJson(r: ValidationReport): Buffer {
  const { verdict, reasons, validationTime, contentType, contentDigest, contentLength, signers: list, ...rest } = r;
  allWritten(rest);
  // text and remembered bytes in turn: text, [head, text, tail, text]*
  const parts: Array<string | Buffer> = [];
  let text = `{"verdict":${j(verdict)},"reasons":${j(reasons)},"validationTime":${j(validationTime)},"contentType":${j(contentType)},"contentDigest":${j(contentDigest)},"contentLength":${j(contentLength)},"signers":[`;
  for (let i = 0; i < list.length; i++) {
    const s = list[i]!;
    const { head, tail } = signers.json(s);
    parts.push(i > 0 ? `${text},` : text, head, `${j(s.signingTime)}`, tail);
    text = '';
  }
  parts.push(`${text}]}`);
  let size = 0;
  for (const p of parts) size += typeof p === 'string' ? Buffer.byteLength(p, 'utf8') : p.length;
  const out = slab.take(size);
  let at = 0;
  for (const p of parts) at += typeof p === 'string' ? out.write(p, at, 'utf8') : p.copy(out, at);
  return out;
}
