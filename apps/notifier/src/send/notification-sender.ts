/**
 * Sends one claimed notification. Exactly once:
 *
 *   1. claim the row (pending|failed → sending, attempts+1); another worker's
 *      live claim → try again later; sent/skipped → nothing to do;
 *   2. re-check it is still due (certificate active and reminders on for an
 *      expiry reminder; an address) — else `skipped`;
 *   3. SMTP; on the server's 250 mark the row `sent` (one statement). If that
 *      fails (Postgres away), the Message-ID goes into the job (Redis) and a
 *      retry of the job only marks the row: the accepted email is not sent
 *      again. What remains: the process dying between the 250 and the commit
 *      of `sent` (a few ms), or a 250 lost on the wire — then, once the claim's
 *      lease lapses, the next attempt sends a second copy with the same
 *      Message-ID (README "Expiry reminders").
 *
 * SMTP errors: 5xx → `failed` now (a permanent refusal; the next scan tries
 * again); others → back to `pending` and the queue retries with exponential
 * backoff; after the last attempt → `failed` with attempts and last error.
 */
import type { Clock, DeleteLinks, Logger } from '@jointcert/common';
import type { NotificationKind, NotificationTarget, NotifierRepository } from '@jointcert/registry-db';
import { errorText, isPermanentSmtpError, type MailSender } from '../mail/mailer';
import { mailLocale, renderMail, type MailInput } from '../mail/templates';
import type { UnsubscribeTokens } from '../mail/unsubscribe-token';
import type { NotifierMetrics } from '../metrics/notifier-metrics';

export interface SendJobData {
  notificationId: string;
  kind: NotificationKind;
  /** Set once the SMTP server accepted the message. */
  messageId?: string;
}

export interface SendContext {
  data: SendJobData;
  /** 1-based attempt number of this run and the queue's limit. */
  attempt: number;
  maxAttempts: number;
  /** Persist the Message-ID in the job before anything else happens. */
  recordAccepted(messageId: string): Promise<void>;
}

export type SendResult = 'sent' | 'skipped' | 'already-done' | 'busy';

/** Another worker holds a live claim: the queue retries this job later. */
export class ClaimBusy extends Error {}
/** A permanent refusal: the queue must not retry this round. */
export class PermanentFailure extends Error {}

export class NotificationSender {
  constructor(
    private readonly repo: NotifierRepository,
    private readonly mailer: MailSender,
    private readonly tokens: UnsubscribeTokens,
    private readonly opts: { clock: Clock; leaseMs: number; publicUrl: string; mailDomain: string; logger: Logger; metrics: NotifierMetrics; deleteLinks: DeleteLinks; deleteLinkTtlMs: number },
  ) {}

  async process(ctx: SendContext): Promise<SendResult> {
    const { notificationId, kind } = ctx.data;
    const now = () => new Date(this.opts.clock.now());
    if (ctx.data.messageId !== undefined) {
      // the server accepted it on an earlier run; only the row update was lost
      await this.repo.markSent(notificationId, ctx.data.messageId, now());
      return 'sent';
    }
    const at = this.opts.clock.now();
    const claim = await this.repo.claim(notificationId, new Date(at), new Date(at - this.opts.leaseMs));
    if (!claim.claimed) {
      if (claim.status === 'sending') throw new ClaimBusy(`notification ${notificationId} is being sent by another worker`);
      return 'already-done';
    }
    const t = claim.target;
    const skip = skipReason(t, at);
    if (skip !== undefined) {
      await this.repo.markSkipped(notificationId, skip, now());
      this.opts.metrics.notifications.inc({ kind, outcome: 'skipped' });
      return 'skipped';
    }
    const mail = this.compose(t, at);
    let accepted: string;
    try {
      const { messageId } = await this.mailer.send({ ...mail, to: t.email! });
      accepted = messageId;
    } catch (err) {
      const permanent = isPermanentSmtpError(err);
      const final = permanent || ctx.attempt >= ctx.maxAttempts;
      await this.repo.markAttemptFailed(notificationId, errorText(err), final, now());
      this.opts.metrics.notifications.inc({ kind, outcome: final ? 'failed' : 'retried' });
      this.opts.logger.warn({ notificationId, kind, attempt: ctx.attempt, final, err: errorText(err) }, 'email not sent');
      if (permanent) throw new PermanentFailure(errorText(err));
      throw err;
    }
    try {
      await this.repo.markSent(notificationId, accepted, now());
    } catch (err) {
      // the server has the message: make sure a retry only records it (Redis, if Postgres is what failed)
      await ctx.recordAccepted(accepted);
      throw err;
    }
    this.opts.metrics.notifications.inc({ kind, outcome: 'sent' });
    return 'sent';
  }

  /** The email of a notification (also used by the preview and dry-run). */
  compose(t: NotificationTarget, at: number): { subject: string; text: string; html: string; messageId: string; headers: Record<string, string> } {
    // the password reminder's link stops that reminder only; the others stop expiry reminders and notices
    const token = this.tokens.issue(t.accountId, at, t.kind === 'password' ? 'password' : 'reminders');
    const base = this.opts.publicUrl.replace(/\/+$/, '');
    const unsubscribeUrl = `${base}/v1/notifications/unsubscribe?token=${encodeURIComponent(token)}`;
    const certificate = { subjectDn: t.subjectDn, issuerDn: t.issuerDn, ca: t.ca, policyOid: t.policyOid, certType: t.certType, serialHex: t.serialHex, notAfter: t.notAfter };
    const locale = mailLocale(t.locale);
    const deleteUrl = (): string => {
      const link = this.opts.deleteLinks.issue({ accountId: t.accountId, certificateId: t.certificateId, lastUsedAt: t.lastUsedAt.getTime() }, at + this.opts.deleteLinkTtlMs);
      return `${base}/v1/notifications/delete-certificate?token=${encodeURIComponent(link)}`;
    };
    const rendered = renderMail(mailInput(t, { locale, now: at, certificate, unsubscribeUrl }, base, deleteUrl));
    return {
      ...rendered,
      messageId: `<${t.notificationId}@${this.opts.mailDomain}>`,
      headers: {
        'List-Unsubscribe': `<${unsubscribeUrl}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        'X-Jointcert-Notification': `${t.kind}${t.thresholdDays !== null ? `/${t.thresholdDays}` : ''}`,
      },
    };
  }
}

function mailInput(t: NotificationTarget, common: Pick<MailInput, 'locale' | 'now' | 'certificate' | 'unsubscribeUrl'>, siteUrl: string, deleteUrl: () => string): MailInput {
  switch (t.kind) {
    case 'expiry':
      return { ...common, kind: 'expiry', thresholdDays: t.thresholdDays ?? 0 };
    case 'revoked':
      return { ...common, kind: 'revoked', revokedAt: t.revokedAt ?? new Date(common.now), reason: t.revocationReason };
    case 'lock':
      return { ...common, kind: 'lock', lockedAt: t.lockedAt ?? new Date(common.now), siteUrl };
    case 'unused':
      return { ...common, kind: 'unused', lastUsedAt: t.lastUsedAt, siteUrl, deleteUrl: deleteUrl() };
    case 'password':
      return { ...common, kind: 'password', passwordChangedAt: t.passwordChangedAt, registeredAt: t.registeredAt, siteUrl };
  }
}

/**
 * The key of the password reminder due at `at` (mirrors claimPasswordReminders):
 * the UTC day the current interval fell due, counted from the reported change
 * (or the registration) in whole intervals.
 */
export function passwordReminderKey(since: Date, at: number, intervalDays: number): number {
  const elapsed = Math.floor((at - since.getTime()) / 86_400_000);
  return utcDay(since) + Math.floor(elapsed / intervalDays) * intervalDays;
}

/** The UTC day (days since 1970-01-01) of a time: the key of an unused-certificate notice. */
function utcDay(at: Date): number {
  return Math.floor(at.getTime() / 86_400_000);
}

/** Why a claimed notification is no longer to be sent, or undefined. */
function skipReason(t: NotificationTarget, at: number): string | undefined {
  if (t.email === null || t.email === '') return 'no email address';
  switch (t.kind) {
    case 'expiry':
      if (t.certificateStatus !== 'active') return `certificate ${t.certificateStatus}`;
      if (!t.remindersEnabled) return 'reminders off';
      if (t.notAfter.getTime() <= at) return 'certificate expired';
      return undefined;
    case 'revoked':
      return t.certificateStatus === 'revoked' ? undefined : `certificate ${t.certificateStatus}`;
    case 'lock':
      // a security confirmation: sent even with reminders off, and even if unlocked meanwhile
      return undefined;
    case 'unused':
      if (t.certificateStatus !== 'active') return `certificate ${t.certificateStatus}`;
      if (t.lockedAt !== null) return 'certificate locked';
      if (!t.remindersEnabled) return 'reminders off';
      if (utcDay(t.lastUsedAt) !== t.thresholdDays) return 'used again';
      return undefined;
    case 'password':
      if (t.certificateStatus !== 'active') return `certificate ${t.certificateStatus}`;
      if (t.lockedAt !== null) return 'certificate locked';
      if (!t.passwordReminderEnabled) return 'password reminder off';
      if (passwordReminderKey(t.passwordChangedAt ?? t.registeredAt, at, t.passwordReminderDays) !== t.thresholdDays) return 'password changed since';
      return undefined;
  }
}
