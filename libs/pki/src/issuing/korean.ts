/**
 * A Korean-profile (NPKI) test chain, shaped like real yessign material
 * (libs/pki/test-fixtures/npki-yessign-test):
 *
 *   root  CN=Test RootCA, OU=Korea Certification Authority Central, O=KISA, C=KR   (self-signed)
 *   ca    CN=yessignCA-Test, OU=AccreditedCA, O=yessign, C=kr                      (lowercase c=kr)
 *   user  CN=홍길동()0011…, OU=XYZ, OU=personal4IB, O=yessign, C=kr
 *
 * The user certificate has critical certificatePolicies (default 개인 범용
 * 1.2.410.200005.1.1.1) with a BMPString UserNotice and a CPS pointer, critical
 * keyUsage digitalSignature+nonRepudiation, SAN otherName identifyData
 * (realName + SHA-256 VID of idn and R), an AKI with keyid + issuer + serial, a
 * CRL distribution point with an LDAP and an HTTP URL and an OCSP URL in AIA;
 * validity one year ending 14:59:59Z. RSA-2048, sha256WithRSA throughout.
 *
 * The default identity is NPKI.md's check vector (idn 8001011234567, R
 * 7858b4…d479), so its SHA-256 VID is 2772f4f4…847d.
 */
import { type KeyUsageName } from '../cert/types';
import { computeVid, encodeIdentifyData, type VidHash } from '../npki/vid';
import { DAY, issue, type Issued, TEST_TIME } from './certificate';
import { type ExtensionsSpec, identifyDataName, type PolicySpec } from './extensions';
import { type KeyPair, testKey } from './keys';
import { type NameSpec } from './names';
import { type SignatureAlgorithmName } from './signing';

export const KOREAN_DEFAULTS = {
  rootSubject: [
    ['C', 'KR'],
    ['O', 'KISA'],
    ['OU', 'Korea Certification Authority Central'],
    ['CN', 'Test RootCA'],
  ],
  caSubject: [
    ['C', 'kr'],
    ['O', 'yessign'],
    ['OU', 'AccreditedCA'],
    ['CN', 'yessignCA-Test'],
  ],
  userCn: '홍길동()001104820260115000123456',
  userOus: ['personal4IB', 'XYZ'],
  policyOid: '1.2.410.200005.1.1.1',
  noticeText: '이 인증서는 테스트용 공동인증서입니다',
  cpsUrl: 'http://www.yessign.test/cps.htm',
  crlUrls: [
    'ldap://ds.yessign.test:389/ou=dp5p22874,ou=AccreditedCA,o=yessign,c=kr?certificateRevocationList',
    'http://crl.yessign.test/dp5p22874.crl',
  ],
  ocspUrl: 'http://ocsp.yessign.test:4612',
  realName: '홍길동',
  idn: '8001011234567',
  randomNumHex: '7858b4328390805129f01c97fe6ca4a520cbd479',
  rootSerial: 1n,
  caSerial: 0x1001n,
  userSerial: 0x459c75n,
  /** An OID under a private arc no validator knows. */
  unknownExtensionOid: '1.2.410.200004.99.1',
} as const;

export interface KoreanPartyOptions {
  subject?: NameSpec;
  keys?: KeyPair;
  serial?: bigint | number | Uint8Array;
  notBefore?: number;
  notAfter?: number;
  signatureAlgorithm?: SignatureAlgorithmName;
  /** Merged over the defaults field by field. */
  extensions?: ExtensionsSpec;
  /** Default extensions to drop. */
  omitExtensions?: ReadonlyArray<keyof ExtensionsSpec>;
}

export interface KoreanChainOptions {
  /** The reference time the chain is valid at (unless userValidity says otherwise). Default TEST_TIME. */
  at?: number;
  root?: KoreanPartyOptions;
  ca?: KoreanPartyOptions;
  user?: KoreanPartyOptions;
  /** The user's policies (default: one, KOREAN_DEFAULTS.policyOid with BMPString notice and CPS). */
  policies?: ReadonlyArray<string | PolicySpec>;
  /** Shortcut: the default policy with another OID. */
  policyOid?: string;
  /** Default true, as Korean CAs mark it. */
  policiesCritical?: boolean;
  userKeyUsage?: readonly KeyUsageName[];
  /** CDP URLs (one distribution point holding them all); false: no CDP. */
  crlUrls?: readonly string[] | false;
  /** OCSP URL in AIA; false: no OCSP. */
  ocspUrl?: string | false;
  caIssuersUrl?: string;
  /** The VID identity; false: no SAN identifyData. */
  identity?: { realName?: string; idn?: string; randomNum?: Uint8Array; hash?: VidHash; withNullParams?: boolean } | false;
  /** 'expired': notAfter 35 days before `at`; 'notYetValid': notBefore 10 days after `at`. */
  userValidity?: 'valid' | 'expired' | 'notYetValid';
  /** Add an unknown critical extension to the user certificate. */
  unknownCriticalExtension?: boolean;
}

export interface KoreanChain {
  root: Issued;
  ca: Issued;
  user: Issued;
  keys: { root: KeyPair; ca: KeyPair; user: KeyPair };
  /** The time the chain was built to be valid at. */
  at: number;
  /** The identity behind the VID (undefined with identity: false). */
  identity?: { realName: string; idn: string; randomNum: Buffer; hash: VidHash; vid: Buffer };
}

/** 23:59:59 KST of the UTC day `ms` falls in, `years` later. */
function kstDayEnd(ms: number, years = 0): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear() + years, d.getUTCMonth(), d.getUTCDate(), 14, 59, 59);
}

function merge(defaults: ExtensionsSpec, party: KoreanPartyOptions | undefined): ExtensionsSpec {
  const out: ExtensionsSpec = { ...defaults, ...party?.extensions };
  for (const k of party?.omitExtensions ?? []) {
    // key identifiers are added by default when undefined: false drops them
    if (k === 'authorityKeyIdentifier' || k === 'subjectKeyIdentifier') out[k] = false;
    else delete out[k];
  }
  return out;
}

export function issueKoreanChain(opts: KoreanChainOptions = {}): KoreanChain {
  const at = opts.at ?? TEST_TIME;
  const keys = {
    root: opts.root?.keys ?? testKey('korean-root'),
    ca: opts.ca?.keys ?? testKey('korean-ca'),
    user: opts.user?.keys ?? testKey('korean-user'),
  };

  const rootSubject = opts.root?.subject ?? KOREAN_DEFAULTS.rootSubject;
  const root = issue({
    keys: keys.root,
    subject: rootSubject,
    serial: opts.root?.serial ?? KOREAN_DEFAULTS.rootSerial,
    notBefore: opts.root?.notBefore ?? at - 5 * 365 * DAY,
    notAfter: opts.root?.notAfter ?? at + 15 * 365 * DAY,
    signatureAlgorithm: opts.root?.signatureAlgorithm,
    extensions: merge({ basicConstraints: { ca: true, critical: true }, keyUsage: ['keyCertSign', 'cRLSign'] }, opts.root),
  });

  const caSerial = opts.ca?.serial ?? KOREAN_DEFAULTS.caSerial;
  const ca = issue({
    keys: keys.ca,
    issuer: root,
    subject: opts.ca?.subject ?? KOREAN_DEFAULTS.caSubject,
    serial: caSerial,
    notBefore: opts.ca?.notBefore ?? at - 2 * 365 * DAY,
    notAfter: opts.ca?.notAfter ?? at + 8 * 365 * DAY,
    signatureAlgorithm: opts.ca?.signatureAlgorithm,
    extensions: merge(
      {
        basicConstraints: { ca: true, pathLen: 0, critical: true },
        keyUsage: ['keyCertSign', 'cRLSign'],
        // anyPolicy, so RFC 5280 policy processing passes the user's policy through
        certificatePolicies: ['2.5.29.32.0'],
      },
      opts.ca,
    ),
  });

  let identity: KoreanChain['identity'];
  const userExt: ExtensionsSpec = {
    authorityKeyIdentifier: { issuer: rootSubject, serial: caSerial },
    keyUsage: { usages: opts.userKeyUsage ?? ['digitalSignature', 'nonRepudiation'], critical: true },
    certificatePolicies: {
      critical: opts.policiesCritical ?? true,
      policies: opts.policies ?? [
        {
          oid: opts.policyOid ?? KOREAN_DEFAULTS.policyOid,
          userNotice: { explicitText: KOREAN_DEFAULTS.noticeText, textType: 'bmp' },
          cps: KOREAN_DEFAULTS.cpsUrl,
        },
      ],
    },
  };
  if (opts.identity !== false) {
    const idOpts = opts.identity ?? {};
    const realName = idOpts.realName ?? KOREAN_DEFAULTS.realName;
    const idn = idOpts.idn ?? KOREAN_DEFAULTS.idn;
    const randomNum = Buffer.from(idOpts.randomNum ?? Buffer.from(KOREAN_DEFAULTS.randomNumHex, 'hex'));
    const hash = idOpts.hash ?? 'sha256';
    const vid = computeVid(idn, randomNum, hash);
    identity = { realName, idn, randomNum, hash, vid };
    userExt.subjectAltName = [
      identifyDataName(encodeIdentifyData(realName, { hash, virtualID: vid, withNullParams: idOpts.withNullParams })),
    ];
  }
  const crlUrls = opts.crlUrls ?? KOREAN_DEFAULTS.crlUrls;
  if (crlUrls !== false) userExt.crlDistributionPoints = crlUrls;
  const ocspUrl = opts.ocspUrl ?? KOREAN_DEFAULTS.ocspUrl;
  if (ocspUrl !== false || opts.caIssuersUrl) {
    userExt.authorityInfoAccess = {
      ...(ocspUrl !== false ? { ocsp: ocspUrl } : {}),
      ...(opts.caIssuersUrl ? { caIssuers: opts.caIssuersUrl } : {}),
    };
  }
  if (opts.unknownCriticalExtension) {
    userExt.extra = [{ oid: KOREAN_DEFAULTS.unknownExtensionOid, critical: true, value: Buffer.from([0x05, 0x00]) }];
  }

  let notBefore = Date.UTC(new Date(at).getUTCFullYear(), new Date(at).getUTCMonth(), new Date(at).getUTCDate() - 1, 15, 0, 0);
  let notAfter = kstDayEnd(at, 1);
  if (opts.userValidity === 'expired') {
    notBefore = kstDayEnd(at - 400 * DAY) + 1000;
    notAfter = kstDayEnd(at - 35 * DAY);
  } else if (opts.userValidity === 'notYetValid') {
    notBefore = kstDayEnd(at + 10 * DAY) + 1000;
    notAfter = kstDayEnd(at + 10 * DAY, 1);
  }
  const userSubject: NameSpec = opts.user?.subject ?? [
    ['C', 'kr'],
    ['O', 'yessign'],
    ...KOREAN_DEFAULTS.userOus.map((ou) => ['OU', ou] as const),
    ['CN', KOREAN_DEFAULTS.userCn],
  ];
  const user = issue({
    keys: keys.user,
    issuer: ca,
    subject: userSubject,
    serial: opts.user?.serial ?? KOREAN_DEFAULTS.userSerial,
    notBefore: opts.user?.notBefore ?? notBefore,
    notAfter: opts.user?.notAfter ?? notAfter,
    signatureAlgorithm: opts.user?.signatureAlgorithm,
    extensions: merge(userExt, opts.user),
  });

  return { root, ca, user, keys, at, ...(identity ? { identity } : {}) };
}
