/**
 * The LDAP fetcher's byte cap (issue #9): a hostile directory (a raw TCP
 * server speaking just enough LDAP) answers the bind, then streams one
 * endless SearchResultEntry. The fetch must fail on the byte limit, long
 * before its timeout, instead of buffering until the timeout.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createLdapFetcher, LDAP_FRAMING_ALLOWANCE } from './ldap-fetcher';

/** messageID of one LDAPMessage at the start of `b` (SEQUENCE, length, INTEGER id). */
function messageId(b: Buffer): number {
  const lenOctets = b[1]! < 0x80 ? 0 : b[1]! & 0x7f;
  const at = 2 + lenOctets; // 02 01 id
  return b[at + 2]!;
}

const len4 = (n: number): Buffer => Buffer.from([0x84, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);

let server: Server;
let port = 0;
let written = 0;
let closed: Promise<void>;

beforeAll(async () => {
  let onClosed!: () => void;
  closed = new Promise<void>((r) => (onClosed = r));
  server = createServer((sock: Socket) => {
    let stage = 0;
    sock.on('error', () => undefined);
    sock.on('close', onClosed);
    sock.on('data', (b: Buffer) => {
      const id = messageId(b);
      if (stage === 0) {
        stage = 1;
        sock.write(Buffer.from([0x30, 0x0c, 0x02, 0x01, id, 0x61, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00])); // bindResponse success
        return;
      }
      if (stage !== 1) return;
      stage = 2;
      // SearchResultEntry claiming 1 GB, then endless zero bytes
      const huge = 1 << 30;
      sock.write(Buffer.concat([Buffer.from([0x30]), len4(huge), Buffer.from([0x02, 0x01, id, 0x64]), len4(huge - 16), Buffer.from([0x04, 0x03]), Buffer.from('o=x'), Buffer.from([0x30]), len4(huge - 32)]));
      const chunk = Buffer.alloc(64 * 1024);
      const pump = (): void => {
        while (!sock.destroyed && written < 256 * 1024 * 1024) {
          written += chunk.length;
          if (!sock.write(chunk)) {
            sock.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

describe('LDAP fetcher byte cap', () => {
  it('a directory that pushes an endless entry is cut at maxBytes + framing, long before the timeout', async () => {
    const fetcher = createLdapFetcher();
    const maxBytes = 64 * 1024;
    const started = Date.now();
    const err = await fetcher({ url: `ldap://127.0.0.1:${port}/o=x`, host: '127.0.0.1', port, secure: false, dn: 'o=x', attributes: ['certificateRevocationList;binary'], timeoutMs: 20_000, maxBytes }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const elapsed = Date.now() - started;
    expect(String(err)).toMatch(/exceeds the limit of 65536 bytes/);
    const cut = /cut after (\d+) bytes/.exec(String(err));
    expect(Number(cut?.[1])).toBeGreaterThan(maxBytes + LDAP_FRAMING_ALLOWANCE);
    expect(Number(cut?.[1])).toBeLessThan(maxBytes + LDAP_FRAMING_ALLOWANCE + 1024 * 1024); // one read past the limit at most
    expect(elapsed).toBeLessThan(5_000);
    await closed; // the connection is gone: the server stops pushing
    console.log(`LDAP cap: cut after ${cut?.[1]} bytes in ${elapsed} ms (server had queued ${written} bytes into its socket)`);
  });
});
