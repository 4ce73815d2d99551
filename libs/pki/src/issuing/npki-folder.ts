/**
 * NPKI folders as a user's PC holds them:
 *
 *   <root>/NPKI/<CA>/USER/<cn=...,ou=...,o=...,c=kr>/signCert.der
 *                                                   /signPri.key
 *
 * signPri.key is the PKCS#8 of the key with the randomNum attribute (R)
 * added, encrypted with npki/keyfile.ts (default seedCBCWithSHA1, 2048
 * iterations). Writes files: for tests and the dev CA only.
 */
import { type KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PkiError } from '../errors';
import { parseCertificate } from '../cert/parse';
import { NAME_SHORT } from '../cert/name';
import { type Name } from '../cert/types';
import { addRandomNum, encryptSignPriKey, type EncryptOptions, type KeyScheme } from '../npki/keyfile';
import { pkcs8Of } from './keys';

export interface NpkiFolderOptions {
  /** The CA folder name, e.g. 'yessign', 'KICA', 'SignKorea', 'CrossCert', 'TradeSign'. */
  caFolder: string;
  /** DER of the signing certificate. */
  cert: Uint8Array;
  /** The signing private key. */
  key: KeyObject;
  password: string | Uint8Array;
  /** R, written as the randomNum attribute; omit to write a key without it (as some exports do). */
  randomNum?: Uint8Array;
  scheme?: KeyScheme;
  /** Further encryption options (iterations, salt, iv, prf, legacyVariant). */
  encryption?: Omit<EncryptOptions, 'scheme'>;
  /** Override the user folder name (default: the subject as `cn=...,ou=...,c=kr`). */
  userFolder?: string;
}

export interface NpkiFolder {
  /** The user's certificate folder. */
  dir: string;
  certPath: string;
  keyPath: string;
  /** The bytes written as signPri.key. */
  signPriKey: Buffer;
}

/** `cn=홍길동()0011…,ou=XYZ,ou=personal4IB,o=yessign,c=kr`: RDNs least significant first, lowercase short types. */
export function npkiFolderNameOf(subject: Name): string {
  return [...subject.rdns]
    .reverse()
    .map((rdn) => rdn.map((a) => `${(NAME_SHORT[a.type] ?? a.type).toLowerCase()}=${a.value}`).join('+'))
    .join(',');
}

export function writeNpkiFolder(root: string, opts: NpkiFolderOptions): NpkiFolder {
  if (/[/\\]|^\.\.?$/.test(opts.caFolder)) throw new PkiError('INVALID_ARGUMENT', `bad CA folder name "${opts.caFolder}"`);
  const folder = opts.userFolder ?? npkiFolderNameOf(parseCertificate(opts.cert).subject);
  if (/[/\\]|^\.\.?$/.test(folder) || folder === '') throw new PkiError('INVALID_ARGUMENT', `bad user folder name "${folder}"`);
  const dir = join(root, 'NPKI', opts.caFolder, 'USER', folder);
  mkdirSync(dir, { recursive: true });
  let pkcs8: Uint8Array = pkcs8Of(opts.key);
  if (opts.randomNum) pkcs8 = addRandomNum(pkcs8, opts.randomNum);
  const signPriKey = encryptSignPriKey(pkcs8, opts.password, { ...opts.encryption, ...(opts.scheme ? { scheme: opts.scheme } : {}) });
  const certPath = join(dir, 'signCert.der');
  const keyPath = join(dir, 'signPri.key');
  writeFileSync(certPath, opts.cert);
  writeFileSync(keyPath, signPriKey);
  return { dir, certPath, keyPath, signPriKey };
}
