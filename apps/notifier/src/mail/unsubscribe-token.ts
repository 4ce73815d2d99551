import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from '@jointcert/common';

/**
 * Signed, expiring unsubscribe tokens: `<accountId>.<expiry unix s>.<HMAC>`,
 * HMAC-SHA256 over `jointcert-unsubscribe.v1.<accountId>.<expiry>` with
 * UNSUBSCRIBE_SECRET, base64url. Nothing is stored: the token carries the
 * account and the deadline, the MAC makes both unforgeable.
 */
const FORMAT = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export class UnsubscribeTokens {
  constructor(
    private readonly secret: string,
    private readonly ttlMs: number,
  ) {}

  issue(accountId: string, now: number): string {
    const exp = Math.floor((now + this.ttlMs) / 1000);
    return `${accountId}.${exp}.${this.mac(accountId, exp)}`;
  }

  /** The account of a valid, unexpired token; DomainError UNSUBSCRIBE_TOKEN_INVALID / _EXPIRED otherwise. */
  verify(token: unknown, now: number): { accountId: string; expiresAt: number } {
    const m = typeof token === 'string' ? FORMAT.exec(token) : null;
    if (!m) throw new DomainError('UNSUBSCRIBE_TOKEN_INVALID', 'the unsubscribe link is malformed');
    const [, accountId, expText, mac] = m as unknown as [string, string, string, string];
    const exp = Number(expText);
    const expected = Buffer.from(this.mac(accountId, exp));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new DomainError('UNSUBSCRIBE_TOKEN_INVALID', 'the unsubscribe link is not valid');
    if (exp * 1000 <= now) throw new DomainError('UNSUBSCRIBE_TOKEN_EXPIRED', 'the unsubscribe link has expired; use the link in a newer email or change reminders in your account');
    return { accountId, expiresAt: exp * 1000 };
  }

  private mac(accountId: string, exp: number): string {
    return createHmac('sha256', this.secret).update(`jointcert-unsubscribe.v1.${accountId}.${exp}`).digest('base64url');
  }
}
