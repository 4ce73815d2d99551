import { createHash, randomBytes } from 'node:crypto';
import { build } from 'esbuild';
import {
  decodeBundle,
  encodeBundle,
  generateTransferCode,
  openBundle,
  parseTransferCode,
  parseTransferQrPayload,
  sealBundle,
  TransferBundleError,
  TransferCodeError,
  TransferDecryptError,
  transferQrPayload,
  type TransferFile,
} from '@jointcert/client';
import { transferQrSvg, transferQrTerminal } from './qr-image';
import { fromBase64, toBase64 } from '../bytes';
import { addressHash } from './seal';

const files: TransferFile[] = [
  { name: 'signCert.der', data: new Uint8Array(randomBytes(1500)) },
  { name: 'signPri.key', data: new Uint8Array(randomBytes(1250)) },
];

describe('transfer code', () => {
  it('is 16 uniform digits from the CSPRNG, shown 4×4, the first 8 being the address', () => {
    const counts = new Array<number>(10).fill(0);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const c = generateTransferCode();
      expect(c.digits).toMatch(/^[0-9]{16}$/);
      expect(c.display).toBe(c.digits.match(/.{4}/g)!.join(' '));
      expect(c.address).toBe(c.digits.slice(0, 8));
      seen.add(c.digits);
      for (const d of c.digits) counts[Number(d)]!++;
    }
    expect(seen.size).toBe(2000);
    // 32,000 digits: each expected 3,200; a biased generator (e.g. byte % 10 without rejection) is far outside ±8%
    for (const n of counts) expect(Math.abs(n - 3200)).toBeLessThan(256);
  });

  it('parses what people type or scan: spaces, hyphens, full-width digits; refuses anything else with a reason', () => {
    expect(parseTransferCode('1234 5678 9012 3456')).toEqual({ digits: '1234567890123456', address: '12345678', display: '1234 5678 9012 3456' });
    expect(parseTransferCode(' 1234-5678-9012-3456 ').digits).toBe('1234567890123456');
    expect(parseTransferCode('１２３４５６７８９０１２３４５６').digits).toBe('1234567890123456');
    expect(() => parseTransferCode('1234 5678 9012 345')).toThrow(new TransferCodeError('the transfer code has 16 digits; this one has 15'));
    expect(() => parseTransferCode('1234 5678 9012 345x')).toThrow(TransferCodeError);
  });

  it('travels in a QR payload that names the protocol', async () => {
    const c = generateTransferCode();
    expect(transferQrPayload(c)).toBe(`jointcert-transfer:v1:${c.digits}`);
    expect(parseTransferQrPayload(transferQrPayload(c))).toEqual(c);
    expect(() => parseTransferQrPayload('https://example.kr/')).toThrow(/not a jointcert transfer code/);
    const svg = await transferQrSvg(c);
    expect(svg).toMatch(/^<svg [^>]*viewBox/);
    expect(svg).not.toContain(c.digits); // the digits are in the modules, not in the text
    expect(await transferQrTerminal(c)).toMatch(/[▀▄█]/);
  });
});

describe('bundle', () => {
  it('carries the files byte for byte, in order', () => {
    const decoded = decodeBundle(encodeBundle(files));
    expect(decoded.map((f) => f.name)).toEqual(['signCert.der', 'signPri.key']);
    decoded.forEach((f, i) => expect(Buffer.from(f.data).equals(Buffer.from(files[i]!.data))).toBe(true));
  });

  it('refuses path-like or repeated names, no files, and malformed bytes', () => {
    expect(() => encodeBundle([{ name: '../signPri.key', data: new Uint8Array(1) }])).toThrow(/not a plain file name/);
    expect(() => encodeBundle([{ name: '.hidden', data: new Uint8Array(1) }])).toThrow(TransferBundleError);
    expect(() => encodeBundle([files[0]!, files[0]!])).toThrow(/appears twice/);
    expect(() => encodeBundle([])).toThrow(/1 to 8 files/);
    const good = encodeBundle(files);
    expect(() => decodeBundle(good.subarray(0, good.length - 1))).toThrow(/truncated/);
    expect(() => decodeBundle(new Uint8Array([...good, 0]))).toThrow(/trailing/);
    expect(() => decodeBundle(new Uint8Array(10))).toThrow(/wrong header/);
  });
});

describe('seal and open (scrypt N=2^17 + AES-256-GCM, WebCrypto)', () => {
  const code = parseTransferCode('3141 5926 5358 9793');
  const plaintext = encodeBundle(files);
  let envelope: Awaited<ReturnType<typeof sealBundle>>;

  beforeAll(async () => {
    envelope = await sealBundle(plaintext, code);
  });

  it('opens with the code to the same bytes; salt and nonce are fresh per seal; addressHash is SHA-256 of the address', async () => {
    expect(fromBase64(envelope.salt)).toHaveLength(16);
    expect(fromBase64(envelope.nonce)).toHaveLength(12);
    expect(fromBase64(envelope.ciphertext)).toHaveLength(plaintext.length + 16);
    expect(Buffer.from(await openBundle(envelope, code)).equals(Buffer.from(plaintext))).toBe(true);
    expect(await addressHash(code)).toBe(createHash('sha256').update('31415926').digest('hex'));
    // scrypt itself is the expensive part; the envelope around it is fresh each time
    const other = await sealBundle(plaintext, code);
    expect(other.salt).not.toBe(envelope.salt);
    expect(other.nonce).not.toBe(envelope.nonce);
  });

  it('a tampered ciphertext, nonce or salt fails the AEAD check with a clear message', async () => {
    const bytes = fromBase64(envelope.ciphertext);
    bytes[100]! ^= 0x01;
    const tampered = { ...envelope, ciphertext: toBase64(bytes) };
    const err = await openBundle(tampered, code).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransferDecryptError);
    expect((err as Error).message).toMatch(/the data was altered on the way \(AES-GCM authentication failed\)\. Nothing was saved/);
    const nonce = fromBase64(envelope.nonce);
    nonce[0]! ^= 0x80;
    await expect(openBundle({ ...envelope, nonce: toBase64(nonce) }, code)).rejects.toBeInstanceOf(TransferDecryptError);
    await expect(openBundle({ ...envelope, salt: 'AAAA' }, code)).rejects.toBeInstanceOf(TransferDecryptError);
  });

  it('the wrong secret half, or the same secret under another address (the associated data), does not open it', async () => {
    await expect(openBundle(envelope, parseTransferCode('3141 5926 5358 9794'))).rejects.toBeInstanceOf(TransferDecryptError);
    await expect(openBundle(envelope, parseTransferCode('3141 5927 5358 9793'))).rejects.toBeInstanceOf(TransferDecryptError);
  });
});

describe('runs in browsers', () => {
  it('bundles for the browser platform with no Node built-in (WebCrypto and fetch only), and only @noble/hashes besides our code', async () => {
    const out = await build({ entryPoints: [`${__dirname}/index.ts`], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent', metafile: true, tsconfig: `${__dirname}/../../../../tsconfig.json` });
    const js = out.outputFiles[0]!.text;
    const packages = new Set(Object.keys(out.metafile.inputs).flatMap((p) => (/node_modules\/(@[^/]+\/[^/]+|[^/]+)/.exec(p) ?? []).slice(1)));
    expect([...packages]).toEqual(['@noble/hashes']);
    expect(js).toMatch(/\.subtle\b/);
    expect(js).not.toMatch(/require\(["'](node:)?(crypto|fs|buffer|path)["']\)/);
  });
});
