import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AppConfig } from '../config';
import { DomainError } from '../errors/domain-error';

/**
 * Links in emails that act without a session — the unsubscribe link and the
 * one-click deletion of an unused certificate — carry what they are for and
 * their deadline, with an HMAC-SHA256 over both: nothing is stored, the MAC
 * makes them unforgeable. Each kind of link has its own purpose string in the
 * MAC, so one kind can never be passed off as another.
 */
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const MAC = '[A-Za-z0-9_-]{43}';

/** UNSUBSCRIBE_SECRET (which production requires), or a fixed development key: the key of every emailed link. */
export function linkSecret(config: Pick<AppConfig, 'UNSUBSCRIBE_SECRET'>): string {
  return config.UNSUBSCRIBE_SECRET ?? createHmac('sha256', 'jointcert-development-unsubscribe-key').update('jointcert-unsubscribe-links').digest('base64url');
}

/** HMAC-SHA256 over `jointcert-<purpose>.v1.<fields joined by '.'>`, base64url (43 characters). */
export function linkMac(secret: string, purpose: string, fields: ReadonlyArray<string | number>): string {
  return createHmac('sha256', secret).update(`jointcert-${purpose}.v1.${fields.join('.')}`).digest('base64url');
}

/** Constant-time check of a link's MAC. */
export function linkMacMatches(secret: string, purpose: string, fields: ReadonlyArray<string | number>, mac: string): boolean {
  const expected = Buffer.from(linkMac(secret, purpose, fields));
  const given = Buffer.from(mac);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** What a delete link is bound to: the account, the certificate and the last use the notice reported. */
export interface DeleteLink {
  accountId: string;
  certificateId: string;
  /** The certificate's last use (ms) when the notice was sent: the link stops working once it is used again. */
  lastUsedAt: number;
  expiresAt: number;
}

const DELETE_FORMAT = new RegExp(`^(${UUID})\\.(${UUID})\\.(\\d{1,15})\\.(\\d{1,12})\\.(${MAC})$`);

/**
 * The one-click deletion link of the unused-certificate notice:
 * `<accountId>.<certificateId>.<lastUsedAt ms>.<expiry unix s>.<MAC>`, purpose
 * `delete-unused`. The notifier issues it; the registry verifies it.
 */
export class DeleteLinks {
  constructor(private readonly secret: string) {}

  issue(link: Omit<DeleteLink, 'expiresAt'>, expiresAtMs: number): string {
    const fields = [link.accountId, link.certificateId, Math.floor(link.lastUsedAt), Math.floor(expiresAtMs / 1000)];
    return `${fields.join('.')}.${linkMac(this.secret, 'delete-unused', fields)}`;
  }

  /** The link's binding; DomainError DELETE_LINK_INVALID (malformed, forged) or DELETE_LINK_EXPIRED. */
  verify(token: unknown, now: number): DeleteLink {
    const m = typeof token === 'string' ? DELETE_FORMAT.exec(token) : null;
    if (!m) throw new DomainError('DELETE_LINK_INVALID', 'the deletion link is malformed');
    const [, accountId, certificateId, lastUsedText, expText, mac] = m as unknown as [string, string, string, string, string, string];
    const lastUsedAt = Number(lastUsedText);
    const exp = Number(expText);
    if (!linkMacMatches(this.secret, 'delete-unused', [accountId, certificateId, lastUsedAt, exp], mac)) throw new DomainError('DELETE_LINK_INVALID', 'the deletion link is not valid');
    if (exp * 1000 <= now) throw new DomainError('DELETE_LINK_EXPIRED', 'the deletion link has expired; delete the certificate after logging in');
    return { accountId, certificateId, lastUsedAt, expiresAt: exp * 1000 };
  }
}
