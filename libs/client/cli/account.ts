/** `jointcert register | login | certificates | replace | delete` against --api, with NPKI folders. */
import { join } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import { JointcertApi, type SessionTokens } from '../src/api';
import { NpkiCertificate, type NpkiSigner } from '../src/npki';
import { CliError, type Io, readFileOrFail } from './io';

/** The path of `name` in an NPKI folder (names case-insensitive, as copied from Windows). */
export function folderFile(dir: string, name: string): string {
  if (!existsSync(dir)) throw new CliError(`no such folder: ${dir}`);
  const f = readdirSync(dir).find((x) => x.toLowerCase() === name.toLowerCase());
  if (!f) throw new CliError(`${dir} has no ${name} (give the folder that holds signCert.der and signPri.key; see \`jointcert npki list\`)`);
  return join(dir, f);
}

/** signCert.der and signPri.key of a folder. */
export async function openFolder(dir: string): Promise<NpkiCertificate> {
  return NpkiCertificate.open({ signCert: readFileOrFail(folderFile(dir, 'signCert.der')), signPri: readFileOrFail(folderFile(dir, 'signPri.key')) });
}

/** Passwords: from the terminal without echo, or one per line from stdin with --password-stdin. */
export class Passwords {
  private next = 0;
  constructor(
    private readonly io: Io,
    private readonly fromStdin: boolean,
  ) {}

  /** Whether the passwords come from stdin lines (no prompt, no confirmation). */
  get piped(): boolean {
    return this.fromStdin;
  }

  async read(what: string, label = 'password'): Promise<string> {
    if (this.fromStdin) {
      const lines = await this.io.stdinLines();
      const p = lines[this.next++];
      if (p === undefined || p === '') throw new CliError(`--password-stdin: no line for the ${label} of ${what}`);
      return p;
    }
    if (!this.io.stdinIsTty) throw new CliError('no terminal to ask the password on: pass it on stdin with --password-stdin');
    return this.io.promptHidden(`${label} for ${what}: `);
  }
}

export async function unlockFolder(dir: string, passwords: Passwords, io: Io): Promise<NpkiSigner> {
  const npki = await openFolder(dir);
  const info = npki.describe();
  io.err(`certificate: ${info.holder} — ${info.ca ?? '?'} ${info.typeLabel}, until ${info.notAfter.toISOString().slice(0, 10)} (${info.daysLeft} days)`);
  return npki.unlock(await passwords.read(info.holder));
}

export function apiFor(url: string | undefined, token?: string): JointcertApi {
  if (!url) throw new CliError('give the gateway with --api URL');
  const api = new JointcertApi({ baseUrl: url });
  if (token) api.tokens = { tokenType: 'Bearer', accessToken: token, expiresIn: 0, refreshToken: '', refreshExpiresIn: 0 } as SessionTokens;
  return api;
}

/** A session: --token as given, or a login with --npki. */
export async function session(api: JointcertApi, opts: { token?: string; npki?: string }, passwords: Passwords, io: Io): Promise<void> {
  if (opts.token) return;
  if (!opts.npki) throw new CliError('give --npki DIR (to log in) or --token TOKEN');
  await api.logIn(await unlockFolder(opts.npki, passwords, io));
}
