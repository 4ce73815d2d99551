import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message as the SMTP server received it, with the headers and text part decoded. */
export interface ReceivedMail {
  from: string;
  to: string[];
  headers: Map<string, string>;
  subject: string;
  text: string;
  html: string;
  raw: string;
}

/**
 * A real SMTP server (smtp-server) on a free port for tests and the bench:
 * records every message, can refuse recipients (5xx) and be stopped and
 * started again on the same port.
 */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  /** Recipients answered 550 at RCPT TO. */
  readonly refuse = new Set<string>();
  /** Keep raw messages and parse them (off for the bench). */
  record = true;
  count = 0;
  private server: SMTPServer | undefined;
  private waiters: Array<{ n: number; resolve: () => void }> = [];
  port = 0;

  async start(port = 0): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      // stop() must not wait for the client's idle pooled connections
      closeTimeout: 50,
      size: 10 * 1024 * 1024,
      onRcptTo: (address, _session, cb) => {
        if (this.refuse.has(address.address)) {
          const err = Object.assign(new Error('mailbox unavailable'), { responseCode: 550 });
          cb(err);
          return;
        }
        cb();
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => {
          if (this.record) chunks.push(c);
        });
        stream.on('end', () => {
          if (this.record) {
            const raw = Buffer.concat(chunks).toString('utf8');
            this.received.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              ...parseMessage(raw),
              raw,
            });
          }
          this.count++;
          this.waiters = this.waiters.filter((w) => {
            if (this.count >= w.n) w.resolve();
            return this.count < w.n;
          });
          cb();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    server.on('error', () => undefined);
    this.server = server;
    this.port = (server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Resolves once `n` messages in total have arrived (bounded by `timeoutMs`). */
  waitFor(n: number, timeoutMs = 10_000): Promise<void> {
    if (this.count >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`only ${this.count} of ${n} messages arrived in ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ n, resolve: () => (clearTimeout(t), resolve()) });
    });
  }
}

function parseMessage(raw: string): Pick<ReceivedMail, 'headers' | 'subject' | 'text' | 'html'> {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = parseHeaders(head);
  const body = rest.join('\r\n\r\n');
  const parts = { text: '', html: '' };
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(headers.get('content-type') ?? '')?.[1];
  const chunks = boundary ? body.split(`--${boundary}`) : [`${head}\r\n\r\n${body}`];
  for (const chunk of chunks) {
    const [ph = '', ...pb] = chunk.replace(/^\r?\n/, '').split(/\r?\n\r?\n/);
    const h = parseHeaders(ph);
    const ct = h.get('content-type') ?? '';
    const content = decodeBody(pb.join('\r\n\r\n'), h.get('content-transfer-encoding') ?? '');
    if (ct.startsWith('text/plain')) parts.text = content;
    else if (ct.startsWith('text/html')) parts.html = content;
  }
  return { headers, subject: decodeWords(headers.get('subject') ?? ''), ...parts };
}

function parseHeaders(head: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return out;
}

function decodeBody(body: string, encoding: string): string {
  const e = encoding.toLowerCase();
  if (e === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (e === 'quoted-printable') return qp(body);
  return body;
}

function qp(s: string): string {
  const soft = s.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(soft[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeWords(s: string): string {
  return s.replace(/=\?utf-8\?([BQ])\?([^?]*)\?=\s*/gi, (_m, enc: string, text: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : qp(text.replace(/_/g, ' ')),
  );
}
