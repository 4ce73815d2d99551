/**
 * `jointcert npki passwd <folder>`: change the certificate password of an
 * NPKI folder's signPri.key, locally. The new file is written to a temporary
 * file in the same folder, fsynced and proven to decrypt with the new
 * password; the original is copied to signPri.key.bak, the new file renamed
 * over signPri.key and proven again; then the backup is removed (kept with
 * --keep-backup). Any failure leaves the original signPri.key in place.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, copyFileSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { toHex } from '../src/bytes';
import { ApiError, ClientError } from '../src/errors';
import { NpkiCertificate } from '../src/npki';
import { unlockKeyFile } from '../src/keyfile';
import { changeKeyPassword, type ChangedKeyFile, type ChangeKeyPasswordOptions } from '../src/passwd';
import { apiFor, folderFile, openFolder, type Passwords } from './account';
import { CliError, type Io } from './io';

export interface PasswdOptions {
  /** Re-encrypt in the file's own scheme instead of PBES2 + PBKDF2-HMAC-SHA256 + SEED-CBC. */
  keepScheme: boolean;
  /** Keep signPri.key.bak (still under the OLD password) after success. */
  keepBackup: boolean;
  iterations?: number;
  /** --api: tell the gateway when the password was changed (the time only), with --token or a login with the changed folder. */
  api?: string;
  token?: string;
}

/** What the server was told (--api): the registered certificate and its new passwordChangedAt, or why not. */
export type PasswdReport = { certificateId: string; passwordChangedAt: string } | { error: string; detail: string };

export interface PasswdResult {
  keyFile: string;
  scheme: ChangedKeyFile['scheme'];
  prf: string | null;
  iterations: number;
  randomNum: 'unchanged' | 'none';
  /** The backup's path when kept, else null. */
  backup: string | null;
  /** With --api only. */
  reported?: PasswdReport;
}

export async function npkiPasswd(dir: string, opts: PasswdOptions, passwords: Passwords, io: Io): Promise<PasswdResult> {
  const npki = await openFolder(dir);
  const keyPath = folderFile(dir, 'signPri.key');
  const info = npki.describe();
  io.err(`certificate: ${info.holder} — ${info.ca ?? '?'} ${info.typeLabel}, until ${info.notAfter.toISOString().slice(0, 10)} (${info.daysLeft} days)`);
  const backup = join(dirname(keyPath), `${basename(keyPath)}.bak`);
  if (existsSync(backup)) throw new CliError(`${backup} exists (a backup of an earlier change): move or delete it first`, 1);

  const oldPassword = await passwords.read(info.holder, 'current password');
  const newPassword = await passwords.read(info.holder, 'new password');
  if (!passwords.piped && (await passwords.read(info.holder, 'new password again')) !== newPassword) throw new CliError('the two new passwords differ: nothing was changed', 1);
  const changeOpts: ChangeKeyPasswordOptions = { scheme: opts.keepScheme ? 'keep' : 'pbes2' };
  if (opts.iterations !== undefined) changeOpts.iterations = opts.iterations;
  const changed = await changeKeyPassword(npki.keyFileBytes, oldPassword, newPassword, changeOpts);

  const mode = statSync(keyPath).mode & 0o777;
  const tmp = join(dirname(keyPath), `.${basename(keyPath)}.${randomBytes(6).toString('hex')}.tmp`);
  let renamed = false;
  try {
    writeDurably(tmp, changed.file, mode);
    await proveOnDisk(tmp, changed.file, newPassword);
    copyFileSync(keyPath, backup, constants.COPYFILE_EXCL);
    fsyncPath(backup);
    renameSync(tmp, keyPath);
    renamed = true;
    fsyncDir(dirname(keyPath));
    await proveOnDisk(keyPath, changed.file, newPassword);
  } catch (e) {
    if (renamed) renameSync(backup, keyPath); // the original back in place
    else if (existsSync(tmp)) unlinkSync(tmp);
    throw e;
  }
  if (!opts.keepBackup) unlinkSync(backup);
  const result: PasswdResult = {
    keyFile: keyPath,
    scheme: changed.scheme,
    prf: changed.prf ?? null,
    iterations: changed.iterations,
    randomNum: changed.hasRandomNum ? 'unchanged' : 'none',
    backup: opts.keepBackup ? backup : null,
  };
  // only now that the new file is in place: the server learns the time (never the password)
  if (opts.api !== undefined) result.reported = await reportChange(dir, opts.api, opts.token, changed.file, newPassword);
  return result;
}

/**
 * PUT /v1/certificates/{id}/password-changed for the folder's certificate
 * (found among the account's by the SHA-256 of signCert.der). A failure is
 * reported, not thrown: the password is changed either way.
 */
async function reportChange(dir: string, url: string, token: string | undefined, newKeyFile: Uint8Array, newPassword: string): Promise<PasswdReport> {
  try {
    const api = apiFor(url, token);
    const signCert = readFileSync(folderFile(dir, 'signCert.der'));
    // no token: log in with the changed folder itself (which also proves the new file against the server)
    if (!token) await api.logIn(await (await NpkiCertificate.open({ signCert, signPri: newKeyFile })).unlock(newPassword));
    const fingerprint = createHash('sha256').update(signCert).digest('hex');
    const registered = (await api.listCertificates()).find((c) => c.fingerprintSha256 === fingerprint && c.status !== 'deleted');
    if (!registered) return { error: 'CERT_NOT_REGISTERED', detail: 'this certificate is not registered to the account' };
    const view = await api.reportPasswordChanged(registered.id);
    return { certificateId: view.id, passwordChangedAt: view.passwordChangedAt ?? '' };
  } catch (e) {
    if (e instanceof ApiError) return { error: e.code, detail: e.problem.detail ?? e.problem.title };
    if (e instanceof ClientError || e instanceof CliError) return { error: e instanceof ClientError ? e.code : 'CLI', detail: e.message };
    throw e;
  }
}

function writeDurably(path: string, data: Uint8Array, mode: number): void {
  const fd = openSync(path, 'wx', mode);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Make the rename durable where the OS allows it (Windows and some filesystems cannot open or fsync a directory). */
function fsyncDir(path: string): void {
  try {
    fsyncPath(path);
  } catch (e) {
    if (!['EISDIR', 'EPERM', 'EACCES', 'EINVAL'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
  }
}

/** The bytes on disk are what was written, and decrypt with the new password. */
async function proveOnDisk(path: string, expected: Uint8Array, password: string): Promise<void> {
  const onDisk = readFileSync(path);
  if (toHex(onDisk) !== toHex(expected)) throw new CliError(`${path} does not read back as written: nothing was changed`, 1);
  const k = await unlockKeyFile(onDisk, password, { maxIterations: 1_000_000 });
  k.pkcs8.fill(0);
}

export function printPasswd(r: PasswdResult, out: (line?: string) => void): void {
  const scheme = r.scheme === 'pbes2' ? `PBES2 + PBKDF2-${r.prf ?? 'hmacWithSHA1'} + SEED-CBC` : r.scheme;
  out(`password changed: ${r.keyFile}`);
  out(`  encryption  ${scheme}, ${r.iterations} iterations`);
  out(`  R           ${r.randomNum === 'unchanged' ? 'unchanged (identity checks keep working)' : 'none in this key file'}`);
  out(`  backup      ${r.backup ? `${r.backup} (still opens with the OLD password: delete it when done)` : 'removed (the new file was proven to decrypt)'}`);
  if (r.reported && 'certificateId' in r.reported) out(`  server      told: changed at ${r.reported.passwordChangedAt} (certificate ${r.reported.certificateId}; the password itself was not sent)`);
  else if (r.reported) out(`  server      NOT told (${r.reported.error}: ${r.reported.detail}); the password is changed all the same`);
}
