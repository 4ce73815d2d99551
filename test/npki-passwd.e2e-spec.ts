/**
 * `jointcert npki passwd <folder>` end to end (in-process CLI, real files):
 * a dev-CA folder and a copy of the real yessign folder re-encrypted, read
 * back by the client and by libs/pki, R unchanged, the backup removed or
 * kept, no temporary file left; weak and wrong passwords change nothing.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decryptSignPriKey } from '@jointcert/pki';
import { NpkiCertificate, toHex } from '@jointcert/client';
import { systemClock } from '@jointcert/common';
import { DevCa, type IssueResult } from '../apps/dev-ca/src/dev-ca';
import { NPKI_PASSWORD_RULE } from '../libs/client/src/passwd';
import { run } from '../libs/client/cli/main';
import { capturedIo, cli } from './support/cli';

const SHARED_YESSIGN = join(__dirname, '..', '..', 'shared', 'fixtures', 'npki-yessign-test');
const YESSIGN_PASSWORD = 'WTuA8Ev0lWXVFSiI!';
const YESSIGN_R = '7858b4328390805129f01c97fe6ca4a520cbd479';
const OLD = 'dev-ca-pass-12';
const NEW = 'Fresh-pass#2026';

let dir: string;
let ca: DevCa;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'jc-npki-passwd-'));
  ca = DevCa.open(join(dir, 'ca'), systemClock, () => 'http://127.0.0.1:9');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A dev-CA certificate written as an NPKI folder (signPri.key owner-only). */
function devCaFolder(name: string): { issued: IssueResult; path: string } {
  const issued = ca.issue({ password: OLD, name: '홍길동', idn: '8001011234567' });
  const path = join(dir, name);
  mkdirSync(path);
  writeFileSync(join(path, 'signCert.der'), Buffer.from(issued.certificate, 'base64'));
  writeFileSync(join(path, 'signPri.key'), Buffer.from(issued.signPriKey, 'base64'), { mode: 0o600 });
  return { issued, path };
}

async function unlock(path: string, password: string) {
  const npki = await NpkiCertificate.open({ signCert: readFileSync(join(path, 'signCert.der')), signPri: readFileSync(join(path, 'signPri.key')) });
  return npki.unlock(password); // also checks the key still belongs to signCert.der
}

describe('jointcert npki passwd', () => {
  it('--help names the rule, the scheme and the backup', async () => {
    const h = await cli(['npki', '--help']);
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/^usage: jointcert npki list/);
    expect(h.out).toContain('jointcert npki passwd <folder>');
    expect(h.out).toContain(NPKI_PASSWORD_RULE);
    expect(h.out).toMatch(/signPri\.key\.bak/);
  });

  it('a dev-CA folder: re-encrypted (PBES2 + SEED), opens with the new password only, R unchanged, no backup or temp file left, mode kept', async () => {
    const { issued, path } = devCaFolder('dev');
    const r = await cli(['npki', 'passwd', path, '--password-stdin'], [OLD, NEW]);
    expect(r.err).toMatch(/certificate: 홍길동/);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/password changed: .*signPri\.key/);
    expect(r.out).toMatch(/PBES2 \+ PBKDF2-hmacWithSHA256 \+ SEED-CBC, 10000 iterations/);
    expect(r.out).toMatch(/backup\s+removed/);

    const signer = await unlock(path, NEW);
    expect(toHex(signer.randomNum!)).toBe(Buffer.from(issued.randomNum, 'base64').toString('hex'));
    await expect(unlock(path, OLD)).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    expect(decryptSignPriKey(readFileSync(join(path, 'signPri.key')), NEW).scheme).toBe('pbes2');
    expect(readdirSync(path).sort()).toEqual(['signCert.der', 'signPri.key']);
    expect(statSync(join(path, 'signPri.key')).mode & 0o777).toBe(0o600);
  });

  it('a copy of the yessign folder with --keep-scheme --keep-backup --json: seedCBCWithSHA1 again, the backup is the original; a second run refuses while it exists', async () => {
    const path = join(dir, 'yessign');
    mkdirSync(path);
    for (const f of ['signCert.der', 'signPri.key']) copyFileSync(join(SHARED_YESSIGN, f), join(path, f));
    const original = readFileSync(join(path, 'signPri.key'));

    const r = await cli(['npki', 'passwd', path, '--password-stdin', '--keep-scheme', '--keep-backup', '--json'], [YESSIGN_PASSWORD, NEW]);
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({ keyFile: join(path, 'signPri.key'), scheme: 'seedCBCWithSHA1', prf: null, iterations: 2048, randomNum: 'unchanged', backup: join(path, 'signPri.key.bak') });
    const k = decryptSignPriKey(readFileSync(join(path, 'signPri.key')), NEW);
    expect(k.scheme).toBe('seedCBCWithSHA1');
    expect(k.randomNum?.toString('hex')).toBe(YESSIGN_R);
    expect(k.pkcs8.equals(decryptSignPriKey(original, YESSIGN_PASSWORD).pkcs8)).toBe(true);
    expect(readFileSync(join(path, 'signPri.key.bak')).equals(original)).toBe(true);
    expect(readdirSync(path).sort()).toEqual(['signCert.der', 'signPri.key', 'signPri.key.bak']);

    const again = await cli(['npki', 'passwd', path, '--password-stdin'], [NEW, 'Another-pass#1']);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/signPri\.key\.bak exists .*move or delete it first/);
    expect(decryptSignPriKey(readFileSync(join(path, 'signPri.key')), NEW).randomNum?.toString('hex')).toBe(YESSIGN_R);
  });

  it('a weak new password or a wrong current one: the code, what to do, and the folder unchanged', async () => {
    const { path } = devCaFolder('refused');
    const before = readFileSync(join(path, 'signPri.key'));
    const unchanged = (): void => {
      expect(readFileSync(join(path, 'signPri.key')).equals(before)).toBe(true);
      expect(readdirSync(path).sort()).toEqual(['signCert.der', 'signPri.key']);
    };

    const weak = await cli(['npki', 'passwd', path, '--password-stdin'], [OLD, 'password1']);
    expect(weak.code).toBe(1);
    expect(weak.err).toContain(`WEAK_PASSWORD: the new password must have ${NPKI_PASSWORD_RULE} (missing: length, symbol)`);
    expect(weak.err).toMatch(/→ choose a new password of at least 10 characters/);
    unchanged();

    const wrong = await cli(['npki', 'passwd', path, '--password-stdin'], ['not-the-password', NEW]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/WRONG_PASSWORD[\s\S]*→ check the certificate password/);
    unchanged();

    const same = await cli(['npki', 'passwd', path, '--password-stdin'], [OLD, OLD]);
    expect(same.code).toBe(1);
    expect(same.err).toContain('INVALID_ARGUMENT: the new password is the same as the old one');
    unchanged();

    const oneLine = await cli(['npki', 'passwd', path, '--password-stdin'], [OLD]);
    expect(oneLine.code).toBe(2);
    expect(oneLine.err).toMatch(/no line for the new password/);
    const noTty = await cli(['npki', 'passwd', path]);
    expect(noTty.code).toBe(2);
    expect(noTty.err).toMatch(/--password-stdin/);
    const noFolder = await cli(['npki', 'passwd', join(dir, 'missing'), '--password-stdin'], [OLD, NEW]);
    expect(noFolder.code).toBe(2);
    expect(noFolder.err).toMatch(/no such folder/);
    unchanged();
  });

  it('on a terminal: asks current, new and new again without echo; two different new passwords change nothing', async () => {
    const { path } = devCaFolder('tty');
    const before = readFileSync(join(path, 'signPri.key'));
    const terminal = (answers: string[]) => {
      const t = capturedIo();
      const prompts: string[] = [];
      t.io.stdinIsTty = true;
      t.io.promptHidden = (prompt) => {
        prompts.push(prompt);
        return Promise.resolve(answers.shift() ?? '');
      };
      return { ...t, prompts };
    };
    const differ = terminal([OLD, NEW, `${NEW}x`]);
    expect(await run(['npki', 'passwd', path], differ.io)).toBe(1);
    expect(differ.prompts.map((x) => x.replace(/ for 홍길동.*: $/, ''))).toEqual(['current password', 'new password', 'new password again']);
    expect(differ.err.join('\n')).toMatch(/the two new passwords differ: nothing was changed/);
    expect(readFileSync(join(path, 'signPri.key')).equals(before)).toBe(true);

    const ok = terminal([OLD, NEW, NEW]);
    expect(await run(['npki', 'passwd', path], ok.io)).toBe(0);
    await expect(unlock(path, NEW)).resolves.toBeDefined();
  });
});
