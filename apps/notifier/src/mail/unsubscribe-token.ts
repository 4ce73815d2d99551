import { DomainError, linkMac, linkMacMatches } from '@jointcert/common';

/**
 * Signed, expiring unsubscribe tokens (libs/common signed-links), one per list:
 *  - expiry reminders and notices: `<accountId>.<expiry unix s>.<MAC>`, MAC over
 *    `jointcert-unsubscribe.v1.<accountId>.<expiry>`;
 *  - the password reminder: `<accountId>.<expiry>.pw.<MAC>`, MAC over
 *    `jointcert-unsubscribe.v1.<accountId>.<expiry>.password`.
 * Nothing is stored: the token carries the account, the list and the deadline,
 * the MAC makes them unforgeable (one list's token cannot be turned into the other's).
 */
const FORMAT = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(\d{1,12})\.(?:(pw)\.)?([A-Za-z0-9_-]{43})$/;

/** Which emails an unsubscribe link stops: expiry reminders (and the notices sent with them), or the password reminder. */
export type UnsubscribeList = 'reminders' | 'password';

export class UnsubscribeTokens {
  constructor(
    private readonly secret: string,
    private readonly ttlMs: number,
  ) {}

  issue(accountId: string, now: number, list: UnsubscribeList = 'reminders'): string {
    const exp = Math.floor((now + this.ttlMs) / 1000);
    return list === 'password' ? `${accountId}.${exp}.pw.${this.mac(accountId, exp, list)}` : `${accountId}.${exp}.${this.mac(accountId, exp, list)}`;
  }

  /** The account and list of a valid, unexpired token; DomainError UNSUBSCRIBE_TOKEN_INVALID / _EXPIRED otherwise. */
  verify(token: unknown, now: number): { accountId: string; expiresAt: number; list: UnsubscribeList } {
    const m = typeof token === 'string' ? FORMAT.exec(token) : null;
    if (!m) throw new DomainError('UNSUBSCRIBE_TOKEN_INVALID', 'the unsubscribe link is malformed');
    const [, accountId, expText, pw, mac] = m as unknown as [string, string, string, string | undefined, string];
    const list: UnsubscribeList = pw === undefined ? 'reminders' : 'password';
    const exp = Number(expText);
    if (!linkMacMatches(this.secret, 'unsubscribe', this.fields(accountId, exp, list), mac)) throw new DomainError('UNSUBSCRIBE_TOKEN_INVALID', 'the unsubscribe link is not valid');
    if (exp * 1000 <= now) throw new DomainError('UNSUBSCRIBE_TOKEN_EXPIRED', 'the unsubscribe link has expired; use the link in a newer email or change reminders in your account');
    return { accountId, expiresAt: exp * 1000, list };
  }

  private fields(accountId: string, exp: number, list: UnsubscribeList): Array<string | number> {
    return list === 'password' ? [accountId, exp, 'password'] : [accountId, exp];
  }

  private mac(accountId: string, exp: number, list: UnsubscribeList): string {
    return linkMac(this.secret, 'unsubscribe', this.fields(accountId, exp, list));
  }
}
