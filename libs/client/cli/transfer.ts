/** `jointcert transfer send <folder>` / `transfer receive [code]`: device transfer (인증서 복사) over --api. */
import { readTransferFolder, writeTransferFolder } from '../src/transfer/folder';
import { transferQrTerminal } from '../src/transfer/qr-image';
import { parseTransferCode } from '../src/transfer/code';
import { receiveTransfer, sendTransfer, transferStatus, type SentTransfer } from '../src/transfer/relay';
import type { TransferFile } from '../src/transfer/bundle';
import { ApiError } from '../src/errors';
import { apiFor, type Passwords, session } from './account';
import { CliError, type Io } from './io';

export interface SendOptions {
  api: string | undefined;
  token: string | undefined;
  /** Show a QR code of the code (not with --json). */
  qr: boolean;
  /** Poll until the other device took it (or it expired). */
  wait: boolean;
  pollMs?: number;
  /** A fresh second-factor code (--totp), for accounts with TOTP; asked on the terminal when missing and the server wants one. */
  totp?: string;
}

export interface SendOutcome extends Omit<SentTransfer, 'code'> {
  code: string;
  files: string[];
  /** With --wait: received by the other device, or expired unclaimed. */
  outcome?: 'claimed' | 'expired';
}

/**
 * Seal the folder's files (an NPKI pair, or a PFX) under a fresh code and
 * leave them on the relay. The session comes from --token, or from logging in
 * with the folder itself (its password is asked, and stays here).
 */
export async function transferSend(folder: string, opts: SendOptions, passwords: Passwords, io: Io, json: boolean): Promise<SendOutcome> {
  const files: TransferFile[] = await readTransferFolder(folder);
  const api = apiFor(opts.api, opts.token);
  await session(api, { ...(opts.token ? { token: opts.token } : {}), npki: folder }, passwords, io);
  const token = api.tokens?.accessToken;
  if (!token) throw new CliError('no session: give --token TOKEN, or a folder whose certificate is registered');
  const endpoint = { baseUrl: api.baseUrl };
  const sent = await withSecondFactor((code) => sendTransfer(endpoint, token, files, code), opts.totp, io);
  const result: SendOutcome = { code: sent.code.display, transferId: sent.transferId, expiresAt: sent.expiresAt, files: files.map((f) => f.name) };
  if (!json) {
    io.out(`sent ${result.files.join(' + ')}; on the other device, enter this code before ${sent.expiresAt}:`);
    io.out('');
    io.out(`    ${sent.code.display}`);
    io.out('');
    if (opts.qr) io.out(await transferQrTerminal(sent.code));
    io.out('The code is the key: show it only to the receiving device. The files stay protected by the certificate password.');
  }
  if (opts.wait) {
    const end = Date.parse(sent.expiresAt);
    const poll = opts.pollMs ?? 2000;
    for (;;) {
      if ((await transferStatus(endpoint, token)) === null) {
        result.outcome = Date.now() < end ? 'claimed' : 'expired';
        break;
      }
      if (Date.now() >= end) {
        result.outcome = 'expired';
        break;
      }
      await new Promise((r) => setTimeout(r, Math.min(poll, Math.max(50, end - Date.now()))));
    }
    if (!json) io.out(result.outcome === 'claimed' ? 'received by the other device.' : 'expired without being received: send again for a new code.');
  }
  return result;
}

/**
 * An action a second factor may guard: without --totp, a TOTP_REQUIRED answer
 * on a terminal asks for the code once and tries again; elsewhere it stays the
 * error (with its --totp hint).
 */
export async function withSecondFactor<T>(action: (code: string | undefined) => Promise<T>, given: string | undefined, io: Io): Promise<T> {
  try {
    return await action(given);
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 'TOTP_REQUIRED' && given === undefined && io.stdinIsTty)) throw e;
    io.err('this account has a second factor.');
    const code = (await io.promptHidden('code from your authenticator app (or a recovery code): ')).trim();
    return action(code);
  }
}

/** Take the transfer with the code (argument, or one line on stdin) and write its files into --out. */
export async function transferReceive(code: string | undefined, opts: { api: string | undefined; out: string | undefined }, io: Io, json: boolean): Promise<{ written: string[] }> {
  if (!opts.out) throw new CliError('give --out DIR (a new or empty folder for the certificate files)');
  const text = code ?? (await io.stdinLines())[0];
  if (!text) throw new CliError('give the 16-digit code (as an argument, or on stdin)');
  const parsed = parseTransferCode(text);
  const api = apiFor(opts.api);
  const files = await receiveTransfer({ baseUrl: api.baseUrl }, parsed);
  const written = await writeTransferFolder(opts.out, files);
  if (!json) {
    for (const w of written) io.out(`wrote ${w}`);
    io.out('The key file is still protected by the certificate password: you need it to sign, not to receive.');
  }
  return { written };
}
