/**
 * The `jointcert` CLI end to end against the whole running system: every
 * command on files made by the dev CA, OpenSSL and the client, NPKI folders
 * on disk, passwords from stdin; the bin itself spawned for the
 * password-on-stdin login and --help.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { buildOcspRequest, parseCertificate, parseCertificates } from '@jointcert/pki';
import { NpkiCertificate } from '@jointcert/client';
import type { IssueInput, IssueResult } from '../apps/dev-ca/src/dev-ca';
import { defaultNpkiDirs } from '../libs/client/cli/main';
import { cli } from './support/cli';
import { startSystem, type System } from './support/system';

const ROOT = resolve(__dirname, '..');
const BIN = join(ROOT, 'libs', 'client', 'bin', 'jointcert.js');
const PASSWORD = 'cli-pass-12';

let sys: System;
let dir: string;
beforeAll(async () => {
  sys = await startSystem({ name: 'cli' });
  dir = mkdtempSync(join(tmpdir(), 'jc-cli-'));
});
afterAll(async () => {
  await sys?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A dev-CA certificate written as NPKI/<ca>/USER/<subject>/ under `dir`. */
async function folder(input: Partial<IssueInput>): Promise<{ issued: IssueResult; path: string }> {
  const res = await fetch(`${sys.devCa.url}/issue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: PASSWORD, ...input }) });
  expect(res.status).toBe(201);
  const issued = (await res.json()) as IssueResult;
  const path = join(dir, 'NPKI', issued.caFolder, 'USER', issued.folderName);
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'signCert.der'), Buffer.from(issued.certificate, 'base64'));
  writeFileSync(join(path, 'signPri.key'), Buffer.from(issued.signPriKey, 'base64'));
  return { issued, path };
}

const file = (name: string, data: string | Uint8Array): string => {
  writeFileSync(join(dir, name), data);
  return join(dir, name);
};

describe('jointcert CLI', () => {
  let hong: { issued: IssueResult; path: string };
  let chainPem: string;

  beforeAll(async () => {
    hong = await folder({ name: '홍길동', idn: '8001011234567', validityDays: 300 });
    chainPem = hong.issued.chainPem;
    file('chain.pem', chainPem);
  });

  it('--help everywhere; an unknown command or option is exit 2 with the usage', async () => {
    const main = await cli(['--help']);
    expect(main.code).toBe(0);
    for (const c of ['inspect', 'npki', 'verify', 'revocation', 'register', 'login', 'certificates', 'replace', 'delete']) {
      expect(main.out).toContain(c);
      const h = await cli([c, '--help']);
      expect({ c, code: h.code }).toEqual({ c, code: 0 });
      expect(h.out).toMatch(new RegExp(`^usage: jointcert ${c}`));
    }
    expect((await cli(['frobnicate'])).code).toBe(2);
    const bad = await cli(['verify', 'x', '--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/Unknown option '--bogus'[\s\S]*usage: jointcert verify/);
  });

  it('inspect: certificate, CRL, OCSP response, CMS, signPri.key and PFX, readable and --json; anything else is exit 1', async () => {
    const cert = await cli(['inspect', join(hong.path, 'signCert.der')]);
    expect(cert.code).toBe(0);
    expect(cert.out).toMatch(/holder\s+홍길동/);
    expect(cert.out).toMatch(/type\s+개인 범용/);
    expect(cert.out).toMatch(/VID\s+present/);
    expect(cert.out).toMatch(/days left\s+(299|300)/);
    expect(cert.out).toMatch(/OCSP\s+http:\/\/127\.0\.0\.1:\d+\/ocsp/);
    expect((await cli(['inspect', file('cert.pem', hong.issued.certificatePem), '--json'])).json()).toMatchObject({ kind: 'certificate', summary: { ca: 'yessign', vid: true } });

    const crl = Buffer.from(await (await fetch(`${sys.devCa.url}/crl/ca.crl`)).arrayBuffer());
    expect((await cli(['inspect', file('ca.crl', crl), '--json'])).json()).toMatchObject({ kind: 'crl', issuer: expect.stringContaining('yessignCA-Dev'), nextUpdate: expect.any(String) });

    const leaf = parseCertificate(Buffer.from(hong.issued.certificate, 'base64'));
    const issuer = parseCertificates(chainPem)[0]!;
    const ocspRes = await fetch(`${sys.devCa.url}/ocsp`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: new Uint8Array(buildOcspRequest(leaf, issuer, { hash: 'sha1' }).der) });
    const ocsp = await cli(['inspect', file('ocsp.der', Buffer.from(await ocspRes.arrayBuffer()))]);
    expect(ocsp.out).toMatch(/OCSP response: successful/);
    expect(ocsp.out).toContain(`serial ${leaf.serialHex}`);
    expect(ocsp.out).toMatch(/good; this \d{4}-/);

    const signer = await (await NpkiCertificate.open({ signCert: readFileSync(join(hong.path, 'signCert.der')), signPri: readFileSync(join(hong.path, 'signPri.key')), chain: [chainPem] })).unlock(PASSWORD);
    const cms = await cli(['inspect', file('doc.p7s', await signer.sign(Buffer.from('문서'))), '--json']);
    expect(cms.json()).toMatchObject({ kind: 'cms-signed-data', detached: false, contentBytes: 6, signers: [{ digestAlgorithm: 'sha256', signedAttributes: true }] });
    expect(cms.json<{ certificates: unknown[] }>().certificates).toHaveLength(3);

    const key = await cli(['inspect', join(hong.path, 'signPri.key')]);
    expect(key.out).toMatch(/scheme\s+seedCBCWithSHA1/);
    expect(key.out).toMatch(/iterations\s+2048/);

    file('hong-key.pem', hong.issued.privateKeyPem);
    execFileSync('openssl', ['pkcs12', '-export', '-in', join(dir, 'cert.pem'), '-inkey', join(dir, 'hong-key.pem'), '-out', join(dir, 'hong.pfx'), '-passout', 'pass:pfx-pass']);
    expect((await cli(['inspect', join(dir, 'hong.pfx'), '--json'])).json()).toMatchObject({ kind: 'pkcs12', version: 3, macAlgorithm: 'sha256', macIterations: 2048 });

    const junk = await cli(['inspect', file('junk.bin', 'hello')]);
    expect(junk.code).toBe(1);
    expect(junk.err).toMatch(/not a certificate, CRL/);
    expect((await cli(['inspect', join(dir, 'missing.der')])).err).toMatch(/cannot read .*ENOENT/);
  });

  it('npki list: the folders under a directory with type and expiry; the default places per OS', async () => {
    const l = await cli(['npki', 'list', join(dir, 'NPKI')]);
    expect(l.code).toBe(0);
    expect(l.out).toMatch(/yessign\s+CN=홍길동/);
    expect(l.out).toMatch(/개인 범용.*until \d{4}-\d\d-\d\d \((299|300) days left\) · signPri\.key/);
    expect((await cli(['npki', 'list', join(dir, 'NPKI'), '--json'])).json<unknown[]>()).toEqual(expect.arrayContaining([expect.objectContaining({ ok: true, caFolder: 'yessign', hasKey: true })]));
    expect(defaultNpkiDirs('win32', 'C:\\Users\\hong')[0]).toMatch(/AppData.LocalLow.NPKI$/);
    expect(defaultNpkiDirs('darwin', '/Users/hong')[0]).toBe('/Users/hong/Library/Preferences/NPKI');
    expect(defaultNpkiDirs('linux', '/home/hong')[0]).toBe('/home/hong/NPKI');
  });

  it('verify: a certificate and a CMS message, OCSP or CRL, exit 0 valid / 1 invalid / 2 error', async () => {
    const anchors = ['--anchors', sys.devCa.trustAnchorsDir, '--chain', sys.devCa.intermediatesDir];
    const ok = await cli(['verify', join(hong.path, 'signCert.der'), ...anchors]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^verdict: VALID/);
    expect(ok.out).toMatch(/#2 CN=jointcert Dev RootCA/);
    expect(ok.out).toMatch(/✓ GOOD CN=홍길동.*\n\s+source ocsp http:\/\/127\.0\.0\.1:\d+\/ocsp/);
    expect(ok.out).toMatch(/✓ GOOD CN=yessignCA-Dev.*\n\s+source crl http:\/\/127\.0\.0\.1:\d+\/crl\/root\.crl/); // no OCSP for the CA: the CRL
    const viaCrl = (await cli(['verify', join(hong.path, 'signCert.der'), ...anchors, '--revocation', 'crl', '--json'])).json<{ verdict: string; revocation: Array<{ source: string; url: string }> }>();
    expect(viaCrl.verdict).toBe('valid');
    expect(viaCrl.revocation.map((r) => r.source)).toEqual(['crl', 'crl']);

    const signer = await (await NpkiCertificate.open({ signCert: readFileSync(join(hong.path, 'signCert.der')), signPri: readFileSync(join(hong.path, 'signPri.key')) })).unlock(PASSWORD);
    const doc = file('signed.p7s', await signer.sign(Buffer.from('contract')));
    const cms = await cli(['verify', doc, ...anchors, '--revocation', 'none', '--json']);
    expect(cms.code).toBe(0);
    expect(cms.json()).toMatchObject({ verdict: 'valid', kind: 'cms', signer: { subject: expect.stringContaining('홍길동') }, signingTime: expect.any(String) });

    const later = await cli(['verify', doc, ...anchors, '--revocation', 'none', '--at', '2099-01-01T00:00:00Z']);
    expect(later.code).toBe(1);
    expect(later.out).toMatch(/verdict: INVALID \(.*EXPIRED/);
    const noAnchors = await cli(['verify', doc]);
    expect(noAnchors.code).toBe(2);
    expect(noAnchors.err).toMatch(/no trust anchors/);
    expect((await cli(['verify', file('junk2.bin', 'x'), ...anchors])).code).toBe(2);
  });

  it('revocation: OCSP and CRL answers with sources and times; revoked → exit 1; --progress shows the download', async () => {
    const kim = await folder({ name: '김철수', idn: '9001011234567' });
    const before = await cli(['revocation', join(kim.path, 'signCert.der'), '--issuer', join(dir, 'chain.pem'), '--progress']);
    expect(before.code).toBe(0);
    expect(before.out).toMatch(/✓ GOOD .*\n\s+source ocsp http:\/\/127.0.0.1:\d+\/ocsp signed by .*\n\s+this update \d{4}/);
    // the dev CA names its LDAP CDP first, as real NPKI certificates do
    expect(before.out).toMatch(/✓ GOOD .*\n\s+source crl ldap:\/\/127.0.0.1:\d+\/cn=crl1.*certificateRevocationList;binary signed by CN=yessignCA-Dev/);
    expect(before.err).toMatch(/\[#{30}\] 100% .*http:\/\/127.0.0.1:\d+\//); // HTTP downloads show progress (the LDAP read is one answer)
    await sys.revoke(kim.issued.serialHex, 'keyCompromise');
    const after = await cli(['revocation', join(kim.path, 'signCert.der'), '--issuer', join(dir, 'chain.pem'), '--json']);
    expect(after.code).toBe(1);
    expect(after.json()).toEqual([
      expect.objectContaining({ status: 'revoked', source: 'ocsp', reason: 'keyCompromise', revokedAt: expect.any(String) }),
      expect.objectContaining({ status: 'revoked', source: 'crl', reason: 'keyCompromise' }),
    ]);
    expect((await cli(['revocation', join(kim.path, 'signCert.der')])).err).toMatch(/--issuer/);
  });

  it('register, login, certificates, replace, delete against --api; wrong password and refusals show the code and what to do', async () => {
    const api = ['--api', sys.url];
    const wrong = await cli(['register', ...api, '--npki', hong.path, '--password-stdin'], ['nope-nope']);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/WRONG_PASSWORD: .*\n\s+→ check the certificate password/);
    expect((await cli(['register', ...api, '--npki', hong.path])).err).toMatch(/--password-stdin/);

    const reg = await cli(['register', ...api, '--npki', hong.path, '--idn', '8001011234567', '--email', 'hong@example.test', '--password-stdin', '--json'], [PASSWORD]);
    expect(reg.code).toBe(0);
    expect(reg.json()).toMatchObject({ certificate: { status: 'active' }, account: { email: 'hong@example.test' } });
    expect(reg.err).toMatch(/certificate: 홍길동.*yessign 개인 범용/);
    const again = await cli(['register', ...api, '--npki', hong.path, '--password-stdin'], [PASSWORD]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/CERT_ALREADY_REGISTERED[\s\S]*→ .*jointcert login/);

    const login = await cli(['login', ...api, '--npki', hong.path, '--password-stdin', '--json'], [PASSWORD]);
    expect(login.code).toBe(0);
    const token = login.json<{ accessToken: string }>().accessToken;
    const list = await cli(['certificates', ...api, '--token', token]);
    expect(list.out).toMatch(/active\s+(299|300) days/);

    const next = await folder({ name: '홍길동', idn: '8001011234567', validityDays: 400 });
    const id = (await cli(['certificates', ...api, '--token', token, '--json'])).json<Array<{ id: string }>>()[0]!.id;
    const rep = await cli(['replace', id, ...api, '--old', hong.path, '--npki', next.path, '--idn', '8001011234567', '--password-stdin'], [PASSWORD, PASSWORD]);
    expect(rep.code).toBe(0);
    expect(rep.out).toMatch(new RegExp(`replaced ${id} \\(now replaced\\) by [0-9a-f-]+ \\((399|400) days left\\)`));
    const gone = await cli(['login', ...api, '--npki', hong.path, '--password-stdin'], [PASSWORD]);
    expect(gone.code).toBe(1);
    expect(gone.err).toMatch(/CERT_NOT_REGISTERED[\s\S]*→ register the certificate first/);

    const certs = (await cli(['certificates', ...api, '--npki', next.path, '--password-stdin', '--json'], [PASSWORD])).json<Array<{ id: string; status: string }>>();
    expect(certs.map((c) => c.status).sort()).toEqual(['active', 'replaced']);
    const active = certs.find((c) => c.status === 'active')!;
    const del = await cli(['delete', active.id, ...api, '--token', token]);
    expect(del.code).toBe(0);
    expect(del.out).toBe(`deleted ${active.id}`);
    const notFound = await cli(['delete', '00000000-0000-4000-8000-000000000000', ...api, '--token', token]);
    expect(notFound.code).toBe(1);
    expect(notFound.err).toMatch(/NOT_FOUND/);
    const down = await cli(['certificates', '--api', 'http://127.0.0.1:1', '--token', 't']);
    expect(down.code).toBe(2);
    expect(down.err).toMatch(/NETWORK[\s\S]*→ check --api/);
  });

  it('npki passwd --api: the password is changed here, then the site is told when (a login with the changed folder); not registered → told why, changed all the same', async () => {
    const mine = await folder({ name: '심청', idn: '8202021234567' });
    const up = await cli(['register', '--api', sys.url, '--npki', mine.path, '--password-stdin', '--json'], [PASSWORD]);
    expect(up.code).toBe(0);
    const certificateId = up.json<{ certificate: { id: string } }>().certificate.id;
    const NEW = 'Changed-pass#2026';
    const r = await cli(['npki', 'passwd', mine.path, '--api', sys.url, '--password-stdin', '--json'], [PASSWORD, NEW]);
    expect(r.err).toMatch(/certificate: 심청/);
    expect(r.code).toBe(0);
    const reported = r.json<{ reported: { certificateId: string; passwordChangedAt: string } }>().reported;
    expect(reported).toEqual({ certificateId, passwordChangedAt: expect.any(String) });
    const login = await cli(['login', '--api', sys.url, '--npki', mine.path, '--password-stdin', '--json'], [NEW]);
    expect(login.code).toBe(0);
    const token = login.json<{ accessToken: string }>().accessToken;
    const seen = await sys.api<{ passwordChangedAt: string }>('GET', `/v1/certificates/${certificateId}`, { token });
    expect(seen.body.passwordChangedAt).toBe(reported.passwordChangedAt);

    // a folder whose certificate is not registered: the change stands, the output says the site was not told
    const other = await folder({ name: '뺑덕', idn: '8303031234567' });
    const human = await cli(['npki', 'passwd', other.path, '--api', sys.url, '--password-stdin'], [PASSWORD, NEW]);
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/^ {2}server {6}NOT told \(CERT_NOT_REGISTERED: /m);
    await expect((await NpkiCertificate.open({ signCert: readFileSync(join(other.path, 'signCert.der')), signPri: readFileSync(join(other.path, 'signPri.key')) })).unlock(NEW)).resolves.toBeDefined();
  });

  it('the bin: `jointcert register --password-stdin` with the password piped in, and --help', async () => {
    const kim = await folder({ name: '이순신', idn: '7501011234567' });
    const run = promisify(execFile);
    const reg = run(process.execPath, [BIN, 'register', '--api', sys.url, '--npki', kim.path, '--password-stdin', '--json'], { cwd: ROOT });
    reg.child.stdin!.end(`${PASSWORD}\n`);
    const { stdout } = await reg;
    expect(JSON.parse(stdout)).toMatchObject({ certificate: { status: 'active' }, session: { tokenType: 'Bearer' } });
    const help = await run(process.execPath, [BIN, 'inspect', '--help'], { cwd: ROOT });
    expect(help.stdout).toMatch(/^usage: jointcert inspect/);
  }, 60_000);

  it('the password is asked on the terminal without echo (a real pty through script(1))', async () => {
    const yi = await folder({ name: '장영실', idn: '6001011234567' });
    expect((await cli(['register', '--api', sys.url, '--npki', yi.path, '--password-stdin'], [PASSWORD])).code).toBe(0);
    const child = spawn('script', ['-qec', `${process.execPath} ${BIN} login --api ${sys.url} --npki '${yi.path}'`, '/dev/null'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let seen = '';
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    await new Promise<void>((done, failed) => {
      const timer = setTimeout(() => failed(new Error(`no password prompt; output: ${seen}`)), 30_000);
      child.stdout.on('data', (b: Buffer) => {
        const before = seen;
        seen += b.toString();
        // the prompt is written once the terminal is in raw mode: type the password then
        if (!/password for 장영실/.test(before) && /password for 장영실/.test(seen)) {
          clearTimeout(timer);
          child.stdin.write(`${PASSWORD}\r`);
          done();
        }
      });
    });
    expect(await exited).toBe(0);
    expect(seen).toMatch(/logged in to account [0-9a-f-]+/);
    expect(seen).not.toContain(PASSWORD);
  }, 60_000);
});
