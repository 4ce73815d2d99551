/**
 * The dev CA's own material in DEV_CA_DATA_DIR, created on first boot and
 * loaded after:
 *
 *   root.pem  root.key     CN=jointcert Dev RootCA, OU=Korea Certification Authority Central, O=KISA, C=KR
 *   ca.pem    ca.key       CN=yessignCA-Dev, OU=AccreditedCA, O=yessign, c=kr   (issues users, signs the CRL)
 *                          its CDP names the root's CRL (<public>/crl/root.crl), as KISA's ARL is named
 *                          in real CA certificates: a hard-fail verifier checks the CA certificate too
 *   ocsp.pem  ocsp.key     CN=yessignCA-Dev OCSP, ...  (id-kp-OCSPSigning + ocsp-nocheck, issued by ca)
 *   trust/anchors/root.pem        the verifier's TRUST_ANCHORS_DIR
 *   trust/intermediates/ca.pem    the verifier's INTERMEDIATES_DIR
 *
 *   material.json          the public URL the CA certificate was made for
 *
 * RSA-2048 keys as PKCS#8 PEM, mode 0600. When the public URL changes (another
 * port, DEV_CA_PUBLIC_URL), the CA certificate is reissued with the same key,
 * serial and validity and the new CDP, so earlier user certificates still chain. A partial directory (some files
 * missing) is refused rather than silently replaced: the trust the verifier
 * holds must stay the trust the CA signs with.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Certificate, decodePem, encodePem, parseCertificate } from '@jointcert/pki';
import { generateRsaKey, issue, type Issued, type IssueSpec, type NameSpec } from '@jointcert/pki/issuing';
import { type Clock, DAY_MS } from '@jointcert/common';
import { writeFileAtomic } from './files';

export interface CaParty {
  der: Buffer;
  pem: string;
  cert: Certificate;
  key: KeyObject;
}

export interface CaMaterial {
  root: CaParty;
  ca: CaParty;
  ocsp: CaParty;
  /** Where the verifier's trust material was written. */
  trustAnchorsDir: string;
  intermediatesDir: string;
  /** True when this boot created the material. */
  created: boolean;
}

export const ROOT_SUBJECT: NameSpec = [
  ['C', 'KR'],
  ['O', 'KISA'],
  ['OU', 'Korea Certification Authority Central'],
  ['CN', 'jointcert Dev RootCA'],
];
export const CA_SUBJECT: NameSpec = [
  ['C', 'kr'],
  ['O', 'yessign'],
  ['OU', 'AccreditedCA'],
  ['CN', 'yessignCA-Dev'],
];
export const OCSP_SUBJECT: NameSpec = [
  ['C', 'kr'],
  ['O', 'yessign'],
  ['OU', 'AccreditedCA'],
  ['CN', 'yessignCA-Dev OCSP'],
];

const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const ANY_POLICY = '2.5.29.32.0';
const PARTIES = ['root', 'ca', 'ocsp'] as const;
type PartyName = (typeof PARTIES)[number];

export function trustDirs(dataDir: string): { trustAnchorsDir: string; intermediatesDir: string } {
  return { trustAnchorsDir: join(dataDir, 'trust', 'anchors'), intermediatesDir: join(dataDir, 'trust', 'intermediates') };
}

function metaPath(dataDir: string): string {
  return join(dataDir, 'material.json');
}

function readMeta(dataDir: string): { publicUrl?: string } {
  try {
    return JSON.parse(readFileSync(metaPath(dataDir), 'utf8')) as { publicUrl?: string };
  } catch {
    return {};
  }
}

function party(der: Buffer, key: KeyObject): CaParty {
  return { der, pem: encodePem('CERTIFICATE', der), cert: parseCertificate(der), key };
}

function save(dataDir: string, name: PartyName, p: CaParty): void {
  writeFileAtomic(join(dataDir, `${name}.key`), p.key.export({ type: 'pkcs8', format: 'pem' }), 0o600);
  writeFileAtomic(join(dataDir, `${name}.pem`), p.pem);
}

function load(dataDir: string, name: PartyName): CaParty {
  const der = decodePem(readFileSync(join(dataDir, `${name}.pem`), 'utf8'), 'CERTIFICATE');
  const key = createPrivateKey(readFileSync(join(dataDir, `${name}.key`), 'utf8'));
  return party(der, key);
}

/** A service's certificate under `ca` (the OCSP responder's, the site's KM): a new RSA-2048 key, valid from a day before `now` for two years. */
export function issueServiceCertificate(ca: CaParty, subject: NameSpec, now: number, extensions: IssueSpec['extensions']): Issued {
  return issue({ keys: generateRsaKey(2048), issuer: ca, subject, notBefore: now - DAY_MS, notAfter: now + 2 * 365 * DAY_MS, extensions });
}

function issueOcspResponder(ca: CaParty, now: number): CaParty {
  const r = issueServiceCertificate(ca, OCSP_SUBJECT, now, {
    keyUsage: { usages: ['digitalSignature'], critical: true },
    extKeyUsage: [OCSP_SIGNING],
    ocspNoCheck: true,
  });
  return party(r.der, r.key);
}

export const ROOT_CRL_PATH = '/crl/root.crl';

function issueCa(root: CaParty, keys: KeyObject, publicUrl: string, spec: { serial?: Uint8Array; notBefore: number; notAfter: number }): CaParty {
  const c = issue({
    keys,
    issuer: root,
    subject: CA_SUBJECT,
    ...(spec.serial ? { serial: spec.serial } : {}),
    notBefore: spec.notBefore,
    notAfter: spec.notAfter,
    extensions: {
      basicConstraints: { ca: true, pathLen: 0, critical: true },
      keyUsage: ['keyCertSign', 'cRLSign'],
      // anyPolicy, so RFC 5280 policy processing passes the users' policies through
      certificatePolicies: [ANY_POLICY],
      crlDistributionPoints: [publicUrl + ROOT_CRL_PATH],
    },
  });
  return party(c.der, c.key);
}

function create(now: number, publicUrl: string): Record<PartyName, CaParty> {
  // Back-dated two years so that "expired" user certificates still nest inside the CA's validity.
  const rootKeys = generateRsaKey(2048);
  const r = issue({
    keys: rootKeys,
    subject: ROOT_SUBJECT,
    notBefore: now - 2 * 365 * DAY_MS,
    notAfter: now + 20 * 365 * DAY_MS,
    extensions: { basicConstraints: { ca: true, critical: true }, keyUsage: ['keyCertSign', 'cRLSign'] },
  });
  const root = party(r.der, r.key);
  const ca = issueCa(root, generateRsaKey(2048).privateKey, publicUrl, { notBefore: now - 2 * 365 * DAY_MS, notAfter: now + 10 * 365 * DAY_MS });
  return { root, ca, ocsp: issueOcspResponder(ca, now) };
}

/** Load the CA material from `dataDir`, creating it on first use; (re)write the verifier's trust directories. */
export function loadOrCreateMaterial(dataDir: string, clock: Clock, publicUrl: string): CaMaterial {
  const present = PARTIES.flatMap((n) => [`${n}.pem`, `${n}.key`]).filter((f) => existsSync(join(dataDir, f)));
  let parties: Record<PartyName, CaParty>;
  let created = false;
  if (present.length === 0) {
    parties = create(clock.now(), publicUrl);
    for (const n of PARTIES) save(dataDir, n, parties[n]);
    writeFileAtomic(metaPath(dataDir), `${JSON.stringify({ publicUrl })}\n`);
    created = true;
  } else if (present.length === PARTIES.length * 2) {
    parties = { root: load(dataDir, 'root'), ca: load(dataDir, 'ca'), ocsp: load(dataDir, 'ocsp') };
    // The responder certificate is short-lived: renew it when it is within 30 days of its end.
    if (parties.ocsp.cert.notAfter < clock.now() + 30 * DAY_MS) {
      parties.ocsp = issueOcspResponder(parties.ca, clock.now());
      save(dataDir, 'ocsp', parties.ocsp);
    }
    if (readMeta(dataDir).publicUrl !== publicUrl) {
      const { ca } = parties;
      parties.ca = issueCa(parties.root, ca.key, publicUrl, { serial: ca.cert.serial, notBefore: ca.cert.notBefore, notAfter: ca.cert.notAfter });
      save(dataDir, 'ca', parties.ca);
      writeFileAtomic(metaPath(dataDir), `${JSON.stringify({ publicUrl })}\n`);
    }
  } else {
    throw new Error(
      `dev-ca: ${dataDir} holds only part of the CA material (${present.join(', ')}); remove the directory to start a new dev CA`,
    );
  }
  const dirs = trustDirs(dataDir);
  writeFileAtomic(join(dirs.trustAnchorsDir, 'root.pem'), parties.root.pem);
  writeFileAtomic(join(dirs.intermediatesDir, 'ca.pem'), parties.ca.pem);
  return { ...parties, ...dirs, created };
}
