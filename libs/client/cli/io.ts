/** The CLI's input and output: printing, JSON, reading passwords without echo, errors with what to do. */
import { readFileSync } from 'node:fs';
import { ApiError, ClientError } from '../src/errors';

export interface Io {
  out: (line?: string) => void;
  err: (line?: string) => void;
  /** The whole of stdin (for --password-stdin), read once. */
  stdinLines: () => Promise<string[]>;
  /** Prompt on stderr and read a line from the terminal without echo. */
  promptHidden: (prompt: string) => Promise<string>;
  stdinIsTty: boolean;
  stderrIsTty: boolean;
}

export function processIo(): Io {
  let lines: Promise<string[]> | undefined;
  return {
    out: (l = '') => void process.stdout.write(`${l}\n`),
    err: (l = '') => void process.stderr.write(`${l}\n`),
    stdinLines: () => (lines ??= readAll().then((t) => t.split(/\r?\n/))),
    promptHidden,
    stdinIsTty: process.stdin.isTTY === true,
    stderrIsTty: process.stderr.isTTY === true,
  };
}

async function readAll(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    stdin.setRawMode(true); // no echo from here on; the prompt comes after, so nothing typed at it is echoed
    process.stderr.write(prompt);
    stdin.resume();
    stdin.setEncoding('utf8');
    let value = '';
    const done = (fn: () => void): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      fn();
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done(() => resolve(value));
        if (ch === '\u0003') return done(() => reject(new CliError('cancelled', 2)));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** A usage or input error of the CLI itself; `exit` is the process exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exit: number = 2,
  ) {
    super(message);
  }
}

/** What to do about a problem code. */
const HINTS: Record<string, string> = {
  WRONG_PASSWORD: 'check the certificate password (the one you set when the certificate was issued)',
  WEAK_PASSWORD: 'choose a new password of at least 10 characters with letters, digits and symbols (printable ASCII, no spaces)',
  MALFORMED_KEY_FILE: 'signPri.key is damaged or of an unknown kind: copy the NPKI folder again',
  MALFORMED_CERTIFICATE: 'signCert.der is not a certificate: copy the NPKI folder again',
  KEY_CERT_MISMATCH: 'signCert.der and signPri.key come from different folders',
  NPKI_FILE_MISSING: 'give the folder that holds signCert.der and signPri.key (see `jointcert npki list`)',
  NETWORK: 'check --api (the gateway URL) and that the gateway runs',
  CERT_NOT_REGISTERED: 'register the certificate first: `jointcert register --npki DIR`',
  CERT_ALREADY_REGISTERED: 'this certificate is registered already: `jointcert login`',
  CERT_REVOKED: 'the CA revoked this certificate: get a new one and `jointcert replace`',
  CERT_EXPIRED: 'renew the certificate at its CA, then `jointcert replace`',
  CHAIN_UNTRUSTED: 'the server does not trust this CA',
  POLICY_NOT_ACCEPTED: 'the site does not accept this type of certificate (범용 / general-purpose is usually needed)',
  IDENTITY_MISMATCH: 'the resident/business number does not match the certificate',
  REVOCATION_UNKNOWN: 'the revocation status could not be fetched: try again later',
  UNAUTHENTICATED: 'log in again (--npki DIR) or give a valid --token',
  RATE_LIMITED: 'too many attempts: wait and try again',
  NOT_FOUND: 'list the ids with `jointcert certificates`',
  TOTP_REQUIRED: 'this account has a second factor: give --totp CODE (the 6 digits of your authenticator app, or a recovery code)',
  TOTP_INVALID: 'the code is wrong or was used already: wait for the next one (or use a recovery code)',
  TRANSFER_NOT_FOUND: 'check the 16 digits; a code works once and for 3 minutes — send again for a new one',
  TRANSFER_ADDRESS_IN_USE: 'send again: a new code is made',
};

/** Print an error with its code and what to do; returns the exit code. */
export function reportError(io: Io, e: unknown): number {
  if (e instanceof CliError) {
    io.err(`jointcert: ${e.message}`);
    return e.exit;
  }
  if (e instanceof ApiError || e instanceof ClientError) {
    io.err(`jointcert: ${e.code}: ${e instanceof ApiError ? (e.problem.detail ?? e.problem.title) : e.message}`);
    const hint = HINTS[e.code];
    if (hint) io.err(`  → ${hint}`);
    return e instanceof ClientError && e.code === 'NETWORK' ? 2 : 1;
  }
  io.err(`jointcert: ${e instanceof Error ? e.message : String(e)}`);
  return 2;
}

export function readFileOrFail(path: string, max = 64 * 1024 * 1024): Buffer {
  let b: Buffer;
  try {
    b = readFileSync(path);
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (b.length > max) throw new CliError(`${path} is larger than ${max} bytes`);
  return b;
}

export const iso = (ms: number | undefined | null): string => (ms === undefined || ms === null ? '—' : new Date(ms).toISOString());
