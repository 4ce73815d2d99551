/**
 * parseOcspResponse / parseOcspRequest: a lean DER walk over RFC 6960
 * structures. Strict DER; every failure is PkiError('MALFORMED_OCSP') (or
 * INPUT_TOO_LARGE), never another exception, whatever the input.
 */
import { algorithm, parseCertificate, readExtensions } from '../../cert/parse';
import { readName } from '../../cert/name';
import type { AlgorithmIdentifier, Certificate, Extension } from '../../cert/types';
import { OID } from '../../cert/types';
import {
  bytes,
  checkSize,
  type DerCursor,
  encoded,
  integerBytes,
  readBitString,
  readOid,
  readSingle,
  readSmallInt,
  readTime,
  Tag,
  type Tlv,
  enterSingleSequence,
} from '../../der';
import { PkiError } from '../../errors';
import { REVOCATION_REASONS } from '../types';
import {
  type BasicOcspResponse,
  type CertId,
  type CertIdHash,
  OCSP_OID,
  OCSP_RESPONSE_STATUS,
  type OcspCertStatus,
  type OcspRequestInfo,
  type OcspResponse,
  type OcspSingleResponse,
  type ResponderId,
} from './types';

export interface ParseOcspOptions {
  /** Reject larger inputs with INPUT_TOO_LARGE. Default 1 MiB. */
  maxBytes?: number;
  /** At most this many SingleResponses (and certificates). Default 10,000. */
  maxEntries?: number;
}

export const DEFAULT_MAX_OCSP_BYTES = 1024 * 1024;

const HASH_BY_OID: Readonly<Record<string, CertIdHash>> = {
  [OID.sha1]: 'sha1',
  [OID.sha224]: 'sha224',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

export function parseOcspResponse(der: Uint8Array, opts: ParseOcspOptions = {}): OcspResponse {
  checkSize(der.length, opts.maxBytes ?? DEFAULT_MAX_OCSP_BYTES, 'OCSP response');
  return guarded('OCSP response', () => walkResponse(der, opts.maxEntries ?? 10_000));
}

export function parseOcspRequest(der: Uint8Array, opts: ParseOcspOptions = {}): OcspRequestInfo {
  checkSize(der.length, opts.maxBytes ?? DEFAULT_MAX_OCSP_BYTES, 'OCSP request');
  return guarded('OCSP request', () => walkRequest(der, opts.maxEntries ?? 10_000));
}

function guarded<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof PkiError) {
      if (e.code === 'MALFORMED_OCSP' || e.code === 'INPUT_TOO_LARGE') throw e;
      throw new PkiError('MALFORMED_OCSP', `${what}: ${e.message}`, { cause: e.code, ...e.details });
    }
    // defensive: the walk throws only PkiErrors
    throw new PkiError('MALFORMED_OCSP', `${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function bad(message: string, offset?: number): PkiError {
  return new PkiError('MALFORMED_OCSP', message, offset === undefined ? undefined : { offset });
}

const CTX0 = 0xa0;
const CTX1 = 0xa1;
const CTX2 = 0xa2;

function walkResponse(buf: Uint8Array, maxEntries: number): OcspResponse {
  const c = enterSingleSequence(buf, 'OCSPResponse');
  const stTlv = c.expect(Tag.ENUMERATED, 'responseStatus');
  const code = readSmallInt(buf, stTlv);
  const responseStatus = OCSP_RESPONSE_STATUS[code];
  if (responseStatus === undefined) throw bad(`unknown responseStatus ${code}`, stTlv.start);
  const rbTlv = c.optional(CTX0);
  c.done('OCSPResponse');
  if (responseStatus !== 'successful') {
    // RFC 6960 §4.2.1: responseBytes only with a successful status; tolerate and ignore them
    return { responseStatus, der: buf };
  }
  if (!rbTlv) throw bad('successful response without responseBytes', 0);
  const rbOuter = c.enter(rbTlv);
  const rb = rbOuter.enter(rbOuter.expect(Tag.SEQUENCE, 'ResponseBytes'));
  rbOuter.done('responseBytes');
  const responseType = readOid(buf, rb.expect(Tag.OID, 'responseType'));
  const respTlv = rb.expect(Tag.OCTET_STRING, 'response');
  rb.done('ResponseBytes');
  if (responseType !== OCSP_OID.basic) throw bad(`unsupported responseType ${responseType}`, rbTlv.start);
  const inner = bytes(buf, respTlv);
  const basic = walkBasic(inner, maxEntries);
  return { responseStatus, responseType, basic, der: buf };
}

function walkBasic(buf: Uint8Array, maxEntries: number): BasicOcspResponse {
  const c = enterSingleSequence(buf, 'BasicOCSPResponse');
  const tbsTlv = c.expect(Tag.SEQUENCE, 'tbsResponseData');
  const signatureAlgorithm = algorithm(buf, c.expect(Tag.SEQUENCE, 'signatureAlgorithm'), c);
  const sig = readBitString(buf, c.expect(Tag.BIT_STRING, 'signature'));
  if (sig.unusedBits !== 0) throw bad('signature BIT STRING with unused bits');
  const certs: Uint8Array[] = [];
  const certsTlv = c.optional(CTX0);
  if (certsTlv) {
    const outer = c.enter(certsTlv);
    const seqTlv = outer.expect(Tag.SEQUENCE, 'certs');
    outer.done('certs');
    const list = outer.enter(seqTlv);
    while (!list.atEnd()) {
      if (certs.length >= maxEntries) throw bad(`more than ${maxEntries} certificates`);
      const t = list.expect(Tag.SEQUENCE, 'Certificate');
      certs.push(encoded(buf, t).slice());
    }
  }
  c.done('BasicOCSPResponse');

  const t = c.enter(tbsTlv);
  let version = 0;
  const vTlv = t.optional(CTX0);
  if (vTlv) {
    const vc = t.enter(vTlv);
    version = readSmallInt(buf, vc.expect(Tag.INTEGER, 'version'));
    vc.done('version');
    if (version !== 0) throw bad(`unknown ResponseData version ${version}`, vTlv.start);
  }
  const responderId = readResponderId(buf, t);
  const producedAt = readGeneralizedTime(buf, t.expect(Tag.GENERALIZED_TIME, 'producedAt'));
  const respSeq = t.expect(Tag.SEQUENCE, 'responses');
  const responses: OcspSingleResponse[] = [];
  const rc = t.enter(respSeq);
  while (!rc.atEnd()) {
    if (responses.length >= maxEntries) throw bad(`more than ${maxEntries} SingleResponses`);
    responses.push(readSingleResponse(buf, rc.expect(Tag.SEQUENCE, 'SingleResponse'), rc));
  }
  const responseExtensions: Extension[] = [];
  const extTlv = t.optional(CTX1);
  if (extTlv) readExplicitExtensions(buf, extTlv, t, responseExtensions);
  t.done('ResponseData');

  const parsedCerts: Certificate[] = [];
  let unparsedCerts = 0;
  for (const d of certs) {
    try {
      parsedCerts.push(parseCertificate(d));
    } catch {
      unparsedCerts++;
    }
  }
  const nonceExt = responseExtensions.find((e) => e.oid === OCSP_OID.nonce);
  return {
    tbsResponseData: encoded(buf, tbsTlv),
    version,
    responderId,
    producedAt,
    responses,
    responseExtensions,
    ...(nonceExt ? { nonce: nonceExt.value } : {}),
    signatureAlgorithm,
    signature: sig.bytes,
    certs,
    parsedCerts,
    unparsedCerts,
  };
}

function readResponderId(buf: Uint8Array, t: DerCursor): ResponderId {
  const tag = t.peekTag();
  if (tag === CTX1) {
    const o = t.enter(t.next());
    const name = readName(buf, o.expect(Tag.SEQUENCE, 'responderID byName'), o);
    o.done('responderID');
    return { type: 'byName', name };
  }
  if (tag === CTX2) {
    const o = t.enter(t.next());
    const keyHash = bytes(buf, o.expect(Tag.OCTET_STRING, 'responderID byKey'));
    o.done('responderID');
    return { type: 'byKey', keyHash };
  }
  throw bad(`responderID: unexpected tag 0x${tag.toString(16)}`, t.pos);
}

function readGeneralizedTime(buf: Uint8Array, tlv: Tlv): number {
  return readTime(buf, tlv);
}

function readSingleResponse(buf: Uint8Array, tlv: Tlv, parent: DerCursor): OcspSingleResponse {
  const c = parent.enter(tlv);
  const certId = readCertId(buf, c.expect(Tag.SEQUENCE, 'certID'), c);
  const certStatus = readCertStatus(buf, c);
  const thisUpdate = readGeneralizedTime(buf, c.expect(Tag.GENERALIZED_TIME, 'thisUpdate'));
  let nextUpdate: number | undefined;
  const nuTlv = c.optional(CTX0);
  if (nuTlv) {
    const n = c.enter(nuTlv);
    nextUpdate = readGeneralizedTime(buf, n.expect(Tag.GENERALIZED_TIME, 'nextUpdate'));
    n.done('nextUpdate');
  }
  const singleExtensions: Extension[] = [];
  const extTlv = c.optional(CTX1);
  if (extTlv) readExplicitExtensions(buf, extTlv, c, singleExtensions);
  c.done('SingleResponse');
  if (certStatus.status === 'revoked') {
    for (const e of singleExtensions) {
      if (e.oid === OCSP_OID.crlReason && certStatus.reasonCode === undefined) {
        const code = readEnumeratedValue(e.value, 'crlReason extension');
        certStatus.reasonCode = code;
        const r = REVOCATION_REASONS[code];
        if (r) certStatus.reason = r;
      } else if (e.oid === OCSP_OID.invalidityDate) {
        const v = e.value;
        const it = readSingle(v, 'invalidityDate');
        if (it.tag !== Tag.GENERALIZED_TIME) throw bad('invalidityDate: expected GeneralizedTime');
        certStatus.invalidityDate = readTime(v, it);
      }
    }
  }
  const out: OcspSingleResponse = { certId, certStatus, thisUpdate, singleExtensions };
  if (nextUpdate !== undefined) out.nextUpdate = nextUpdate;
  return out;
}

function readEnumeratedValue(v: Uint8Array, what: string): number {
  const tlv = readSingle(v, what);
  if (tlv.tag !== Tag.ENUMERATED) throw bad(`${what}: expected ENUMERATED`);
  return readSmallInt(v, tlv);
}

function readCertStatus(buf: Uint8Array, c: DerCursor): OcspCertStatus {
  const tag = c.peekTag();
  if (tag === 0x80) {
    const t = c.next();
    if (t.valueEnd !== t.valueStart) throw bad('certStatus good: NULL with content', t.start);
    return { status: 'good' };
  }
  if (tag === 0x82) {
    const t = c.next();
    if (t.valueEnd !== t.valueStart) throw bad('certStatus unknown: NULL with content', t.start);
    return { status: 'unknown' };
  }
  if (tag === CTX1) {
    const r = c.enter(c.next());
    const revokedAt = readGeneralizedTime(buf, r.expect(Tag.GENERALIZED_TIME, 'revocationTime'));
    const out: OcspCertStatus = { status: 'revoked', revokedAt };
    const rTlv = r.optional(CTX0);
    if (rTlv) {
      const rc = r.enter(rTlv);
      const code = readSmallInt(buf, rc.expect(Tag.ENUMERATED, 'revocationReason'));
      rc.done('revocationReason');
      out.reasonCode = code;
      const reason = REVOCATION_REASONS[code];
      if (reason) out.reason = reason;
    }
    r.done('RevokedInfo');
    return out;
  }
  throw bad(`certStatus: unexpected tag 0x${tag.toString(16)}`, c.pos);
}

export function readCertId(buf: Uint8Array, tlv: Tlv, parent: DerCursor): CertId {
  const c = parent.enter(tlv);
  const hashAlgorithm: AlgorithmIdentifier = algorithm(buf, c.expect(Tag.SEQUENCE, 'hashAlgorithm'), c);
  const issuerNameHash = bytes(buf, c.expect(Tag.OCTET_STRING, 'issuerNameHash'));
  const issuerKeyHash = bytes(buf, c.expect(Tag.OCTET_STRING, 'issuerKeyHash'));
  const serial = integerBytes(buf, c.expect(Tag.INTEGER, 'serialNumber'));
  c.done('CertID');
  const known = HASH_BY_OID[hashAlgorithm.oid];
  // parameters: absent or NULL
  const paramsOk = !hashAlgorithm.params || (hashAlgorithm.params.length === 2 && hashAlgorithm.params[0] === Tag.NULL && hashAlgorithm.params[1] === 0);
  return { hash: known && paramsOk ? known : 'unsupported', hashAlgorithm, issuerNameHash, issuerKeyHash, serial, der: encoded(buf, tlv) };
}

function readExplicitExtensions(buf: Uint8Array, tlv: Tlv, parent: DerCursor, out: Extension[]): void {
  const o = parent.enter(tlv);
  const seqTlv = o.expect(Tag.SEQUENCE, 'Extensions');
  o.done('extensions');
  readExtensions(buf, seqTlv, o, out, (oid, offset) => bad(`extension ${oid} appears twice`, offset));
}

function walkRequest(buf: Uint8Array, maxEntries: number): OcspRequestInfo {
  const c = enterSingleSequence(buf, 'OCSPRequest');
  const tbs = c.enter(c.expect(Tag.SEQUENCE, 'tbsRequest'));
  const signed = c.optional(CTX0) !== undefined;
  c.done('OCSPRequest');
  let version = 0;
  const vTlv = tbs.optional(CTX0);
  if (vTlv) {
    const vc = tbs.enter(vTlv);
    version = readSmallInt(buf, vc.expect(Tag.INTEGER, 'version'));
    vc.done('version');
  }
  tbs.optional(CTX1); // requestorName
  const list = tbs.enter(tbs.expect(Tag.SEQUENCE, 'requestList'));
  const certIds: CertId[] = [];
  while (!list.atEnd()) {
    if (certIds.length >= maxEntries) throw bad(`more than ${maxEntries} requests`);
    const r = list.enter(list.expect(Tag.SEQUENCE, 'Request'));
    certIds.push(readCertId(buf, r.expect(Tag.SEQUENCE, 'reqCert'), r));
    const se = r.optional(CTX0);
    if (se) readExplicitExtensions(buf, se, r, []);
    r.done('Request');
  }
  const requestExtensions: Extension[] = [];
  const ext = tbs.optional(CTX2);
  if (ext) readExplicitExtensions(buf, ext, tbs, requestExtensions);
  tbs.done('TBSRequest');
  const nonceExt = requestExtensions.find((e) => e.oid === OCSP_OID.nonce);
  return { version, certIds, requestExtensions, ...(nonceExt ? { nonce: nonceExt.value } : {}), signed };
}
