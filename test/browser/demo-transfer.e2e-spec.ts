/**
 * Device transfer (인증서 복사) on the demo page, in headless Chromium with two
 * browser contexts against the whole running system: the "PC" gets a test
 * certificate from the dev CA, signs up and sends it; the "phone" (another
 * context: no session, no files) types the code, receives the certificate and
 * logs in with it; the code then works no more.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildClientBundle } from '../../libs/client/build';
import type { SessionTokens } from '@jointcert/contracts';
import { signWithNode, startSystem, type System } from '../support/system';
import { enrolTotp } from '../support/totp';

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

async function open(lang?: 'en'): Promise<Page> {
  const context = await browser.newContext({ locale: 'ko-KR' });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  await page.goto(`${sys.devCa.url}/demo?api=${encodeURIComponent(sys.url)}${lang ? `&lang=${lang}` : ''}`);
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

  it('an account with a second factor: sending shows the code field (ko and en), a wrong code is refused, the right one sends', async () => {
    const holder = await sys.issue({ name: '이순신', idn: '8001011234568', password: 'demo-pass-2' });
    const folder = join(outDir, 'totp');
    mkdirSync(folder);
    writeFileSync(join(folder, 'signCert.der'), Buffer.from(holder.issued.certificate, 'base64'));
    writeFileSync(join(folder, 'signPri.key'), Buffer.from(holder.issued.signPriKey, 'base64'));
    const c = await sys.challenge();
    const up = await sys.api<{ session: SessionTokens }>('POST', '/v1/certificates', { body: { challengeId: c.challengeId, signedData: signWithNode(holder, Buffer.from(c.nonce, 'base64')) } });
    const { nextCode } = await enrolTotp(sys, up.body.session.accessToken);

    for (const lang of [undefined, 'en'] as const) {
      const pc = await open(lang);
      await pc.setInputFiles('#npki-files', [join(folder, 'signCert.der'), join(folder, 'signPri.key')]);
      await pc.locator('#c-holder', { hasText: '이순신' }).waitFor();
      await pc.fill('#password', 'demo-pass-2');
      await pc.click('#login');
      await message(pc, 'ok', lang ? /Logged in/ : /로그인했습니다/);
      await expect(pc.isHidden('#transfer-totp-row')).resolves.toBe(true);
      await pc.click('#transfer-send');
      await message(pc, 'error', lang ? /uses a second factor.*TOTP_REQUIRED/ : /2단계 인증을 사용합니다.*TOTP_REQUIRED/);
      await expect(pc.isVisible('#transfer-totp-row')).resolves.toBe(true);
      await expect(pc.isHidden('#transfer-code')).resolves.toBe(true);
      await pc.fill('#transfer-totp', '000000');
      await pc.click('#transfer-send');
      await message(pc, 'error', lang ? /code is wrong or was used already.*TOTP_INVALID/ : /코드가 틀렸거나.*TOTP_INVALID/);
      await pc.fill('#transfer-totp', nextCode());
      await pc.click('#transfer-send');
      await message(pc, 'ok', lang ? /enter this code/ : /이 인증번호를 입력하세요/);
      await expect(pc.textContent('#transfer-code')).resolves.toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
      await pc.context().close();
    }
  }, 120_000);
});
