/**
 * Test support: run the machine's OpenSSL as an independent peer. Synchronous,
 * with the legacy provider available for SEED. Throws with OpenSSL's stderr.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function openssl(args: string[], input?: Uint8Array | string, cwd?: string): Buffer {
  try {
    return execFileSync('openssl', args, { input, cwd, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`openssl ${args.join(' ')} failed: ${err.stderr?.toString() ?? err.message}`, { cause: e });
  }
}

/** The provider flags SEED needs on OpenSSL 3. */
export const LEGACY = ['-provider', 'legacy', '-provider', 'default'];

/** A temporary directory removed by the returned cleanup function. */
export function tempDir(prefix = 'jointcert-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Where scripts/fetch-vectors.sh put the cryptography vectors (x509/...). */
export const VECTORS_DIR = join(__dirname, '..', '..', '..', '.cache', 'vectors');
