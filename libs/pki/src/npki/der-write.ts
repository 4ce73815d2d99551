/**
 * Minimal DER encoders for the few structures libs/pki/src/npki writes
 * (EncryptedPrivateKeyInfo, PKCS#8 attributes, IdentifyData, HashContent).
 * Interim: to be replaced by a general writer in ../der once one lands.
 * Each function returns the complete encoding of one element.
 */
import { PkiError } from '../errors';
import { encodeOidContent, Tag } from '../der';

function lengthOctets(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  while (n > 0) {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return [0x80 | out.length, ...out];
}

/** One element from its identifier octet and content. */
export function tlv(tag: number, ...content: Uint8Array[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag, ...lengthOctets(body.length)]), body]);
}

export function seq(...items: Uint8Array[]): Buffer {
  return tlv(Tag.SEQUENCE, ...items);
}

/** SET OF with its elements sorted by encoding, as DER requires. */
export function setOf(...items: Uint8Array[]): Buffer {
  return tlv(Tag.SET, ...sortDer(items));
}

/** Encodings in DER SET OF order (ascending, as octet strings). */
export function sortDer(items: Uint8Array[]): Uint8Array[] {
  return [...items].sort((a, b) => Buffer.compare(a, b));
}

export function oid(dotted: string): Buffer {
  return tlv(Tag.OID, encodeOidContent(dotted));
}

export function octetString(b: Uint8Array): Buffer {
  return tlv(Tag.OCTET_STRING, b);
}

/** BIT STRING of whole octets (no unused bits). */
export function bitString(b: Uint8Array): Buffer {
  return tlv(Tag.BIT_STRING, Uint8Array.of(0), b);
}

export function derNull(): Buffer {
  return Buffer.from([Tag.NULL, 0]);
}

/** A non-negative INTEGER. */
export function integer(n: number | bigint): Buffer {
  let v = BigInt(n);
  if (v < 0n) throw new PkiError('INVALID_ARGUMENT', 'negative INTEGER not supported by this writer');
  const out: number[] = [];
  do {
    out.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (v > 0n);
  if (out[0]! & 0x80) out.unshift(0);
  return tlv(Tag.INTEGER, Uint8Array.from(out));
}

export function utf8String(s: string): Buffer {
  return tlv(Tag.UTF8_STRING, Buffer.from(s, 'utf8'));
}

export function printableString(s: string): Buffer {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s)) throw new PkiError('INVALID_ARGUMENT', 'not a PrintableString');
  return tlv(Tag.PRINTABLE_STRING, Buffer.from(s, 'latin1'));
}

/** [n] EXPLICIT wrapping one element. */
export function explicit(n: number, inner: Uint8Array): Buffer {
  return tlv(0xa0 | n, inner);
}

/** AlgorithmIdentifier; `params` omitted when undefined. */
export function algorithmId(dotted: string, params?: Uint8Array): Buffer {
  return params === undefined ? seq(oid(dotted)) : seq(oid(dotted), params);
}
