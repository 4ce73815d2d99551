/**
 * The demo page in a real headless Chromium (Debian's /usr/bin/chromium driven
 * by playwright-core, no browser download) against the whole running system:
 * the real yessign test key decrypted in the browser, a wrong password, a test
 * certificate from the dev CA, register, log out and in, replace, sign and
 * verify a document with its report, add and delete, a revoked certificate,
 * the English page, and a .pfx. Screenshots of every step: .cache/artifacts/client-demo/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildClientBundle, type ClientBundle } from '../../libs/client/build';
import { startSystem, type System } from '../support/system';

const ROOT = resolve(__dirname, '..', '..');
const ARTIFACTS = join(ROOT, '.cache', 'artifacts', 'client-demo');
const YESSIGN_DIR = join(ROOT, 'libs', 'pki', 'test-fixtures', 'npki-yessign-test');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let sys: System;
let context: BrowserContext;
let page: Page;
let profileDir: string;
const pageErrors: string[] = [];
let bundle: ClientBundle;

beforeAll(async () => {
  bundle = await buildClientBundle();
  mkdirSync(ARTIFACTS, { recursive: true });
  // the page (dev CA origin) calls the gateway (another origin): CORS for the demo
  sys = await startSystem({ name: 'demo', env: { CORS_ORIGINS: '*' } });
  profileDir = mkdtempSync(join(tmpdir(), 'jc-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, viewport: { width: 1100, height: 900 }, locale: 'ko-KR' });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('dialog', (d) => void d.accept());
}, 90_000);

afterAll(async () => {
  await context?.close();
  await sys?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

const shot = (name: string): Promise<Buffer> => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

/** The little of the DOM these page functions use (this repository compiles without the DOM lib). */
interface BrowserGlobals {
  document: { getElementById(id: string): { hidden: boolean; className: string; textContent: string | null; classList: { contains(c: string): boolean } } | null };
}

/** Wait until the status line shows `kind` with `text` (the previous message is cleared by `click`). */
async function expectMessage(kind: 'ok' | 'error', text: string | RegExp): Promise<void> {
  const re = typeof text === 'string' ? new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : text;
  try {
    await page.waitForFunction(
      ([k, source, flags]) => {
        const m = (globalThis as unknown as BrowserGlobals).document.getElementById('message');
        return !!m && !m.hidden && m.classList.contains(k!) && new RegExp(source!, flags).test(m.textContent ?? '');
      },
      [kind, re.source, re.flags],
      { timeout: 20_000 },
    );
  } catch (e) {
    throw new Error(`expected a ${kind} message ${String(re)}, the page shows: ${await page.textContent('#message')}`, { cause: e });
  }
}

/** Clear the status line, then click. */
async function click(selector: string): Promise<void> {
  await page.evaluate(() => {
    const m = (globalThis as unknown as BrowserGlobals).document.getElementById('message')!;
    m.hidden = true;
    m.className = '';
    m.textContent = '';
  });
  await page.click(selector);
}

async function issueAndUse(name: string, idn: string, days: number): Promise<void> {
  await page.fill('#issue-name', name);
  await page.fill('#issue-idn', idn);
  await page.fill('#issue-password', 'demo-pass-1');
  await page.fill('#issue-days', String(days));
  await click('#issue-button');
  await expectMessage('ok', name);
  await click('#use-issued');
  await page.locator('#c-holder', { hasText: name }).waitFor();
  await page.fill('#password', 'demo-pass-1');
}

/** The list is rendered before the success message shows, so counting after expectMessage is not racy. */
const rows = () => page.locator('#certificates tbody tr');

describe('the demo page in headless Chromium', () => {
  it('the browser bundle is one ESM file within its gzip budget, without Node built-ins', () => {
    // buildClientBundle throws when a node: module or a node_modules package other than the Buffer shim's gets in
    expect(bundle.gzipBytes).toBeLessThanOrEqual(bundle.budget);
    expect(readFileSync(bundle.file, 'utf8')).toMatch(/export\s*\{[^}]*NpkiCertificate/);
  });

  it('shows in Korean; the real yessign key: described, wrong password refused, decrypted in the browser', async () => {
    await page.goto(`${sys.devCa.url}/demo?api=${encodeURIComponent(sys.url)}`);
    await page.locator('body[data-ready="true"]').waitFor();
    await expect(page.textContent('h1')).resolves.toContain('공동인증서');
    await shot('01-page');

    await page.setInputFiles('#npki-files', [join(YESSIGN_DIR, 'signCert.der'), join(YESSIGN_DIR, 'signPri.key')]);
    await page.locator('#cert-card:not([hidden])').waitFor();
    await expect(page.textContent('#c-ca')).resolves.toContain('yessign');
    await expect(page.textContent('#c-type')).resolves.toContain('은행');
    await expect(page.textContent('#c-days')).resolves.toMatch(/일 지남/);
    await expect(page.textContent('#c-key')).resolves.toBe('seedCBCWithSHA1, 2048');

    await page.fill('#password', 'not-the-password');
    await click('#check-password');
    await expectMessage('error', /비밀번호가 올바르지 않습니다.*WRONG_PASSWORD/);
    await shot('02-wrong-password');

    await page.fill('#password', 'WTuA8Ev0lWXVFSiI!');
    await click('#check-password');
    await expectMessage('ok', /비밀번호가 맞습니다.*seedCBCWithSHA1.*본인확인 값\(R\) 있음/);
    await shot('03-yessign-decrypted');
  });

  it('a dev-CA certificate: issued as an NPKI folder, registered with the identity check, listed with days left; log out and in', async () => {
    await issueAndUse('홍길동', '8001011234567', 365);
    await expect(page.textContent('#issued-folder')).resolves.toMatch(/^NPKI\/yessign\/USER\/cn=홍길동/);
    await expect(page.getAttribute('#dl-key', 'href')).resolves.toMatch(/^blob:/);
    await page.fill('#idn', '8001011234567');
    await page.fill('#email', 'hong@example.test');
    await shot('04-issued');
    await click('#register');
    await expectMessage('ok', '인증서를 등록했습니다');
    expect(await rows().count()).toBe(1);
    await expect(rows().first().textContent()).resolves.toMatch(/사용 중.*(364|365)일/);
    await shot('05-registered');

    await click('#logout');
    await expectMessage('ok', '로그아웃');
    await expect(page.isHidden('#account')).resolves.toBe(true);
    await click('#login');
    await expectMessage('ok', '로그인했습니다');
    expect(await rows().count()).toBe(1);
    await shot('06-logged-in');
  });

  it('replace with a successor, then sign a document and show its validation report', async () => {
    await issueAndUse('홍길동', '8001011234567', 500);
    await page.fill('#idn', '8001011234567');
    await click('#certificates tbody tr button.replace');
    await expectMessage('ok', '인증서를 변경했습니다');
    expect(await rows().count()).toBe(2);
    await expect(page.locator('#certificates tbody td.status-replaced').count()).resolves.toBe(1);
    await expect(page.locator('#certificates tbody td.status-active').count()).resolves.toBe(1);
    await shot('07-replaced');

    await page.fill('#document', '계약서: 갑과 을은 다음과 같이 합의한다. (demo)');
    await click('#sign-verify');
    await expectMessage('ok', '검증을 마쳤습니다');
    await expect(page.textContent('#report .verdict')).resolves.toBe('유효');
    await expect(page.locator('#report ol.chain li').count()).resolves.toBeGreaterThanOrEqual(2);
    await expect(page.locator('#report table.checks td.ok-mark').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('#report table.checks td.fail-mark').count()).resolves.toBe(0);
    await expect(page.textContent('#report table.revocation')).resolves.toMatch(/good\s*ocsp http:\/\/127\.0\.0\.1/);
    await page.locator('#report').scrollIntoViewIfNeeded();
    await shot('08-report');
  });

  it('add a second certificate to the account and delete it', async () => {
    await issueAndUse('김철수', '9001011234567', 20);
    await page.fill('#idn', '');
    await click('#register');
    await expectMessage('ok', '인증서를 등록했습니다');
    expect(await rows().count()).toBe(3);
    const kim = rows().filter({ hasText: '김철수' });
    await expect(kim.locator('td.soon').count()).resolves.toBe(1); // under 30 days left: highlighted
    await shot('09-added');
    await click(`#certificates tbody tr[data-id="${await kim.getAttribute('data-id')}"] button.delete`);
    await expectMessage('ok', '인증서를 삭제했습니다');
    expect(await rows().count()).toBe(2);
    expect(await rows().filter({ hasText: '김철수' }).count()).toBe(0);
    await shot('10-deleted');
  });

  it('a revoked certificate shows its message; the page switches to English', async () => {
    await issueAndUse('변학도', '7001011234567', 365);
    await click('#revoke-issued');
    await expectMessage('ok', '폐지했습니다');
    await page.fill('#idn', '');
    await click('#login');
    await expectMessage('error', /폐지된 인증서입니다.*CERT_REVOKED/);
    await shot('11-revoked');

    await page.click('#lang-en');
    await expect(page.textContent('h1')).resolves.toBe('jointcert demo — joint certificate login');
    await expect(page.textContent('#certificates thead')).resolves.toContain('Days left');
    await expect(page.textContent('#report .verdict')).resolves.toBe('valid'); // the report is re-rendered in English too
    await click('#login');
    await expectMessage('error', /This certificate is revoked.*CERT_REVOKED/);
    await shot('12-english');
    expect(pageErrors).toEqual([]);
  });

  it('a .pfx exported by OpenSSL: contents hidden until the password, wrong password refused, then registered to the account', async () => {
    const res = await fetch(`${sys.devCa.url}/issue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: '정약용', password: 'unused-pass' }) });
    const issued = (await res.json()) as { certificatePem: string; privateKeyPem: string; chainPem: string };
    const dir = mkdtempSync(join(tmpdir(), 'jc-demo-pfx-'));
    try {
      writeFileSync(join(dir, 'cert.pem'), issued.certificatePem);
      writeFileSync(join(dir, 'key.pem'), issued.privateKeyPem);
      writeFileSync(join(dir, 'chain.pem'), issued.chainPem);
      execFileSync('openssl', ['pkcs12', '-export', '-in', join(dir, 'cert.pem'), '-inkey', join(dir, 'key.pem'), '-certfile', join(dir, 'chain.pem'), '-out', join(dir, 'jeong.pfx'), '-passout', 'pass:pfx-pass-1']);
      await page.setInputFiles('#npki-files', [join(dir, 'jeong.pfx')]);
      await expect(page.textContent('#c-key')).resolves.toContain('PKCS#12 file');
      await page.fill('#password', 'wrong-pass');
      await click('#check-password');
      await expectMessage('error', /password is wrong.*WRONG_PASSWORD/);
      await page.fill('#password', 'pfx-pass-1');
      await page.fill('#idn', '');
      await click('#register');
      await expectMessage('ok', 'Certificate registered');
      await expect(page.textContent('#c-holder')).resolves.toContain('정약용');
      expect(await rows().filter({ hasText: '정약용' }).count()).toBe(1);
      await shot('13-pfx-registered');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(pageErrors).toEqual([]);
  });
});
