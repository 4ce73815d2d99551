/**
 * Node only (the CLI's `jointcert transfer send <folder>` / `receive`): which
 * files of a certificate folder travel, and writing received ones. Not in the
 * package index, which stays browser-safe.
 */
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TRANSFER_FILE_NAME, TransferBundleError, type TransferFile } from './bundle';

/** The files of an NPKI user folder (sign pair required, KM pair when present), as they are. */
const NPKI_FILES = ['signCert.der', 'signPri.key', 'kmCert.der', 'kmPri.key'] as const;
const PFX = /\.(pfx|p12)$/i;
/** Larger than any certificate file; a bigger one is not what the user meant to send. */
const MAX_FILE_BYTES = 64 * 1024;

/**
 * The files to send from `path`: an NPKI user folder (signCert.der and
 * signPri.key, plus kmCert.der and kmPri.key when present), or a folder with
 * exactly one .pfx/.p12, or a .pfx/.p12 file itself.
 */
export async function readTransferFolder(path: string): Promise<TransferFile[]> {
  const info = await stat(path);
  if (info.isFile()) {
    if (!PFX.test(path)) throw new TransferBundleError(`${path}: send an NPKI folder (signCert.der + signPri.key) or a .pfx/.p12 file`);
    return [await readOne(path, path.split(/[\\/]/).pop()!)];
  }
  const names = await readdir(path);
  if (names.includes('signCert.der') || names.includes('signPri.key')) {
    for (const required of ['signCert.der', 'signPri.key']) {
      if (!names.includes(required)) throw new TransferBundleError(`${path}: ${required} is missing (an NPKI folder has signCert.der and signPri.key)`);
    }
    return Promise.all(NPKI_FILES.filter((n) => names.includes(n)).map((n) => readOne(join(path, n), n)));
  }
  const pfx = names.filter((n) => PFX.test(n));
  if (pfx.length === 1) return [await readOne(join(path, pfx[0]!), pfx[0]!)];
  throw new TransferBundleError(
    pfx.length > 1 ? `${path}: ${pfx.length} .pfx/.p12 files; name the one to send` : `${path}: no signCert.der + signPri.key and no .pfx/.p12 here`,
  );
}

async function readOne(path: string, name: string): Promise<TransferFile> {
  if (!TRANSFER_FILE_NAME.test(name)) throw new TransferBundleError(`'${name}' is not a plain file name`);
  const info = await stat(path);
  if (info.size > MAX_FILE_BYTES) throw new TransferBundleError(`${path} is ${info.size} bytes; certificate files are a few KiB`);
  return { name, data: new Uint8Array(await readFile(path)) };
}

/**
 * Write received files into `dir` (created if needed), owner-only (0600),
 * never over an existing file: a certificate already there is not replaced
 * behind the user's back. Returns the paths written.
 */
export async function writeTransferFolder(dir: string, files: readonly TransferFile[]): Promise<string[]> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const existing = new Set(await readdir(dir));
  const clash = files.filter((f) => existing.has(f.name)).map((f) => f.name);
  if (clash.length > 0) throw new TransferBundleError(`${dir} already has ${clash.join(', ')}; receive into an empty folder`);
  const written: string[] = [];
  for (const f of files) {
    if (!TRANSFER_FILE_NAME.test(f.name)) throw new TransferBundleError(`'${f.name}' is not a plain file name`);
    const path = join(dir, f.name);
    // O_EXCL: fails rather than follows or replaces anything that appeared meanwhile
    const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      await handle.writeFile(f.data);
    } finally {
      await handle.close();
    }
    written.push(path);
  }
  return written;
}
