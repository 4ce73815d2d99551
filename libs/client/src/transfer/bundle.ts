/**
 * The plaintext of a transfer: the certificate's files exactly as they are
 * (`signCert.der` + `signPri.key`, still protected by the certificate
 * password, optionally `kmCert.der` + `kmPri.key`; or one `.pfx` / `.p12`).
 *
 *   "JCTB" 0x01 count:u8 { nameLength:u8 name:ASCII dataLength:u32be data }*
 *
 * Names are plain file names (no paths), so a receiver can write them into a
 * folder without any path surprises.
 */
export interface TransferFile {
  name: string;
  data: Uint8Array;
}

const MAGIC = [0x4a, 0x43, 0x54, 0x42]; // "JCTB"
const VERSION = 1;
const MAX_FILES = 8;
/** A plain file name: no separators, no leading dot. */
export const TRANSFER_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class TransferBundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransferBundleError';
  }
}

export function encodeBundle(files: readonly TransferFile[]): Uint8Array {
  if (files.length === 0 || files.length > MAX_FILES) throw new TransferBundleError(`a transfer carries 1 to ${MAX_FILES} files, not ${files.length}`);
  const names = new Set<string>();
  let size = MAGIC.length + 2;
  for (const f of files) {
    if (!TRANSFER_FILE_NAME.test(f.name)) throw new TransferBundleError(`'${f.name}' is not a plain file name (letters, digits, . _ -; no path)`);
    if (names.has(f.name)) throw new TransferBundleError(`'${f.name}' appears twice`);
    names.add(f.name);
    size += 1 + f.name.length + 4 + f.data.length;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[4] = VERSION;
  out[5] = files.length;
  let at = 6;
  for (const f of files) {
    out[at++] = f.name.length;
    for (let i = 0; i < f.name.length; i++) out[at++] = f.name.charCodeAt(i);
    view.setUint32(at, f.data.length);
    at += 4;
    out.set(f.data, at);
    at += f.data.length;
  }
  return out;
}

export function decodeBundle(bytes: Uint8Array): TransferFile[] {
  const fail = (why: string): never => {
    throw new TransferBundleError(`the transfer's content is not a jointcert bundle: ${why}`);
  };
  if (bytes.length < 6 || MAGIC.some((b, i) => bytes[i] !== b)) fail('wrong header');
  if (bytes[4] !== VERSION) fail(`version ${bytes[4]} is not supported`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = bytes[5]!;
  const files: TransferFile[] = [];
  let at = 6;
  for (let n = 0; n < count; n++) {
    if (at + 1 > bytes.length) fail('truncated');
    const nameLength = bytes[at++]!;
    if (at + nameLength + 4 > bytes.length) fail('truncated');
    const name = String.fromCharCode(...bytes.subarray(at, at + nameLength));
    at += nameLength;
    if (!TRANSFER_FILE_NAME.test(name) || files.some((f) => f.name === name)) fail(`bad file name '${name}'`);
    const length = view.getUint32(at);
    at += 4;
    if (at + length > bytes.length) fail('truncated');
    files.push({ name, data: bytes.slice(at, at + length) });
    at += length;
  }
  if (at !== bytes.length || count === 0) fail('trailing or missing data');
  return files;
}
