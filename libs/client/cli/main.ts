/**
 * `jointcert`: the command line of @jointcert/client.
 *   inspect <file>            certificate, CRL, OCSP response, CMS, signPri.key, PFX
 *   npki list [dir]           the NPKI certificates of this machine
 *   npki passwd <folder>      change the certificate password of signPri.key (locally)
 *   verify <cert|cms>         path, signature and revocation report (exit 0 valid, 1 invalid, 2 error)
 *   revocation <cert>         OCSP and CRL answers with their sources and times
 *   register | login | certificates | replace | delete   against --api URL with NPKI folders
 *   transfer send <folder> | transfer receive [code]      device transfer (인증서 복사)
 */
import { homedir, platform } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { listNpkiFolder } from '@jointcert/pki';
import { NPKI_PASSWORD_RULE } from '../src/passwd';
import { apiFor, Passwords, session, unlockFolder } from './account';
import { inspect, printInspection } from './inspect';
import { CliError, type Io, processIo, readFileOrFail, reportError } from './io';
import { npkiPasswd, printPasswd } from './passwd';
import { transferReceive, transferSend } from './transfer';
import { cliHttpFetcher, printReport, printRevocation, progressBar, revocation, type RevocationChoice, verify } from './verify';

const HELP: Record<string, string> = {
  main: `jointcert — the client side of 공동인증서 (Korean joint certificate) login

usage: jointcert <command> [options]   (jointcert <command> --help for details)

  inspect <file>        what a certificate, CRL, OCSP response, CMS message, signPri.key or PFX is
  npki list [dir]       the certificates in this machine's NPKI folders, with type and expiry
  npki passwd <dir>     change the certificate password of a folder's signPri.key (never sent anywhere)
  verify <cert|cms>     full validation report; exit 0 valid, 1 invalid/indeterminate, 2 error
  revocation <cert>     OCSP and CRL answers, with sources and times
  register              sign up (or add a certificate) with an NPKI folder
  login                 log in with an NPKI folder; prints the session tokens
  certificates          list the account's certificates with days to expiry
  replace <id>          replace a registered certificate with its successor
  delete <id>           delete a registered certificate
  transfer send <dir>   send a certificate to another device: prints a 16-digit code (and a QR code)
  transfer receive      receive it with that code into a folder

Passwords are read from the terminal without echo, or one per line from stdin with --password-stdin.
Errors print the problem code and what to do.`,
  inspect: `usage: jointcert inspect <file> [--json]

Reads DER or PEM. Certificates show holder, CA, Korean type (범용 / 용도제한), VID,
validity and days left, OCSP and CRL URLs. signPri.key shows its encryption only.`,
  npki: `usage: jointcert npki list [dir] [--json]
       jointcert npki passwd <folder> [--password-stdin] [--keep-scheme] [--iterations N] [--keep-backup] [--api URL [--token TOKEN]] [--json]

list: without dir, looks in the usual places: ${defaultNpkiDirs().join(', ') || '(none for this OS)'}.
dir may be an NPKI folder, a CA folder, a USER folder or one certificate's folder.

passwd: asks the current password, then the new one twice (with --password-stdin: current, then new,
one per line) and re-encrypts signPri.key on this machine — PBES2 + PBKDF2-HMAC-SHA256 (10,000
iterations) + SEED-CBC, or the file's own scheme with --keep-scheme; R (randomNum) is kept. The new
password needs ${NPKI_PASSWORD_RULE}. The new file is written beside the old one, fsynced and proven
to decrypt before it replaces signPri.key; signPri.key.bak (the old file, old password) is removed
once the new one is proven, or kept with --keep-backup. With --api, the site is then told WHEN the password
was changed (never the password: PUT /v1/certificates/{id}/password-changed), for its optional reminder to
change it regularly; the session is --token, or a login with the changed folder.`,
  verify: `usage: jointcert verify <cert|cms> --anchors DIR [--chain FILE]... [--at TIME] [--revocation ocsp|crl|none]
                        [--content FILE] [--timeout MS] [--progress] [--json]

  --anchors DIR|FILE   trust anchors (root certificates, PEM or DER); may repeat
  --chain FILE         intermediate certificates (PEM bundle or DER); may repeat
  --at TIME            validation time (ISO 8601), default now
  --revocation MODE    ocsp (default: OCSP, the CRL when OCSP has no answer), crl (CRL only), or none
  --content FILE       the signed content of a detached CMS signature
Exit status: 0 valid, 1 invalid or indeterminate, 2 error.`,
  revocation: `usage: jointcert revocation <cert> --issuer FILE [--source ocsp|crl]... [--at TIME] [--timeout MS] [--progress] [--json]

Asks each source (default both: OCSP, then the CRL, LDAP or HTTP) and prints its
answer with the URL, the signer, thisUpdate/nextUpdate. Large CRL downloads show a progress bar.`,
  register: `usage: jointcert register --api URL --npki DIR [--email ADDRESS] [--idn NUMBER] [--token TOKEN] [--password-stdin] [--json]

Without --token: signs up (a new account). With --token: adds the certificate to that account.
--idn adds the identity check (본인확인) with the R of signPri.key.`,
  login: `usage: jointcert login --api URL --npki DIR [--password-stdin] [--json]

Prints the access and refresh tokens (use --token ACCESS with the other commands).`,
  certificates: `usage: jointcert certificates --api URL (--npki DIR | --token TOKEN) [--password-stdin] [--json]`,
  replace: `usage: jointcert replace <id> --api URL --npki NEW_DIR (--old OLD_DIR | --token TOKEN) [--idn NUMBER] [--password-stdin] [--json]

Logs in with the old certificate (or uses --token), then replaces certificate <id> with the
one in NEW_DIR (same person, later expiry). With --password-stdin: old password, then new.`,
  delete: `usage: jointcert delete <id> --api URL (--npki DIR | --token TOKEN) [--password-stdin] [--json]`,
  transfer: `usage: jointcert transfer send <folder> --api URL [--token TOKEN] [--totp CODE] [--password-stdin] [--wait] [--no-qr] [--json]
       jointcert transfer receive [code] --api URL --out DIR [--json]

send: seals the folder's signCert.der + signPri.key (plus kmCert.der + kmPri.key), or its .pfx, under a new
16-digit code and leaves it on the relay for 3 minutes; logs in with the folder itself unless --token is given.
--wait follows it until the other device took it. An account with a second factor needs --totp CODE (the
6 digits of the authenticator app, or a recovery code); on a terminal the code is asked when missing.
receive: takes it once with the code (argument or stdin) and writes the files into DIR, owner-only, never
over existing files. The key file stays protected by the certificate password: it is needed to sign, not
to receive.`,
};

/** The usual NPKI locations of this OS. */
export function defaultNpkiDirs(os: NodeJS.Platform = platform(), home: string = homedir()): string[] {
  if (os === 'win32') return [join(home, 'AppData', 'LocalLow', 'NPKI')];
  if (os === 'darwin') return [join(home, 'Library', 'Preferences', 'NPKI'), join(home, 'NPKI')];
  return [join(home, 'NPKI'), join(home, '.npki')];
}

const COMMON = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;
const API = { api: { type: 'string' }, npki: { type: 'string' }, token: { type: 'string' }, 'password-stdin': { type: 'boolean' } } as const;
const OPTIONS = {
  inspect: { ...COMMON },
  npki: { ...COMMON, 'password-stdin': { type: 'boolean' }, 'keep-scheme': { type: 'boolean' }, 'keep-backup': { type: 'boolean' }, iterations: { type: 'string' }, api: { type: 'string' }, token: { type: 'string' } },
  verify: { ...COMMON, anchors: { type: 'string', multiple: true }, chain: { type: 'string', multiple: true }, at: { type: 'string' }, revocation: { type: 'string' }, content: { type: 'string' }, timeout: { type: 'string' }, progress: { type: 'boolean' } },
  revocation: { ...COMMON, issuer: { type: 'string', multiple: true }, source: { type: 'string', multiple: true }, at: { type: 'string' }, timeout: { type: 'string' }, progress: { type: 'boolean' } },
  register: { ...COMMON, ...API, email: { type: 'string' }, idn: { type: 'string' } },
  login: { ...COMMON, ...API },
  certificates: { ...COMMON, ...API },
  replace: { ...COMMON, ...API, old: { type: 'string' }, idn: { type: 'string' } },
  delete: { ...COMMON, ...API },
  transfer: { ...COMMON, ...API, out: { type: 'string' }, wait: { type: 'boolean' }, 'no-qr': { type: 'boolean' }, totp: { type: 'string' } },
} as const satisfies Record<string, ParseArgsConfig['options']>;

type Command = keyof typeof OPTIONS;
type Values = Record<string, string | boolean | string[] | undefined>;

function time(v: string | undefined): number {
  if (v === undefined) return Date.now();
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new CliError(`--at: not a time: ${v} (ISO 8601, e.g. 2026-03-01T00:00:00Z)`);
  return t;
}

function positive(v: string | undefined, fallback: number, what: string): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new CliError(`${what}: a positive integer, got ${v}`);
  return n;
}

function one(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new CliError(`expected one ${what} (see --help)`);
  return positionals[0]!;
}

export async function run(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(HELP.main);
    return command === undefined ? 2 : 0;
  }
  if (!(command in OPTIONS)) {
    io.err(`jointcert: unknown command ${command}\n`);
    io.err(HELP.main);
    return 2;
  }
  const cmd = command as Command;
  try {
    let parsed: { values: Values; positionals: string[] };
    try {
      parsed = parseArgs({ args: [...rest], options: OPTIONS[cmd], allowPositionals: true, strict: true }) as { values: Values; positionals: string[] };
    } catch (e) {
      throw new CliError(`${(e as Error).message}\n\n${HELP[cmd]}`);
    }
    const { values: v, positionals: p } = parsed;
    if (v.help) {
      io.out(HELP[cmd]);
      return 0;
    }
    const json = v.json === true;
    const print = (data: unknown, human: () => void): void => (json ? io.out(JSON.stringify(data, null, 2)) : human());
    const passwords = new Passwords(io, v['password-stdin'] === true);
    const str = (k: string): string | undefined => v[k] as string | undefined;
    const list = (k: string): string[] => (v[k] as string[] | undefined) ?? [];
    const timeoutMs = positive(str('timeout'), 10_000, '--timeout');
    switch (cmd) {
      case 'inspect': {
        const i = inspect(readFileOrFail(one(p, 'file')), Date.now());
        print(i, () => printInspection(i, io.out));
        return 0;
      }
      case 'npki': {
        if (p[0] === 'passwd') {
          if (p.length !== 2) throw new CliError('give one folder: jointcert npki passwd <folder> (see --help)');
          const iterations = str('iterations');
          const r = await npkiPasswd(
            p[1]!,
            {
              keepScheme: v['keep-scheme'] === true,
              keepBackup: v['keep-backup'] === true,
              ...(iterations ? { iterations: positive(iterations, 0, '--iterations') } : {}),
              ...(str('api') !== undefined ? { api: str('api')! } : {}),
              ...(str('token') !== undefined ? { token: str('token')! } : {}),
            },
            passwords,
            io,
          );
          print(r, () => printPasswd(r, io.out));
          return 0;
        }
        if (p[0] !== 'list' || p.length > 2) throw new CliError(`usage: ${HELP.npki}`);
        const dirs = p[1] ? [p[1]] : defaultNpkiDirs().filter((d) => existsSync(d));
        if (dirs.length === 0) throw new CliError(`no NPKI folder found (looked in ${defaultNpkiDirs().join(', ')}); give one: jointcert npki list DIR`, 1);
        const entries = dirs.flatMap((d) => listNpkiFolder(d));
        print(entries, () => {
          for (const e of entries) {
            if (!e.ok) io.out(`✗ ${e.dir}: ${e.error.code} ${e.error.message}`);
            else {
              const days = Math.floor((e.notAfter - Date.now()) / 86_400_000);
              io.out(`${e.caFolder.padEnd(10)} ${e.subject}`);
              io.out(`           ${e.type?.label ?? 'unknown type'} · until ${new Date(e.notAfter).toISOString().slice(0, 10)} (${days < 0 ? `expired ${-days} days ago` : `${days} days left`}) · ${e.hasKey ? 'signPri.key' : 'no key'} · ${e.dir}`);
            }
          }
          if (entries.length === 0) io.out('(no certificates)');
        });
        return 0;
      }
      case 'verify': {
        const mode = (str('revocation') ?? 'ocsp') as RevocationChoice;
        if (!['ocsp', 'crl', 'none'].includes(mode)) throw new CliError(`--revocation: ocsp, crl or none, got ${mode}`);
        const report = await verify(readFileOrFail(one(p, 'certificate or CMS file')), {
          anchors: list('anchors'),
          chain: list('chain'),
          at: time(str('at')),
          revocation: mode,
          ...(str('content') ? { content: readFileOrFail(str('content')!) } : {}),
          timeoutMs,
          http: cliHttpFetcher(progressBar(io, v.progress === true)),
        });
        print(report, () => printReport(report, io.out));
        return report.verdict === 'valid' ? 0 : 1;
      }
      case 'revocation': {
        const sources = list('source').length ? list('source') : ['ocsp', 'crl'];
        for (const s of sources) if (s !== 'ocsp' && s !== 'crl') throw new CliError(`--source: ocsp or crl, got ${s}`);
        const answers = await revocation(readFileOrFail(one(p, 'certificate')), {
          issuer: list('issuer'),
          at: time(str('at')),
          timeoutMs,
          http: cliHttpFetcher(progressBar(io, v.progress === true)),
          sources: sources as Array<'ocsp' | 'crl'>,
        });
        print(answers, () => answers.forEach((a) => printRevocation(a, io.out, '')));
        return answers.some((a) => a.status === 'revoked') ? 1 : 0;
      }
      case 'register': {
        if (!str('npki')) throw new CliError('give --npki DIR');
        const api = apiFor(str('api'), str('token'));
        const signer = await unlockFolder(str('npki')!, passwords, io);
        const r = await api.signUp(signer, { ...(str('email') ? { email: str('email')! } : {}), ...(str('idn') ? { idn: str('idn')! } : {}) });
        print(r, () => {
          io.out(`registered certificate ${r.certificate.id} (${r.certificate.typeLabel ?? r.certificate.type ?? '?'}, ${r.certificate.daysLeft} days left)`);
          if (r.account) io.out(`new account ${r.account.id}`);
          if (r.session) io.out(`access token: ${r.session.accessToken}`);
        });
        return 0;
      }
      case 'login': {
        const api = apiFor(str('api'));
        if (!str('npki')) throw new CliError('give --npki DIR');
        const s = await api.logIn(await unlockFolder(str('npki')!, passwords, io));
        print(s, () => {
          io.out(`logged in to account ${s.account.id}`);
          io.out(`access token:  ${s.accessToken} (${s.expiresIn} s)`);
          io.out(`refresh token: ${s.refreshToken}`);
        });
        return 0;
      }
      case 'certificates': {
        const api = apiFor(str('api'), str('token'));
        await session(api, { ...(str('token') ? { token: str('token')! } : {}), ...(str('npki') ? { npki: str('npki')! } : {}) }, passwords, io);
        const certs = await api.listCertificates();
        print(certs, () => {
          for (const c of certs) io.out(`${c.id}  ${c.status.padEnd(8)} ${String(c.daysLeft).padStart(5)} days  ${c.notAfter.slice(0, 10)}  ${c.typeLabel ?? c.type ?? '?'}  ${c.subject}`);
          if (certs.length === 0) io.out('(no certificates)');
        });
        return 0;
      }
      case 'replace': {
        const id = one(p, 'certificate id');
        if (!str('npki')) throw new CliError('give --npki NEW_DIR (the successor certificate)');
        const api = apiFor(str('api'), str('token'));
        await session(api, { ...(str('token') ? { token: str('token')! } : {}), ...(str('old') ? { npki: str('old')! } : {}) }, passwords, io);
        const r = await api.replaceWith(id, await unlockFolder(str('npki')!, passwords, io), str('idn') ? { idn: str('idn')! } : {});
        print(r, () => io.out(`replaced ${r.previous.id} (now ${r.previous.status}) by ${r.certificate.id} (${r.certificate.daysLeft} days left)`));
        return 0;
      }
      case 'delete': {
        const id = one(p, 'certificate id');
        const api = apiFor(str('api'), str('token'));
        await session(api, { ...(str('token') ? { token: str('token')! } : {}), ...(str('npki') ? { npki: str('npki')! } : {}) }, passwords, io);
        await api.deleteCertificate(id);
        print({ deleted: id }, () => io.out(`deleted ${id}`));
        return 0;
      }
      case 'transfer': {
        const [action, target, ...extra] = p;
        if (extra.length > 0 || (action !== 'send' && action !== 'receive')) throw new CliError(HELP.transfer!);
        if (action === 'send') {
          if (!target) throw new CliError('give the folder to send: jointcert transfer send <folder>');
          const r = await transferSend(target, { api: str('api'), token: str('token'), qr: v['no-qr'] !== true && !json, wait: v.wait === true, ...(str('totp') !== undefined ? { totp: str('totp')! } : {}) }, passwords, io, json);
          if (json) io.out(JSON.stringify(r, null, 2));
          return r.outcome === 'expired' ? 1 : 0;
        }
        const r = await transferReceive(target, { api: str('api'), out: str('out') }, io, json);
        if (json) io.out(JSON.stringify(r, null, 2));
        return 0;
      }
    }
  } catch (e) {
    return reportError(io, e);
  }
}

/** The bin entry (libs/client/bin/jointcert.js). */
export function main(): void {
  run(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`jointcert: ${String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
