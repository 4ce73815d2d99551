/**
 * Device transfer in a real browser: the client halves (libs/client/src/transfer)
 * bundled for the browser platform by esbuild, loaded by a page in Chromium
 * (playwright-core, /usr/bin/chromium), two browser contexts — the PC signed in,
 * the phone with nothing — talking to the whole system's gateway over CORS.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import type { PageFunction } from 'playwright-core/types/structs';
import type { SessionTokens } from '@jointcert/contracts';
import type * as Transfer from '../libs/client/src/transfer/index';
import { signWithNode, startSystem, type System } from './support/system';

let sys: System;
let browser: Browser;
let page: Server;
let pageUrl: string;
let token: string;
let files: Array<{ name: string; base64: string }>;

const HTML = '<!doctype html><html><head><meta charset="utf-8"><script src="/transfer.js"></script></head><body></body></html>';

/** The page's global: the transfer module plus base64 helpers for crossing into the test. */
declare const isSecureContext: boolean;
declare const jct: typeof Transfer & {
  transferQrSvg(code: Transfer.TransferCode): Promise<string>;
  toBase64(b: Uint8Array): string;
  fromBase64(s: string): Uint8Array;
};

beforeAll(async () => {
  const [system, bundle] = await Promise.all([
    startSystem({ name: 'transfer-browser', env: { CORS_ORIGINS: '*' } }),
    build({
      stdin: {
        contents: "export * from './index'; export { transferQrSvg } from './qr-image'; export { toBase64, fromBase64 } from '../bytes';",
        resolveDir: join(__dirname, '..', 'libs', 'client', 'src', 'transfer'),
        loader: 'ts',
      },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'jct',
      write: false,
      logLevel: 'silent',
      tsconfig: join(__dirname, '..', 'tsconfig.json'),
    }),
  ]);
  sys = system;
  const js = bundle.outputFiles[0]!.text;
  page = createServer((req, res) => {
    if (req.url === '/transfer.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(HTML);
  });
  await new Promise<void>((ready) => page.listen(0, '127.0.0.1', ready));
  pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });

  const holder = await sys.issue({ name: '성춘향', idn: '9001012234567' });
  const c = await sys.challenge();
  const up = await sys.api<{ session: SessionTokens }>('POST', '/v1/certificates', { body: { challengeId: c.challengeId, signedData: signWithNode(holder, Buffer.from(c.nonce, 'base64')) } });
  expect(up.status).toBe(201);
  token = up.body.session.accessToken;
  files = [
    { name: 'signCert.der', base64: holder.issued.certificate },
    { name: 'signPri.key', base64: holder.issued.signPriKey },
  ];
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((done) => page?.close(done));
  await sys?.close();
});

interface Device {
  context: BrowserContext;
  /** Run `fn(arg)` in the device's page (arg and result cross as JSON). */
  run<R, A>(fn: (arg: A) => Promise<R>, arg: A): Promise<R>;
}

async function device(): Promise<Device> {
  const context = await browser.newContext();
  const p = await context.newPage();
  await p.goto(pageUrl);
  // our arguments are plain JSON, for which playwright's Unboxed<A> is A
  return { context, run: <R, A>(fn: (arg: A) => Promise<R>, arg: A) => p.evaluate<R, A>(fn as PageFunction<A, R>, arg) };
}

describe('device transfer in Chromium, two browser contexts', () => {
  it('the PC sends (code 4×4 and a QR code), the phone types the code and gets the files byte-identical', async () => {
    const pc = await device();
    const phone = await device();
    try {
      const sent = await pc.run(
        async ({ baseUrl, token, files }) => {
          const s = await jct.sendTransfer({ baseUrl }, token, files.map((f) => ({ name: f.name, data: jct.fromBase64(f.base64) })));
          return { display: s.code.display, svg: await jct.transferQrSvg(s.code), secure: isSecureContext };
        },
        { baseUrl: sys.url, token, files },
      );
      expect(sent.secure).toBe(true);
      expect(sent.display).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
      expect(sent.svg).toMatch(/^<svg /);

      const received = await phone.run(
        async ({ baseUrl, code }) => (await jct.receiveTransfer({ baseUrl }, code)).map((f) => ({ name: f.name, base64: jct.toBase64(f.data) })),
        { baseUrl: sys.url, code: sent.display },
      );
      expect(received).toEqual(files);
    } finally {
      await pc.context.close();
      await phone.context.close();
    }
  }, 60_000);

  it('a ciphertext altered on the way: the phone gets the clear AEAD message, nothing else', async () => {
    const pc = await device();
    const phone = await device();
    try {
      const code = await pc.run(
        async ({ baseUrl, token, files }) => (await jct.sendTransfer({ baseUrl }, token, files.map((f) => ({ name: f.name, data: jct.fromBase64(f.base64) })))).code.display,
        { baseUrl: sys.url, token, files },
      );
      // the network between the relay and the phone flips one bit of the ciphertext
      await phone.context.route('**/v1/transfers/claim', async (route) => {
        const response = await route.fetch();
        const body = (await response.json()) as { ciphertext: string };
        const bytes = Buffer.from(body.ciphertext, 'base64');
        bytes[7]! ^= 0x10;
        await route.fulfill({ response, json: { ...body, ciphertext: bytes.toString('base64') } });
      });
      const outcome = await phone.run(
        async ({ baseUrl, code }) => jct.receiveTransfer({ baseUrl }, code).then(() => ({ name: 'none', message: '' }), (e: Error) => ({ name: e.name, message: e.message })),
        { baseUrl: sys.url, code },
      );
      expect(outcome.name).toBe('TransferDecryptError');
      expect(outcome.message).toMatch(/^the transfer could not be opened: the code does not match, or the data was altered on the way \(AES-GCM authentication failed\)/);
    } finally {
      await pc.context.close();
      await phone.context.close();
    }
  }, 60_000);
});
