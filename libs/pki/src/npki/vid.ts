/**
 * Identity check (본인확인) with the NPKI VID: the subjectAltName otherName
 * identifyData (1.2.410.200004.10.1.1) carries the holder's real name and
 * virtualID = H(H(DER(HashContent{idn, randomNum}))), where idn is the
 * resident or business registration number and randomNum the R from the
 * private key file (see keyfile.ts).
 *
 *   IdentifyData ::= SEQUENCE { realName UTF8String,
 *                               userInfos SEQUENCE OF SEQUENCE { type OID, value VID } }
 *   VID ::= SEQUENCE { hashAlg AlgorithmIdentifier, virtualID [0] EXPLICIT OCTET STRING }
 *   HashContent ::= SEQUENCE { idn PrintableString, randomNum BIT STRING }
 *
 * Tolerated variants: realName in any string type, a single userInfo not
 * wrapped in SEQUENCE OF, virtualID as a bare or [0] IMPLICIT OCTET STRING,
 * hash parameters absent (the usual case) or NULL. Unknown userInfo types are skipped.
 *
 * idn normalisation (our reading of an unconfirmed rule): hyphens and spaces
 * are removed, then exactly 10 digits (business registration number) or 13
 * digits (resident registration number) must remain.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { PkiError } from '../errors';
import { bitString, bytes, type DerCursor, derCursor, explicit, nul, octets, oid, printable, readOid, readString, seq, Tag, utf8 } from '../der';
import { type Certificate, OID } from '../cert/types';

/** AlgorithmIdentifier; parameters omitted when undefined. */
function algorithmId(dotted: string, params?: Uint8Array): Buffer {
  return params === undefined ? seq(oid(dotted)) : seq(oid(dotted), params);
}

export type VidHash = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

const HASH_OIDS: Record<VidHash, string> = {
  sha1: OID.sha1,
  sha224: OID.sha224,
  sha256: OID.sha256,
  sha384: OID.sha384,
  sha512: OID.sha512,
};

export interface Vid {
  /** The hash named by hashAlg, or 'unknown' (then hashOid says which). */
  hashAlgorithm: VidHash | 'unknown';
  hashOid: string;
  /** True when hashAlg carried an explicit NULL parameter. */
  hashParamsNull: boolean;
  virtualID: Buffer;
}

export interface IdentifyData {
  realName: string;
  vids: Vid[];
}

function malformed(message: string): PkiError {
  return new PkiError('MALFORMED_EXTENSION', `identifyData: ${message}`);
}

/**
 * Parse the identifyData otherName value (the DER inside its [0] EXPLICIT).
 * Throws MALFORMED_EXTENSION.
 */
export function parseIdentifyData(otherNameValue: Uint8Array): IdentifyData {
  try {
    return walk(otherNameValue);
  } catch (e) {
    if (e instanceof PkiError && e.code !== 'MALFORMED_EXTENSION') throw malformed(e.message);
    throw e;
  }
}

function walk(buf: Uint8Array): IdentifyData {
  const top = derCursor(buf);
  const outer = top.expect(Tag.SEQUENCE, 'IdentifyData');
  top.done('IdentifyData');
  const c = top.enter(outer);
  const realName = readString(buf, c.next());
  const vids: Vid[] = [];
  const infos = c.enter(c.expect(Tag.SEQUENCE, 'userInfos'));
  c.done('IdentifyData');
  if (infos.peekTag() === Tag.OID) {
    // a single userInfo without the SEQUENCE OF wrapper
    readUserInfo(buf, infos, vids);
  } else {
    while (!infos.atEnd()) {
      const ui = infos.enter(infos.expect(Tag.SEQUENCE, 'userInfo'));
      readUserInfo(buf, ui, vids);
    }
  }
  return { realName, vids };
}

function readUserInfo(buf: Uint8Array, ui: DerCursor, vids: Vid[]): void {
  const type = readOid(buf, ui.expect(Tag.OID, 'userInfo.type'));
  if (type !== OID.npkiVid) return; // other user information: not ours to interpret
  const v = ui.enter(ui.expect(Tag.SEQUENCE, 'VID'));
  ui.done('userInfo');
  const alg = v.enter(v.expect(Tag.SEQUENCE, 'VID.hashAlg'));
  const hashOid = readOid(buf, alg.expect(Tag.OID, 'VID.hashAlg.algorithm'));
  const hashParamsNull = alg.optional(Tag.NULL) !== undefined;
  alg.done('VID.hashAlg');
  let id: Uint8Array;
  const t = v.peekTag();
  if (t === 0xa0) {
    const inner = v.enter(v.next());
    id = bytes(buf, inner.expect(Tag.OCTET_STRING, 'virtualID'));
    inner.done('virtualID');
  } else if (t === Tag.OCTET_STRING || t === 0x80) {
    id = bytes(buf, v.next());
  } else {
    throw malformed('missing virtualID');
  }
  v.done('VID');
  if (id.length === 0 || id.length > 64) throw malformed(`virtualID of ${id.length} bytes`);
  const name = (Object.keys(HASH_OIDS) as VidHash[]).find((h) => HASH_OIDS[h] === hashOid);
  vids.push({ hashAlgorithm: name ?? 'unknown', hashOid, hashParamsNull, virtualID: Buffer.from(id) });
}

/** The certificate's identifyData; throws NO_IDENTIFY_DATA when the SAN has none. */
export function identifyDataOf(cert: Pick<Certificate, 'ext'>): IdentifyData {
  const gn = cert.ext.subjectAltName?.find((n) => n.type === 'otherName' && n.typeId === OID.npkiIdentifyData);
  if (gn === undefined || gn.type !== 'otherName') throw new PkiError('NO_IDENTIFY_DATA', 'the certificate has no identifyData in its subjectAltName');
  return parseIdentifyData(gn.value);
}

// --- VID computation ------------------------------------------------------------------

export type IdnCheck = { ok: true; idn: string } | { ok: false; reason: 'IDN_MALFORMED' };

/** Strip hyphens and spaces; require 10 or 13 ASCII digits. */
export function normalizeIdn(idn: string): IdnCheck {
  const s = idn.replace(/[-\s]/g, '');
  return /^(?:\d{10}|\d{13})$/.test(s) ? { ok: true, idn: s } : { ok: false, reason: 'IDN_MALFORMED' };
}

/** DER of HashContent { idn PrintableString, randomNum BIT STRING } (idn taken as given). */
export function hashContent(idn: string, randomNum: Uint8Array): Buffer {
  return seq(printable(idn), bitString(randomNum));
}

/**
 * virtualID = H(H(DER(HashContent))). The idn is normalised first
 * (INVALID_ARGUMENT when malformed); randomNum must be non-empty.
 */
export function computeVid(idn: string, randomNum: Uint8Array, hash: VidHash): Buffer {
  const n = normalizeIdn(idn);
  if (!n.ok) throw new PkiError('INVALID_ARGUMENT', 'idn must be 10 or 13 digits (hyphens and spaces ignored)');
  if (randomNum.length === 0) throw new PkiError('INVALID_ARGUMENT', 'randomNum must not be empty');
  const inner = createHash(hash).update(hashContent(n.idn, randomNum)).digest();
  return createHash(hash).update(inner).digest();
}

export type VidCheck =
  | { ok: true; hash: VidHash }
  | { ok: false; reason: 'VID_MISMATCH' | 'IDN_MALFORMED' | 'RANDOM_NUM_MISSING' | 'NO_VID' | 'HASH_UNSUPPORTED' };

/**
 * Check an idn and R against the certificate's VIDs (any VID may match).
 * Comparison in constant time. Never log or store idn or R.
 */
export function verifyVid(data: IdentifyData, idn: string, randomNum: Uint8Array | undefined): VidCheck {
  const n = normalizeIdn(idn);
  if (!n.ok) return { ok: false, reason: 'IDN_MALFORMED' };
  if (randomNum === undefined || randomNum.length === 0) return { ok: false, reason: 'RANDOM_NUM_MISSING' };
  if (data.vids.length === 0) return { ok: false, reason: 'NO_VID' };
  let supported = false;
  for (const v of data.vids) {
    if (v.hashAlgorithm === 'unknown') continue;
    supported = true;
    const ours = computeVid(n.idn, randomNum, v.hashAlgorithm);
    if (ours.length === v.virtualID.length && timingSafeEqual(ours, v.virtualID)) return { ok: true, hash: v.hashAlgorithm };
  }
  return { ok: false, reason: supported ? 'VID_MISMATCH' : 'HASH_UNSUPPORTED' };
}

/** Throws VID_MISMATCH (details.reason) unless verifyVid succeeds. */
export function assertVid(data: IdentifyData, idn: string, randomNum: Uint8Array | undefined): void {
  const r = verifyVid(data, idn, randomNum);
  if (!r.ok) throw new PkiError('VID_MISMATCH', 'the identity number does not match the certificate', { reason: r.reason });
}

// --- encoding (for the test CA toolkit) ---------------------------------------------------

/**
 * DER of the identifyData otherName value (what goes inside [0] EXPLICIT):
 * one VID with hashAlg parameters absent unless withNullParams.
 */
export function encodeIdentifyData(
  realName: string,
  vid: { hash: VidHash; virtualID: Uint8Array; withNullParams?: boolean },
): Buffer {
  const hashAlg = algorithmId(HASH_OIDS[vid.hash], vid.withNullParams ? nul() : undefined);
  const vidDer = seq(hashAlg, explicit(0, octets(vid.virtualID)));
  return seq(utf8(realName), seq(seq(oid(OID.npkiVid), vidDer)));
}
