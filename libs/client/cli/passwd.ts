/**
 * `jointcert npki passwd <folder>`: change the certificate password of an
 * NPKI folder's signPri.key, locally. The new file is written to a temporary
 * file in the same folder, fsynced and proven to decrypt with the new
 * password; the original is copied to signPri.key.bak, the new file renamed
 * over signPri.key and proven again; then the backup is removed (kept with
 * --keep-backup). Any failure leaves the original signPri.key in place.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, copyFileSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { toHex } from '../src/bytes';
import { unlockKeyFile } from '../src/keyfile';
import { changeKeyPassword, type ChangedKeyFile, type ChangeKeyPasswordOptions } from '../src/passwd';
import { folderFile, openFolder, type Passwords } from './account';
import { CliError, type Io } from './io';

export interface PasswdOptions {
  /** Re-encrypt in the file's own scheme instead of PBES2 + PBKDF2-HMAC-SHA256 + SEED-CBC. */
  keepScheme: boolean;
  /** Keep signPri.key.bak (still under the OLD password) after success. */
  keepBackup: boolean;
  iterations?: number;
}

export interface PasswdResult {
  keyFile: string;
  scheme: ChangedKeyFile['scheme'];
  prf: string | null;
  iterations: number;
  randomNum: 'unchanged' | 'none';
  /** The backup's path when kept, else null. */
  backup: string | null;
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
  return {
    keyFile: keyPath,
    scheme: changed.scheme,
    prf: changed.prf ?? null,
    iterations: changed.iterations,
    randomNum: changed.hasRandomNum ? 'unchanged' : 'none',
    backup: opts.keepBackup ? backup : null,
  };
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
}
