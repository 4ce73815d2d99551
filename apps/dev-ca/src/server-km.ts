/**
 * The site's key-management (KM) certificate, issued by the dev CA like a
 * real CA issues a server's 암호용 certificate: keyUsage keyEncipherment (+
 * dataEncipherment), RSA-2048, two years. Written once, NPKI style, under
 * `<data dir>/km/`:
 *   kmCert.der   the certificate (the verifier's and gateway's KM_CERT_FILE)
 *   kmPri.key    the private key, seedCBCWithSHA1-encrypted PKCS#8 (KM_KEY_FILE)
 * with the development password DEV_KM_PASSWORD (KM_KEY_PASSWORD; a real
 * deployment takes its password from a secret store). Kept across restarts;
 * reissued only when missing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { encryptSignPriKey } from '@jointcert/pki';
import type { NameSpec } from '@jointcert/pki/issuing';
import { writeFileAtomic } from './files';
import { issueServiceCertificate, type CaParty } from './material';

export const DEV_KM_PASSWORD = 'dev-km-password';

export const KM_SUBJECT: NameSpec = [
  ['C', 'KR'],
  ['O', 'jointcert dev'],
  ['OU', 'server'],
  ['CN', 'jointcert dev KM'],
];

export function serverKmFiles(dataDir: string): { certFile: string; keyFile: string } {
  return { certFile: join(dataDir, 'km', 'kmCert.der'), keyFile: join(dataDir, 'km', 'kmPri.key') };
}

/** Issue the KM pair under `ca` unless present; returns the file paths. */
export function ensureServerKm(dataDir: string, ca: CaParty, now: number): { certFile: string; keyFile: string; created: boolean } {
  const files = serverKmFiles(dataDir);
  if (existsSync(files.certFile) && existsSync(files.keyFile)) return { ...files, created: false };
  const c = issueServiceCertificate(ca, KM_SUBJECT, now, { keyUsage: { usages: ['keyEncipherment', 'dataEncipherment'], critical: true } });
  const pkcs8 = c.key.export({ type: 'pkcs8', format: 'der' });
  writeFileAtomic(files.keyFile, encryptSignPriKey(pkcs8, DEV_KM_PASSWORD), 0o600);
  writeFileAtomic(files.certFile, c.der);
  return { ...files, created: true };
}
