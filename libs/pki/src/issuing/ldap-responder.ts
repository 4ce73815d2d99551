/**
 * A small LDAPv3 responder for CRLs (RFC 4511), enough for what CRL clients
 * do against the Korean CAs' directories: anonymous simple bind, a
 * base-object search of an entry for `certificateRevocationList;binary` (or
 * without `;binary`), unbind. Other operations are answered
 * `unwillingToPerform` (53); a search that is not base-object likewise; an
 * unknown entry `noSuchObject` (32). Entries come from `lookup(dn)` per request,
 * so a reissued CRL is served at once. DNs are compared by their RFC 4514
 * text, case-insensitively and with spaces around separators removed. Used by
 * the dev CA (`ldap://host:port/<dn>?certificateRevocationList;binary` first in
 * its certificates, as real NPKI CAs publish) and by tests.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { bytes, derCursor, enumerated, int, octets, readSmallInt, seq, set, tlv, type Tlv } from '../der';

export interface LdapCrlResponder {
  server: Server;
  host: string;
  port: number;
  close(): Promise<void>;
}

export interface LdapCrlResponderOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The CRL (DER) stored at an entry, or undefined when the DN names none. */
  lookup: (dn: string) => Uint8Array | undefined;
}

const CRL_ATTRS = ['certificaterevocationlist;binary', 'certificaterevocationlist'];
const MAX_MESSAGE = 64 * 1024;
const LIMITS = { maxDepth: 16, ber: true };

/** Canonical text of a DN for lookups: lower case, no spaces around `,` and `=`. */
export function ldapDnKey(dn: string): string {
  return dn
    .split(',')
    .map((rdn) =>
      rdn
        .split('=')
        .map((x) => x.trim())
        .join('='),
    )
    .join(',')
    .toLowerCase();
}

function ldapResult(messageId: number, op: number, code: number, message = ''): Buffer {
  return seq(int(messageId), tlv(op, enumerated(code), octets(Buffer.alloc(0)), octets(Buffer.from(message))));
}

function handle(msg: Uint8Array, lookup: LdapCrlResponderOptions['lookup']): { reply: Buffer[]; close: boolean } {
  const top = derCursor(msg, LIMITS);
  const m = top.enter(top.next());
  const id = readSmallInt(msg, m.next());
  const op: Tlv = m.next();
  switch (op.tag) {
    case 0x60: // BindRequest → success (anonymous or not: nothing here is secret)
      return { reply: [ldapResult(id, 0x61, 0)], close: false };
    case 0x42: // UnbindRequest
      return { reply: [], close: true };
    case 0x63: {
      // SearchRequest
      const s = m.enter(op);
      const dn = Buffer.from(bytes(msg, s.next())).toString('utf8');
      const scope = readSmallInt(msg, s.next());
      s.next(); // derefAliases
      s.next(); // sizeLimit
      s.next(); // timeLimit
      s.next(); // typesOnly
      s.next(); // filter: every entry here is a CRL holder; (objectClass=*) is what clients send
      const wanted: string[] = [];
      const attrs = s.enter(s.next());
      while (!attrs.atEnd()) wanted.push(Buffer.from(bytes(msg, attrs.next())).toString('utf8'));
      if (scope !== 0) return { reply: [ldapResult(id, 0x65, 53, 'only base-object searches are served')], close: false };
      const crl = lookup(ldapDnKey(dn));
      if (!crl) return { reply: [ldapResult(id, 0x65, 32, 'no such entry')], close: false };
      const name = wanted.find((w) => CRL_ATTRS.includes(w.toLowerCase())) ?? (wanted.length === 0 ? 'certificateRevocationList;binary' : undefined);
      const attributes = name ? [seq(octets(Buffer.from(name)), set(octets(crl)))] : [];
      const entry = seq(int(id), tlv(0x64, octets(Buffer.from(dn)), seq(...attributes)));
      return { reply: [entry, ldapResult(id, 0x65, 0)], close: false };
    }
    default:
      return { reply: [ldapResult(id, 0x65, 53, 'operation not supported')], close: false };
  }
}

/** Length of the first complete BER element in `buf`, or 0 when more bytes are needed. Throws on a bad header. */
function frame(buf: Buffer): number {
  if (buf.length < 2) return 0;
  if (buf[0] !== 0x30) throw new Error('not an LDAPMessage');
  const first = buf[1]!;
  if (first < 0x80) return buf.length >= 2 + first ? 2 + first : 0;
  const n = first & 0x7f;
  if (n === 0 || n > 3) throw new Error('unsupported length');
  if (buf.length < 2 + n) return 0;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + buf[2 + i]!;
  if (len > MAX_MESSAGE) throw new Error('message too large');
  return buf.length >= 2 + n + len ? 2 + n + len : 0;
}

function serve(socket: Socket, lookup: LdapCrlResponderOptions['lookup']): void {
  let pending = Buffer.alloc(0);
  socket.setTimeout(10_000, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    try {
      for (let n = frame(pending); n > 0; n = frame(pending)) {
        const msg = pending.subarray(0, n);
        pending = pending.subarray(n);
        const { reply, close } = handle(msg, lookup);
        for (const r of reply) socket.write(r);
        if (close) {
          socket.end();
          return;
        }
      }
      if (pending.length > MAX_MESSAGE) socket.destroy();
    } catch {
      socket.destroy();
    }
  });
}

export async function startLdapCrlResponder(opts: LdapCrlResponderOptions): Promise<LdapCrlResponder> {
  const server = createServer((s) => serve(s, opts.lookup));
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}
