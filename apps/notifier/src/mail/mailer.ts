import { createTransport, type Transporter } from 'nodemailer';

/**
 * SMTP through one pooled nodemailer transport (NOTIFIER_CONCURRENCY
 * connections, reused across messages). `send` resolves with the Message-ID
 * once the server accepted the message (250 after DATA), rejects otherwise.
 */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per notification: a resent copy carries the same id, so clients and servers may fold it. */
  messageId: string;
  headers: Record<string, string>;
}

export interface MailSender {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

export class SmtpMailer implements MailSender {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    poolSize: number,
  ) {
    this.transport = createTransport({
      url: smtpUrl,
      pool: true as const,
      maxConnections: poolSize,
      maxMessages: 1000,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    const info = (await this.transport.sendMail({
      from: this.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      headers: mail.headers,
    })) as { messageId?: string; rejected?: unknown[] };
    if (Array.isArray(info.rejected) && info.rejected.length > 0) throw Object.assign(new Error(`recipient refused: ${String(info.rejected[0])}`), { responseCode: 550 });
    return { messageId: info.messageId ?? mail.messageId };
  }

  close(): void {
    this.transport.close();
  }
}

/** A permanent SMTP refusal (5xx): retrying the same message will not help. */
export function isPermanentSmtpError(err: unknown): boolean {
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const e = err as { responseCode?: number; code?: string };
    const code = e.responseCode ?? e.code;
    return code !== undefined ? `${code} ${err.message}` : err.message;
  }
  return String(err);
}
