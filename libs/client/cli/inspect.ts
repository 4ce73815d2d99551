/** `jointcert inspect <file>`: what a PKI file is, readably (or --json). */
import { decodePemAll, parseCertificate, parseCrl, parseOcspResponse, parseSignedData, type Certificate } from '@jointcert/pki';
import { derCursor, readOid, readSmallInt, Tag } from '@jointcert/pki/der';
import { describeCertificate } from '../src/certificate';
import { describeKeyFile } from '../src/keyfile';
import { CliError, iso } from './io';

export type Inspection =
  | { kind: 'certificate'; summary: ReturnType<typeof certificateSummary> }
  | { kind: 'crl'; issuer: string; thisUpdate: string; nextUpdate: string | null; crlNumber: string | null; entries: number; delta: boolean; partitioned: boolean; signatureAlgorithm: string }
  | { kind: 'ocsp-response'; responseStatus: string; producedAt?: string; responder?: string; responses?: Array<{ serialHex: string; status: string; thisUpdate: string; nextUpdate: string | null; revokedAt?: string; reason?: string }> }
  | { kind: 'cms-signed-data'; contentType: string; detached: boolean; contentBytes: number | null; certificates: ReturnType<typeof certificateSummary>[]; signers: Array<{ digestAlgorithm: string; signatureAlgorithm: string; signedAttributes: boolean; signingTime: string | null }> }
  | { kind: 'npki-private-key'; scheme: string; algorithm: string; iterations: number; salt: string; prf: string | null; encryptedBytes: number }
  | { kind: 'pkcs12'; version: number; authSafeContentType: string; macAlgorithm: string | null; macIterations: number | null };

export function certificateSummary(c: Certificate, now: number) {
  const i = describeCertificate(c, now);
  return {
    subject: i.subject,
    issuer: i.issuer,
    holder: i.holder,
    ca: i.ca,
    type: i.typeLabel,
    policyOid: i.policyOid,
    serialHex: i.serialHex,
    notBefore: i.notBefore.toISOString(),
    notAfter: i.notAfter.toISOString(),
    daysLeft: i.daysLeft,
    expired: i.expired,
    vid: i.hasVid,
    key: i.rsaBits ? `${i.keyType} ${i.rsaBits}` : i.keyType,
    fingerprintSha256: c.fingerprintSha256,
    ocsp: i.ocspUrls,
    crl: i.crlUrls,
  };
}

/** Bytes of a file: DER as is, or the first PEM block (the leaf of a bundle). */
export function fileBytes(data: Buffer): Buffer {
  const text = data.subarray(0, 64).toString('latin1');
  if (text.includes('-----BEGIN')) {
    const first = decodePemAll(data.toString('latin1'))[0];
    if (!first) throw new CliError('a PEM file without a block');
    return first.der;
  }
  return data;
}

const OID_NAMES: Record<string, string> = {
  '1.2.840.113549.1.7.1': 'data',
  '1.2.840.113549.1.7.6': 'encryptedData',
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '1.2.840.113549.1.1.1': 'rsaEncryption',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
};
const name = (oid: string): string => OID_NAMES[oid] ?? oid;

/** PFX = SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData MacData OPTIONAL }. */
function parsePfx(der: Uint8Array): Inspection {
  const top = derCursor(der, { maxDepth: 16, ber: true });
  const c = top.enter(top.expect(Tag.SEQUENCE, 'PFX'));
  const version = readSmallInt(der, c.expect(Tag.INTEGER, 'version'));
  if (version !== 3) throw new Error('not a PFX');
  const ci = c.enter(c.expect(Tag.SEQUENCE, 'authSafe'));
  const authSafeContentType = readOid(der, ci.expect(Tag.OID, 'contentType'));
  let macAlgorithm: string | null = null;
  let macIterations: number | null = null;
  if (!c.atEnd()) {
    const mac = c.enter(c.expect(Tag.SEQUENCE, 'macData'));
    const di = mac.enter(mac.expect(Tag.SEQUENCE, 'DigestInfo'));
    const alg = di.enter(di.expect(Tag.SEQUENCE, 'digestAlgorithm'));
    macAlgorithm = name(readOid(der, alg.expect(Tag.OID, 'algorithm')));
    mac.expect(Tag.OCTET_STRING, 'macSalt');
    macIterations = mac.peekTag() === Tag.INTEGER ? readSmallInt(der, mac.next()) : 1;
  }
  return { kind: 'pkcs12', version, authSafeContentType: name(authSafeContentType), macAlgorithm, macIterations };
}

/** Identify and summarise; throws CliError when the file is none of the kinds. */
export function inspect(data: Buffer, now: number): Inspection {
  const der = fileBytes(data);
  const attempts: Array<() => Inspection> = [
    () => ({ kind: 'certificate', summary: certificateSummary(parseCertificate(der), now) }),
    () => {
      const crl = parseCrl(der);
      return {
        kind: 'crl',
        issuer: crl.issuer.text,
        thisUpdate: iso(crl.thisUpdate),
        nextUpdate: crl.nextUpdate === undefined ? null : iso(crl.nextUpdate),
        crlNumber: crl.crlNumber === undefined ? null : crl.crlNumber.toString(),
        entries: crl.size,
        delta: crl.deltaCrlIndicator !== undefined,
        partitioned: crl.issuingDistributionPoint !== undefined,
        signatureAlgorithm: name(crl.signatureAlgorithm.oid),
      };
    },
    () => {
      const r = parseOcspResponse(der);
      if (r.responseStatus !== 'successful') return { kind: 'ocsp-response', responseStatus: r.responseStatus };
      const b = r.basic;
      return {
        kind: 'ocsp-response',
        responseStatus: r.responseStatus,
        producedAt: iso(b.producedAt),
        responder: b.responderId.type === 'byName' ? b.responderId.name.text : `key ${Buffer.from(b.responderId.keyHash).toString('hex')}`,
        responses: b.responses.map((s) => ({
          serialHex: Buffer.from(s.certId.serial).toString('hex'),
          status: s.certStatus.status,
          thisUpdate: iso(s.thisUpdate),
          nextUpdate: s.nextUpdate === undefined ? null : iso(s.nextUpdate),
          ...(s.certStatus.status === 'revoked' ? { revokedAt: iso(s.certStatus.revokedAt), ...(s.certStatus.reason ? { reason: s.certStatus.reason } : {}) } : {}),
        })),
      };
    },
    () => {
      const sd = parseSignedData(der);
      return {
        kind: 'cms-signed-data',
        contentType: name(sd.eContentType),
        detached: sd.eContent === undefined,
        contentBytes: sd.eContent?.length ?? null,
        certificates: sd.certificates.map((c) => certificateSummary(parseCertificate(c), now)),
        signers: sd.signerInfos.map((s) => ({
          digestAlgorithm: name(s.digestAlgorithm.oid),
          signatureAlgorithm: name(s.signatureAlgorithm.oid),
          signedAttributes: s.signedAttrs !== undefined,
          signingTime: s.signedAttrs?.signingTime === undefined ? null : iso(s.signedAttrs.signingTime),
        })),
      };
    },
    () => {
      const k = describeKeyFile(der);
      return { kind: 'npki-private-key', scheme: k.scheme, algorithm: k.algorithm, iterations: k.iterations, salt: k.saltHex, prf: k.prf ?? null, encryptedBytes: k.encryptedBytes };
    },
    () => parsePfx(der),
  ];
  for (const a of attempts) {
    try {
      return a();
    } catch {
      // not this kind
    }
  }
  throw new CliError('not a certificate, CRL, OCSP response, CMS SignedData, signPri.key or PFX (DER or PEM)', 1);
}

export function printInspection(i: Inspection, out: (l?: string) => void): void {
  const kv = (k: string, v: string | number | boolean | null | undefined | string[]): void => out(`  ${k.padEnd(14)} ${Array.isArray(v) ? v.join(', ') || '—' : v === null || v === undefined ? '—' : String(v)}`);
  const cert = (s: ReturnType<typeof certificateSummary>): void => {
    kv('holder', s.holder);
    kv('subject', s.subject);
    kv('issuer', s.issuer);
    kv('CA', s.ca);
    kv('type', s.type);
    kv('serial', s.serialHex);
    kv('valid', `${s.notBefore} → ${s.notAfter}`);
    kv('days left', s.expired ? `${s.daysLeft} (expired)` : s.daysLeft);
    kv('VID', s.vid ? 'present (identifyData)' : 'absent');
    kv('key', s.key);
    kv('OCSP', s.ocsp);
    kv('CRL', s.crl);
    kv('SHA-256', s.fingerprintSha256);
  };
  switch (i.kind) {
    case 'certificate':
      out('certificate');
      cert(i.summary);
      return;
    case 'crl':
      out(`CRL${i.delta ? ' (delta)' : ''}`);
      kv('issuer', i.issuer);
      kv('this update', i.thisUpdate);
      kv('next update', i.nextUpdate);
      kv('CRL number', i.crlNumber);
      kv('entries', i.entries);
      kv('partitioned', i.partitioned ? 'yes (issuingDistributionPoint)' : 'no');
      kv('signature', i.signatureAlgorithm);
      return;
    case 'ocsp-response':
      out(`OCSP response: ${i.responseStatus}`);
      kv('produced at', i.producedAt);
      kv('responder', i.responder);
      for (const r of i.responses ?? []) kv(`serial ${r.serialHex}`, `${r.status}${r.revokedAt ? ` at ${r.revokedAt}${r.reason ? ` (${r.reason})` : ''}` : ''}; this ${r.thisUpdate}, next ${r.nextUpdate ?? '—'}`);
      return;
    case 'cms-signed-data':
      out(`CMS SignedData (${i.detached ? 'detached' : `attached, ${i.contentBytes} bytes of ${i.contentType}`})`);
      i.signers.forEach((s, n) => kv(`signer #${n}`, `${s.digestAlgorithm}, ${s.signatureAlgorithm}, signed attributes ${s.signedAttributes ? 'yes' : 'no'}, signing time ${s.signingTime ?? '—'}`));
      i.certificates.forEach((c, n) => {
        out(`  certificate #${n}`);
        cert(c);
      });
      return;
    case 'npki-private-key':
      out('NPKI signPri.key (encrypted private key; not decrypted)');
      kv('scheme', i.scheme);
      kv('algorithm', i.algorithm);
      kv('iterations', i.iterations);
      kv('salt', i.salt);
      kv('PBKDF2 PRF', i.prf);
      kv('ciphertext', `${i.encryptedBytes} bytes`);
      return;
    case 'pkcs12':
      out('PKCS#12 (PFX)');
      kv('version', i.version);
      kv('content', i.authSafeContentType);
      kv('MAC', i.macAlgorithm);
      kv('MAC iterations', i.macIterations);
      return;
  }
}

