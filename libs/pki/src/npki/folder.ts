/**
 * Reading NPKI folders from the file system: `NPKI/<CA>/USER/<subject>/` with
 * signCert.der, signPri.key and optionally kmCert.der/kmPri.key.
 *
 * The only module of libs/pki that touches the file system, and only at paths
 * the caller gives. The walk is bounded (entries per directory, subject
 * folders in total, file sizes), never follows symbolic links, matches the
 * USER folder and file names case-insensitively (trees copied from Windows),
 * and reports a broken subject folder as an entry with an error instead of
 * failing the whole listing.
 */
import { closeSync, type Dirent, fstatSync, lstatSync, openSync, opendirSync, readSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseCertificate } from '../cert/parse';
import type { Certificate } from '../cert/types';
import { PkiError } from '../errors';
import { assertKeyMatchesCertificate, decryptSignPriKey, type DecryptedKey, MAX_KEY_FILE_SIZE } from './keyfile';
import { classifyCertificate, type NpkiCertType } from './profile';

export interface NpkiFolderLimits {
  /** Directory entries read per directory (default 1000). */
  maxDirEntries: number;
  /** Subject folders reported in total (default 200). */
  maxSubjects: number;
  /** Largest certificate or key file read (default 64 KiB). */
  maxFileSize: number;
}

export const DEFAULT_NPKI_FOLDER_LIMITS: NpkiFolderLimits = { maxDirEntries: 1000, maxSubjects: 200, maxFileSize: MAX_KEY_FILE_SIZE };

export type NpkiEntry =
  | {
      ok: true;
      dir: string;
      /** Name of the CA folder ("yessign", "SignKorea", ...). */
      caFolder: string;
      subject: string;
      serialHex: string;
      notBefore: number;
      notAfter: number;
      type: NpkiCertType | undefined;
      hasKey: boolean;
      hasKm: boolean;
    }
  | { ok: false; dir: string; caFolder: string; error: { code: string; message: string } };

const FILES = { signCert: 'signcert.der', signKey: 'signpri.key', kmCert: 'kmcert.der', kmKey: 'kmpri.key' } as const;

function invalid(message: string, details?: Record<string, unknown>): PkiError {
  return new PkiError('NPKI_FOLDER_INVALID', message, details);
}

/** Subdirectories and files of `dir` (no symbolic links), at most `max` entries read. */
function list(dir: string, max: number): { dirs: string[]; files: Map<string, string>; truncated: boolean } {
  const dirs: string[] = [];
  const files = new Map<string, string>(); // lower-case name → real name
  let truncated = false;
  const d = opendirSync(dir);
  try {
    let n = 0;
    for (let e: Dirent | null = d.readSync(); e !== null; e = d.readSync()) {
      if (++n > max) {
        truncated = true;
        break;
      }
      if (e.isDirectory()) dirs.push(e.name);
      else if (e.isFile()) files.set(e.name.toLowerCase(), e.name);
    }
  } finally {
    d.closeSync();
  }
  dirs.sort();
  return { dirs, files, truncated };
}

function findDir(dirs: string[], lowerName: string): string | undefined {
  return dirs.find((d) => d.toLowerCase() === lowerName);
}

/** Read a regular file (not a link) of at most `max` bytes. */
function readBounded(path: string, max: number): Buffer {
  const st = lstatSync(path);
  if (!st.isFile()) throw invalid(`${basename(path)} is not a regular file`, { path });
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > max) throw invalid(`${basename(path)} is ${size} bytes; the limit is ${max}`, { path });
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const r = readSync(fd, buf, off, size - off, off);
      if (r === 0) break;
      off += r;
    }
    return buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}

function ioError(e: unknown, path: string): PkiError {
  if (e instanceof PkiError) return e;
  const code = (e as { code?: unknown }).code;
  return invalid(`cannot read ${path}: ${typeof code === 'string' ? code : 'I/O error'}`, { path });
}

/**
 * List the certificates under an NPKI folder. `root` may be the NPKI folder,
 * one CA folder, a USER folder, or a single subject folder. Throws
 * NPKI_FOLDER_INVALID when root is not a readable directory (or is a link);
 * problems inside are entries with `ok: false`. When a limit is reached the
 * last entry says so (error code NPKI_FOLDER_INVALID).
 */
export function listNpkiFolder(root: string, limits: Partial<NpkiFolderLimits> = {}): NpkiEntry[] {
  const lim = { ...DEFAULT_NPKI_FOLDER_LIMITS, ...limits };
  let top: ReturnType<typeof list>;
  try {
    if (!lstatSync(root).isDirectory()) throw invalid('the NPKI root is not a directory (symbolic links are not followed)', { root });
    top = list(root, lim.maxDirEntries);
  } catch (e) {
    throw ioError(e, root);
  }

  // where are the subject folders? (USER folders, with the CA folder name for each)
  const userDirs: Array<{ path: string; ca: string; listing?: ReturnType<typeof list> }> = [];
  const entries: NpkiEntry[] = [];
  let truncatedAt: string | undefined = top.truncated ? root : undefined;
  if (top.files.has(FILES.signCert)) {
    // a single subject folder
    const user = dirname(root);
    entries.push(readEntry(root, basename(dirname(user)), top.files, lim));
    return entries;
  }
  if (basename(root).toLowerCase() === 'user') {
    userDirs.push({ path: root, ca: basename(dirname(root)), listing: top });
  } else {
    const user = findDir(top.dirs, 'user');
    if (user !== undefined) {
      userDirs.push({ path: join(root, user), ca: basename(root) });
    } else {
      for (const ca of top.dirs) {
        try {
          const caList = list(join(root, ca), lim.maxDirEntries);
          if (caList.truncated) truncatedAt ??= join(root, ca);
          const u = findDir(caList.dirs, 'user');
          if (u !== undefined) userDirs.push({ path: join(root, ca, u), ca });
        } catch (e) {
          entries.push({ ok: false, dir: join(root, ca), caFolder: ca, error: errorOf(ioError(e, join(root, ca))) });
        }
      }
    }
  }

  outer: for (const u of userDirs) {
    let users: ReturnType<typeof list>;
    try {
      users = u.listing ?? list(u.path, lim.maxDirEntries);
    } catch (e) {
      entries.push({ ok: false, dir: u.path, caFolder: u.ca, error: errorOf(ioError(e, u.path)) });
      continue;
    }
    if (users.truncated) truncatedAt ??= u.path;
    for (const s of users.dirs) {
      if (entries.length >= lim.maxSubjects) {
        truncatedAt ??= u.path;
        break outer;
      }
      const dir = join(u.path, s);
      try {
        const l = list(dir, lim.maxDirEntries);
        if (l.files.has(FILES.signCert)) entries.push(readEntry(dir, u.ca, l.files, lim));
      } catch (e) {
        entries.push({ ok: false, dir, caFolder: u.ca, error: errorOf(ioError(e, dir)) });
      }
    }
  }
  if (truncatedAt !== undefined) {
    entries.push({
      ok: false,
      dir: truncatedAt,
      caFolder: '',
      error: { code: 'NPKI_FOLDER_INVALID', message: `listing stopped at a limit (${lim.maxSubjects} subjects, ${lim.maxDirEntries} entries per folder)` },
    });
  }
  return entries;
}

function errorOf(e: PkiError): { code: string; message: string } {
  return { code: e.code, message: e.message };
}

function readEntry(dir: string, caFolder: string, files: Map<string, string>, lim: NpkiFolderLimits): NpkiEntry {
  try {
    const cert = parseCertificate(readBounded(join(dir, files.get(FILES.signCert)!), lim.maxFileSize));
    return {
      ok: true,
      dir,
      caFolder,
      subject: cert.subject.text,
      serialHex: cert.serialHex,
      notBefore: cert.notBefore,
      notAfter: cert.notAfter,
      type: classifyCertificate(cert),
      hasKey: files.has(FILES.signKey),
      hasKm: files.has(FILES.kmCert) && files.has(FILES.kmKey),
    };
  } catch (e) {
    const err = e instanceof PkiError ? e : ioError(e, dir);
    return { ok: false, dir, caFolder, error: errorOf(err) };
  }
}

export interface NpkiPair {
  certificate: Certificate;
  key: DecryptedKey;
}

/**
 * Load and decrypt the signing pair of one subject folder, checking that the
 * key belongs to the certificate. Throws NPKI_FOLDER_INVALID (files missing or
 * unreadable), the certificate parser's errors, WRONG_PASSWORD,
 * MALFORMED_KEY_FILE or KEY_CERT_MISMATCH.
 */
export function loadNpkiPair(dir: string, password: string | Uint8Array, limits: Partial<NpkiFolderLimits> = {}): NpkiPair {
  const lim = { ...DEFAULT_NPKI_FOLDER_LIMITS, ...limits };
  let files: Map<string, string>;
  let certDer: Buffer;
  let keyFile: Buffer;
  try {
    if (!lstatSync(dir).isDirectory()) throw invalid('not a directory (symbolic links are not followed)', { dir });
    files = list(dir, lim.maxDirEntries).files;
    const certName = files.get(FILES.signCert);
    const keyName = files.get(FILES.signKey);
    if (certName === undefined || keyName === undefined) throw invalid('signCert.der and signPri.key are both required', { dir });
    certDer = readBounded(join(dir, certName), lim.maxFileSize);
    keyFile = readBounded(join(dir, keyName), lim.maxFileSize);
  } catch (e) {
    throw ioError(e, dir);
  }
  const certificate = parseCertificate(certDer);
  const key = decryptSignPriKey(keyFile, password);
  assertKeyMatchesCertificate(key.privateKey, certificate);
  return { certificate, key };
}
