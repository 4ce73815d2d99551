/**
 * `jointcert transfer send <folder>` / `transfer receive` end to end against
 * the whole running system: a dev-CA NPKI folder on disk is sent (logging in
 * with itself, password on stdin) and received into another folder on the
 * "phone", byte for byte; refusals show the code and what to do.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IssueResult } from '../apps/dev-ca/src/dev-ca';
import type { SessionTokens } from '@jointcert/contracts';
import { run } from '../libs/client/cli/main';
import { capturedIo, cli } from './support/cli';
import { signWithNode, startSystem, type System } from './support/system';
import { enrolTotp } from './support/totp';

const PASSWORD = 'cli-transfer-1';
let sys: System;
let dir: string;
let issued: IssueResult;
let npki: string;

beforeAll(async () => {
  sys = await startSystem({ name: 'transfer-cli' });
  dir = mkdtempSync(join(tmpdir(), 'jc-transfer-cli-'));
  const holder = await sys.issue({ name: '홍길동', idn: '8001011234567', password: PASSWORD });
  issued = holder.issued;
  npki = join(dir, 'NPKI', issued.caFolder, 'USER', issued.folderName);
  mkdirSync(npki, { recursive: true });
  writeFileSync(join(npki, 'signCert.der'), Buffer.from(issued.certificate, 'base64'));
  writeFileSync(join(npki, 'signPri.key'), Buffer.from(issued.signPriKey, 'base64'));
  // registered (signed up) first: sending needs a session of the account
  const c = await sys.challenge();
  const up = await sys.api('POST', '/v1/certificates', { body: { challengeId: c.challengeId, signedData: signWithNode(holder, Buffer.from(c.nonce, 'base64')) } });
  expect(up.status).toBe(201);
});

afterAll(async () => {
  await sys?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('jointcert transfer', () => {
  it('send <folder> prints the code 4×4 and a QR code; receive <code> --out writes the files byte-identical; the code works once', async () => {
    const sent = await cli(['transfer', 'send', npki, '--api', sys.url, '--password-stdin'], [PASSWORD]);
    expect(sent.err).toContain('certificate: 홍길동');
    expect(sent.code).toBe(0);
    const code = /^ {4}(\d{4} \d{4} \d{4} \d{4})$/m.exec(sent.out)?.[1];
    expect(code).toBeDefined();
    expect(sent.out).toMatch(/sent signCert\.der \+ signPri\.key/);
    expect(sent.out).toMatch(/[▀▄█]/);

    const phone = join(dir, 'phone');
    const got = await cli(['transfer', 'receive', code!, '--api', sys.url, '--out', phone]);
    expect(got.code).toBe(0);
    for (const name of ['signCert.der', 'signPri.key']) expect(readFileSync(join(phone, name)).equals(readFileSync(join(npki, name)))).toBe(true);

    // again: the code is spent
    const again = await cli(['transfer', 'receive', code!, '--api', sys.url, '--out', join(dir, 'phone2')]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/TRANSFER_NOT_FOUND/);
  });

  it('send --wait follows the transfer until the other device takes it; receive reads the code from stdin', async () => {
    const { io, out } = capturedIo([PASSWORD]);
    const sending = run(['transfer', 'send', npki, '--api', sys.url, '--password-stdin', '--wait', '--no-qr'], io);
    let code: string | undefined;
    for (const end = Date.now() + 20_000; !code && Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
      code = /^ {4}(\d{4} \d{4} \d{4} \d{4})$/m.exec(out.join('\n'))?.[1];
    }
    expect(code).toBeDefined();
    expect(out.join('\n')).not.toMatch(/[▀▄█]/);
    const got = await cli(['transfer', 'receive', '--api', sys.url, '--out', join(dir, 'phone3'), '--json'], [code!]);
    expect(got.code).toBe(0);
    expect(got.json<{ written: string[] }>().written.map((p) => p.split('/').pop())).toEqual(['signCert.der', 'signPri.key']);
    expect(await sending).toBe(0);
    expect(out.at(-1)).toBe('received by the other device.');
  });

  it('an account with a second factor: send without --totp is TOTP_REQUIRED with the --totp hint; with --totp it sends; on a terminal the code is asked', async () => {
    const holder = await sys.issue({ name: '이순신', idn: '8001011234568', password: PASSWORD });
    const folder = join(dir, 'totp', holder.issued.folderName);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'signCert.der'), Buffer.from(holder.issued.certificate, 'base64'));
    writeFileSync(join(folder, 'signPri.key'), Buffer.from(holder.issued.signPriKey, 'base64'));
    const c = await sys.challenge();
    const up = await sys.api<{ session: SessionTokens }>('POST', '/v1/certificates', { body: { challengeId: c.challengeId, signedData: signWithNode(holder, Buffer.from(c.nonce, 'base64')) } });
    const token = up.body.session.accessToken;
    const { nextCode } = await enrolTotp(sys, token);

    const refused = await cli(['transfer', 'send', folder, '--api', sys.url, '--token', token, '--no-qr']);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/TOTP_REQUIRED/);
    expect(refused.err).toMatch(/give --totp CODE/);

    const sent = await cli(['transfer', 'send', folder, '--api', sys.url, '--token', token, '--no-qr', '--totp', nextCode(), '--json']);
    expect(sent.code).toBe(0);
    expect(sent.json<{ code: string }>().code).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);

    // a terminal: the certificate password, then (after TOTP_REQUIRED) the code are asked
    const { io, out, err } = capturedIo();
    const prompts: string[] = [];
    const answers = [PASSWORD, nextCode()];
    const tty = { ...io, stdinIsTty: true, promptHidden: (prompt: string) => (prompts.push(prompt), Promise.resolve(answers.shift()!)) };
    expect(await run(['transfer', 'send', folder, '--api', sys.url, '--no-qr'], tty)).toBe(0);
    expect(prompts).toEqual([expect.stringMatching(/^password for /), 'code from your authenticator app (or a recovery code): ']);
    expect(err.join('\n')).toContain('this account has a second factor.');
    expect(out.join('\n')).toMatch(/^ {4}\d{4} \d{4} \d{4} \d{4}$/m);
  });

  it('refusals: no --out, a code that is not 16 digits, a folder without a certificate', async () => {
    expect((await cli(['transfer', 'receive', '1234', '--api', sys.url])).err).toMatch(/give --out DIR/);
    const short = await cli(['transfer', 'receive', '1234 5678', '--api', sys.url, '--out', join(dir, 'x')]);
    expect(short.code).toBe(2);
    expect(short.err).toMatch(/the transfer code has 16 digits; this one has 8/);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const none = await cli(['transfer', 'send', empty, '--api', sys.url, '--password-stdin'], [PASSWORD]);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/no signCert\.der \+ signPri\.key and no \.pfx\/\.p12 here/);
  });
});
