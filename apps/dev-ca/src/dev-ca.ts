/**
 * The development CA: issues Korean-profile (NPKI) user certificates with
 * their signPri.key, revokes them, publishes a CRL and answers OCSP. No HTTP
 * here (see dev-ca.controller.ts); no hidden clock (the injected libs/common Clock).
 */
import { randomBytes } from 'node:crypto';
import {
  addRandomNum,
  classifyPolicies,
  computeVid,
  encodeIdentifyData,
  encryptSignPriKey,
  issuerHashes,
  NPKI_POLICIES,
  type OcspRequestInfo,
  parseCertificate,
  parseOcspRequest,
  REVOCATION_REASONS,
} from '@jointcert/pki';
import { enumerated, seq } from '@jointcert/pki/der';
import {
  buildCrl,
  buildOcspResponse,
  type GeneralNameSpec,
  generateRsaKey,
  identifyDataName,
  issue,
  npkiFolderNameOf,
  type OcspStatusSpec,
  pkcs8Of,
} from '@jointcert/pki/issuing';
import { type Clock, DAY_MS } from '@jointcert/common';
import { type CaMaterial, loadOrCreateMaterial } from './material';
import { CertStore, type IssuedEntry, type RevokeReason, serialKey } from './store';

export const DEFAULT_NAME = '홍길동';
/** NPKI.md's check vector. */
export const DEFAULT_IDN = '8001011234567';
export const DEFAULT_POLICY = '1.2.410.200005.1.1.1';
export const CA_FOLDER = 'yessign';
export const CRL_PATH = '/crl/ca.crl';
export const OCSP_PATH = '/ocsp';
/** A served CRL is reissued (new thisUpdate and cRLNumber) once it is this old, and on every revocation. */
export const CRL_REISSUE_MS = 60 * 60 * 1000;
export const CRL_VALIDITY_MS = DAY_MS;
export const OCSP_VALIDITY_MS = 60 * 60 * 1000;

const NOTICE_TEXT = '이 인증서는 jointcert 개발용 인증서입니다 (development only)';
const REASON_CODE: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(REVOCATION_REASONS).map(([code, name]) => [name, Number(code)]));

export interface IssueInput {
  name?: string;
  idn?: string;
  password: string;
  /** A policy OID, or `holder/usage` (personal/general, corporate/general, personal/limited, ...) among yessign's. */
  policy?: string;
  /** ≤ 0 makes an already expired certificate. Default 365. */
  validityDays?: number;
  email?: string;
}

export interface IssueResult {
  serialHex: string;
  subject: string;
  policy: string;
  notBefore: string;
  notAfter: string;
  /** base64 DER */
  certificate: string;
  /** base64 of signPri.key (seedCBCWithSHA1-encrypted PKCS#8 with randomNum). */
  signPriKey: string;
  /** base64 of R (20 bytes). */
  randomNum: string;
  /** The user folder under NPKI/<caFolder>/USER/. */
  folderName: string;
  caFolder: string;
  certificatePem: string;
  /** Unencrypted PKCS#8 PEM: a development convenience (openssl cms -sign). */
  privateKeyPem: string;
  /** The CA then the root certificate, PEM. */
  chainPem: string;
}

export class DevCaInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DevCaInputError';
  }
}

/** Resolve a policy OID or a `holder/usage` selector to a yessign policy OID. */
export function resolvePolicy(policy: string): string | undefined {
  if (/^\d+(\.\d+)+$/.test(policy)) return policy;
  const [holder, usage, extra] = policy.toLowerCase().split('/');
  if (extra !== undefined) return undefined;
  return NPKI_POLICIES.find((p) => p.ca === 'yessign' && p.holder === holder && p.usage === usage)?.oid;
}

/** 23:59:59 KST (14:59:59Z) of the Korean calendar day `ms` falls in. */
export function kstDayEnd(ms: number): number {
  const k = new Date(ms + 9 * 3_600_000);
  return Date.UTC(k.getUTCFullYear(), k.getUTCMonth(), k.getUTCDate(), 14, 59, 59);
}

/** The validity a request gets: notAfter at 14:59:59Z; `days` ≤ 0 puts notAfter in the past. */
export function validityFor(now: number, days: number): { notBefore: number; notAfter: number } {
  let notAfter = kstDayEnd(now + days * DAY_MS);
  if (days <= 0 && notAfter >= now) notAfter -= DAY_MS;
  const notBefore = days > 0 ? Math.floor(now / 1000) * 1000 - 60_000 : notAfter - 365 * DAY_MS + 1000;
  return { notBefore, notAfter };
}

function kstDate(ms: number): string {
  return new Date(ms + 9 * 3_600_000).toISOString().slice(0, 10).replace(/-/g, '');
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

type CachedCrl = { der: Buffer; thisUpdate: number; number: bigint };

/** The directory entry holding the CA's CRL on the dev CA's LDAP responder. */
export const LDAP_CRL_DN = 'cn=crl1,ou=dp,o=jointcert-dev,c=kr';

export class DevCa {
  private crlCache: CachedCrl | undefined;
  private rootCrlCache: CachedCrl | undefined;
  private loaded: CaMaterial | undefined;
  /** ldap://host:port of the LDAP responder, once it listens (then the LDAP CDP comes first, as in real NPKI certificates). */
  ldapBase: string | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly store: CertStore,
    private readonly clock: Clock,
    /** Base URL written into certificates (CDP, OCSP); known once the server listens. */
    private readonly publicUrl: () => string,
  ) {}

  /** Open the database now; the key material is loaded (or created) on first use, when the public URL is known. */
  static open(dataDir: string, clock: Clock, publicUrl: () => string): DevCa {
    return new DevCa(dataDir, new CertStore(dataDir), clock, publicUrl);
  }

  get material(): CaMaterial {
    this.loaded ??= loadOrCreateMaterial(this.dataDir, this.clock, this.publicUrl());
    return this.loaded;
  }

  get rootPem(): string {
    return this.material.root.pem;
  }

  get chainPem(): string {
    return this.material.ca.pem + this.material.root.pem;
  }

  get crlUrl(): string {
    return this.publicUrl() + CRL_PATH;
  }

  /** The LDAP CRL distribution point, when the LDAP responder runs. */
  get ldapCrlUrl(): string | undefined {
    return this.ldapBase === undefined ? undefined : `${this.ldapBase}/${LDAP_CRL_DN}?certificateRevocationList;binary`;
  }

  get ocspUrl(): string {
    return this.publicUrl() + OCSP_PATH;
  }

  entry(serialHex: string): IssuedEntry | undefined {
    return this.store.get(serialHex);
  }

  issue(input: IssueInput): IssueResult {
    const name = input.name ?? DEFAULT_NAME;
    const idn = (input.idn ?? DEFAULT_IDN).replace(/[-\s]/g, '');
    if (!/^\d{1,20}$/.test(idn)) throw new DevCaInputError('idn must be digits');
    if (input.password.length < 8) throw new DevCaInputError('password must have at least 8 characters');
    const policy = resolvePolicy(input.policy ?? DEFAULT_POLICY);
    if (policy === undefined) throw new DevCaInputError(`unknown policy "${input.policy}" (an OID, or personal/general, corporate/general, personal/limited, corporate/limited)`);
    const now = this.clock.now();
    const { notBefore, notAfter } = validityFor(now, input.validityDays ?? 365);
    const holder = classifyPolicies([policy])?.holder ?? 'personal';
    const cn = `${name}()0011048${kstDate(now)}${String(this.store.all().length + 1).padStart(9, '0')}`;
    const randomNum = randomBytes(20);
    const vid = computeVid(idn, randomNum, 'sha256');
    const san: GeneralNameSpec[] = [identifyDataName(encodeIdentifyData(name, { hash: 'sha256', virtualID: vid }))];
    if (input.email) san.push({ email: input.email });
    const keys = generateRsaKey(2048);
    const serial = randomBytes(16);
    serial[0] = (serial[0]! & 0x7f) | 0x40; // positive, 16 octets
    const { ca, root } = this.material;
    const user = issue({
      keys,
      issuer: ca,
      serial: BigInt(`0x${serial.toString('hex')}`),
      subject: [
        ['C', 'kr'],
        ['O', 'yessign'],
        ['OU', holder === 'corporate' ? 'corporation4EC' : 'personal4IB'],
        ['OU', 'DEV'],
        ['CN', cn],
      ],
      notBefore,
      notAfter,
      extensions: {
        authorityKeyIdentifier: { issuer: root.cert.subject.der, serial: ca.cert.serial },
        keyUsage: { usages: ['digitalSignature', 'nonRepudiation'], critical: true },
        certificatePolicies: {
          critical: true,
          policies: [{ oid: policy, userNotice: { explicitText: NOTICE_TEXT, textType: 'bmp' }, cps: `${this.publicUrl()}/cps` }],
        },
        subjectAltName: san,
        // LDAP first, HTTP second: real NPKI certificates carry only LDAP; clients that cannot do LDAP use the second
        crlDistributionPoints: this.ldapCrlUrl === undefined ? [this.crlUrl] : [this.ldapCrlUrl, this.crlUrl],
        authorityInfoAccess: { ocsp: this.ocspUrl },
      },
    });
    const cert = parseCertificate(user.der);
    const signPriKey = encryptSignPriKey(addRandomNum(pkcs8Of(keys.privateKey), randomNum), input.password);
    this.store.add({
      serialHex: cert.serialHex,
      subject: cert.subject.text,
      issuedAt: iso(now),
      notBefore: iso(cert.notBefore),
      notAfter: iso(cert.notAfter),
      status: 'good',
      policy,
      certificate: user.der.toString('base64'),
    });
    return {
      serialHex: cert.serialHex,
      subject: cert.subject.text,
      policy,
      notBefore: iso(cert.notBefore),
      notAfter: iso(cert.notAfter),
      certificate: user.der.toString('base64'),
      signPriKey: signPriKey.toString('base64'),
      randomNum: randomNum.toString('base64'),
      folderName: npkiFolderNameOf(cert.subject),
      caFolder: CA_FOLDER,
      certificatePem: user.pem,
      privateKeyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      chainPem: this.chainPem,
    };
  }

  /** Revoke a certificate (the first revocation stands) and reissue the CRL. Undefined: unknown serial. */
  revoke(serialHex: string, reason: RevokeReason = 'unspecified'): { entry: IssuedEntry; changed: boolean; crlNumber: bigint } | undefined {
    if (!this.store.get(serialHex)) return undefined;
    const changed = this.store.revoke(serialHex, this.clock.now(), reason);
    if (changed || !this.crlCache) this.crlCache = this.makeCrl();
    return { entry: this.store.get(serialHex)!, changed, crlNumber: this.crlCache.number };
  }

  /** The current CRL (DER): reissued when older than CRL_REISSUE_MS. */
  crl(): CachedCrl {
    if (!this.crlCache || this.clock.now() - this.crlCache.thisUpdate >= CRL_REISSUE_MS) this.crlCache = this.makeCrl();
    return this.crlCache;
  }

  /** The root's CRL (an ARL: it lists revoked CA certificates, so none), named in the CA certificate's CDP. */
  rootCrl(): CachedCrl {
    if (!this.rootCrlCache || this.clock.now() - this.rootCrlCache.thisUpdate >= CRL_REISSUE_MS) {
      const now = this.clock.now();
      const number = this.store.nextCrlNumber('root');
      const { root } = this.material;
      const der = buildCrl({
        issuer: root.cert.subject.der,
        issuerKey: root.key,
        thisUpdate: now,
        nextUpdate: now + CRL_VALIDITY_MS,
        crlNumber: number,
        ...(root.cert.ext.subjectKeyIdentifier ? { authorityKeyId: root.cert.ext.subjectKeyIdentifier } : {}),
      });
      this.rootCrlCache = { der, thisUpdate: now, number };
    }
    return this.rootCrlCache;
  }

  private makeCrl(): CachedCrl {
    const now = this.clock.now();
    const number = this.store.nextCrlNumber('ca');
    const { ca } = this.material;
    const der = buildCrl({
      issuer: ca.cert.subject.der,
      issuerKey: ca.key,
      thisUpdate: now,
      nextUpdate: now + CRL_VALIDITY_MS,
      crlNumber: number,
      ...(ca.cert.ext.subjectKeyIdentifier ? { authorityKeyId: ca.cert.ext.subjectKeyIdentifier } : {}),
      entries: this.store.revoked().map((e) => ({
        serial: BigInt(`0x${e.serialHex}`),
        revokedAt: Date.parse(e.revokedAt!),
        // RFC 5280 §5.3.1: unspecified is written as no reasonCode
        ...(e.reason && e.reason !== 'unspecified' ? { reason: e.reason } : {}),
      })),
    });
    return { der, thisUpdate: now, number };
  }

  /** Answer a DER OCSPRequest with a signed OCSPResponse (malformedRequest for what does not parse). */
  ocsp(requestDer: Uint8Array): { der: Buffer; request?: OcspRequestInfo } {
    let request: OcspRequestInfo;
    try {
      request = parseOcspRequest(requestDer, { maxBytes: 64 * 1024, maxEntries: 100 });
    } catch {
      return { der: seq(enumerated(1)) };
    }
    if (request.certIds.length === 0) return { der: seq(enumerated(1)) };
    const now = this.clock.now();
    const { ca, ocsp } = this.material;
    const der = buildOcspResponse({
      responderCert: ocsp.der,
      signerKey: ocsp.key,
      producedAt: now,
      responses: request.certIds.map((id) => ({
        certId: id.der,
        status: this.statusOf(id),
        thisUpdate: now,
        nextUpdate: now + OCSP_VALIDITY_MS,
      })),
      // the nonce extension echoed byte for byte
      ...(request.nonce ? { extensions: [{ oid: '1.3.6.1.5.5.7.48.1.2', value: request.nonce }] } : {}),
      certs: [ocsp.der, ca.der],
    });
    return { der, request };
  }

  private statusOf(id: OcspRequestInfo['certIds'][number]): OcspStatusSpec {
    if (id.hash === 'unsupported') return { status: 'unknown' };
    const { nameHash, keyHash } = issuerHashes(this.material.ca.cert, id.hash);
    if (!nameHash.equals(id.issuerNameHash) || !keyHash.equals(id.issuerKeyHash)) return { status: 'unknown' };
    const e = this.store.get(Buffer.from(id.serial).toString('hex'));
    if (!e || (id.serial[0]! & 0x80) !== 0) return { status: 'unknown' };
    if (e.status === 'revoked') {
      return {
        status: 'revoked',
        revokedAt: Date.parse(e.revokedAt!),
        ...(e.reason && e.reason !== 'unspecified' ? { reason: REASON_CODE[e.reason] } : {}),
      };
    }
    return { status: 'good' };
  }
}

export { serialKey };
