/**
 * Device transfer (인증서 복사) on the demo page, in headless Chromium with two
 * browser contexts against the whole running system: the "PC" gets a test
 * certificate from the dev CA, signs up and sends it; the "phone" (another
 * context: no session, no files) types the code, receives the certificate and
 * logs in with it; the code then works no more.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildClientBundle } from '../../libs/client/build';
import { startSystem, type System } from '../support/system';

let sys: System;
let browser: Browser;
let outDir: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'jc-demo-transfer-'));
  await buildClientBundle();
  sys = await startSystem({ name: 'demo-transfer', env: { CORS_ORIGINS: '*' } });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await sys?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

async function open(): Promise<Page> {
  const context = await browser.newContext({ locale: 'ko-KR' });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  await page.goto(`${sys.devCa.url}/demo?api=${encodeURIComponent(sys.url)}`);
  await page.locator('body[data-ready="true"]').waitFor();
  return page;
}

async function message(page: Page, kind: 'ok' | 'error', re: RegExp): Promise<string> {
  const m = page.locator(`#message.${kind}`, { hasText: re });
  await m.waitFor({ timeout: 30_000 }).catch(async (e: unknown) => {
    throw new Error(`expected a ${kind} message ${String(re)}, the page shows: ${await page.textContent('#message')} (page errors: ${pageErrors.join('; ')})`, { cause: e });
  });
  return (await m.textContent()) ?? '';
}

describe('the demo page: 인증서 복사 between two browser contexts', () => {
  it('the PC sends its certificate; the phone types the code, receives it, and logs in with it; the code is then spent', async () => {
    const pc = await open();
    await pc.fill('#issue-name', '홍길동');
    await pc.fill('#issue-idn', '8001011234567');
    await pc.fill('#issue-password', 'demo-pass-1');
    await pc.fill('#issue-days', '365');
    await pc.click('#issue-button');
    await message(pc, 'ok', /홍길동/);
    await pc.click('#use-issued');
    await pc.locator('#c-holder', { hasText: '홍길동' }).waitFor();
    await pc.fill('#password', 'demo-pass-1');
    await pc.click('#register');
    await message(pc, 'ok', /인증서를 등록했습니다/);
    const accountId = await pc.textContent('#account-id');

    await pc.click('#transfer-send');
    const sent = await message(pc, 'ok', /이 인증번호를 입력하세요/);
    const code = (await pc.textContent('#transfer-code'))!;
    expect(code).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    expect(sent).toContain(code);
    await pc.screenshot({ path: join(outDir, 'pc.png') });

    const phone = await open();
    await expect(phone.textContent('#c-holder')).resolves.not.toContain('홍길동');
    await phone.fill('#transfer-code-input', code);
    await phone.click('#transfer-receive');
    await message(phone, 'ok', /인증서를 받았습니다 \(signCert\.der, signPri\.key\)/);
    await expect(phone.textContent('#c-holder')).resolves.toContain('홍길동');
    await phone.fill('#password', 'demo-pass-1');
    await phone.click('#login');
    await message(phone, 'ok', /로그인했습니다/);
    await expect(phone.textContent('#account-id')).resolves.toBe(accountId);

    // a third device with the same code: spent
    const other = await open();
    await other.fill('#transfer-code-input', code);
    await other.click('#transfer-receive');
    await message(other, 'error', /이 인증번호로 기다리는 인증서가 없습니다.*TRANSFER_NOT_FOUND/);
    // and a code that is not 16 digits is refused before anything is sent
    await other.fill('#transfer-code-input', '1234 5678');
    await other.click('#transfer-receive');
    await message(other, 'error', /16 digits; this one has 8/);
  }, 120_000);
});
