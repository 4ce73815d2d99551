/**
 * The expiry scan. Idempotent, so BullMQ's scheduler (which never catches up a
 * missed run) is enough: every run
 *   1. marks active certificates past notAfter `expired` (audited);
 *   2. walks, one keyset page (ORDER BY not_after, id; no OFFSET) per query,
 *      the active certificates of accounts with reminders on that have crossed
 *      a threshold and whose most recent crossed reminder was not sent —
 *      which is also the look-back: a threshold passed while the notifier was
 *      down is found on the next run, once, until the certificate expires;
 *   3. per page, inserts the claim rows (ON CONFLICT DO NOTHING) and enqueues
 *      the unsent ones with addBulk, job id = the notification key (the queue
 *      drops a second copy while the first is waiting);
 *   4. claims unused-certificate notices (UNUSED_NOTICE_DAYS; 0 = off) and
 *      password reminders (accounts that opted in), then (re-)enqueues every
 *      unsent one-off notice: revocations, lock confirmations, unused
 *      certificates, password reminders.
 * `dryRun` only lists what is due (nothing written, nothing enqueued).
 */
import type { Clock, Logger } from '@jointcert/common';
import type { DueReminder, NotifierRepository, QueuedNotification } from '@jointcert/registry-db';
import type { NotifierMetrics } from '../metrics/notifier-metrics';

export interface ScanReport {
  at: string;
  dryRun: boolean;
  expired: number;
  due: number;
  enqueued: number;
  revocationNotices: number;
  /** New unused-certificate notices claimed by this run. */
  unusedNotices: number;
  /** New password reminders claimed by this run. */
  passwordReminders: number;
  seconds: number;
  /** dry run: what would be sent. */
  wouldSend?: DueReminder[];
}

export type Enqueue = (items: readonly QueuedNotification[]) => Promise<void>;

export class ReminderScanner {
  constructor(
    private readonly repo: NotifierRepository,
    private readonly enqueue: Enqueue,
    private readonly opts: { clock: Clock; pageSize?: number; metrics: NotifierMetrics; logger: Logger; unusedNoticeDays?: number },
  ) {}

  /**
   * (Re-)enqueue every unsent one-off notice — revocations, lock confirmations,
   * unused certificates — and return how many: part of each scan, and on its
   * own every minute (NOTICE_SWEEP_CRON) so a lock is confirmed at once — that
   * one leaves `failed` rows (a refused address) to the scans.
   */
  async sweepNotices(options: { withFailed?: boolean } = {}): Promise<number> {
    const notices = await this.repo.unsentRevocationNotices(10_000, options.withFailed ?? false);
    await this.enqueue(notices);
    return notices.length;
  }

  async scan(options: { dryRun?: boolean } = {}): Promise<ScanReport> {
    const dryRun = options.dryRun ?? false;
    const started = performance.now();
    const now = new Date(this.opts.clock.now());
    const limit = this.opts.pageSize ?? 5000;
    const expired = dryRun ? 0 : await this.repo.expireCertificates(now);
    if (expired > 0) this.opts.metrics.expired.inc(expired);
    const maxDays = await this.repo.maxReminderDays();
    const wouldSend: DueReminder[] = [];
    let due = 0;
    let enqueued = 0;
    let after: { notAfter: Date; id: string } | null = null;
    // a page's addBulk (Redis) runs while the next page is read and claimed (Postgres)
    let enqueuing: Promise<void> = Promise.resolve();
    while (maxDays !== null) {
      const page = await this.repo.dueRemindersPage({ now, maxDays, after, limit });
      due += page.length;
      if (dryRun) {
        wouldSend.push(...page);
      } else if (page.length > 0) {
        const queued = await this.repo.claimReminders(page);
        await enqueuing;
        enqueuing = this.enqueue(queued);
        enqueuing.catch(() => undefined); // handled by the await above or below, not an unhandled rejection meanwhile
        enqueued += queued.length;
      }
      if (page.length < limit) break;
      const last = page[page.length - 1]!;
      after = { notAfter: last.notAfter, id: last.certificateId };
    }
    await enqueuing;
    let revocationNotices = 0;
    let unusedNotices = 0;
    let passwordReminders = 0;
    if (!dryRun) {
      const unusedDays = this.opts.unusedNoticeDays ?? 0;
      if (unusedDays > 0) unusedNotices = await this.repo.claimUnusedNotices(now, unusedDays);
      passwordReminders = await this.repo.claimPasswordReminders(now);
      revocationNotices = await this.sweepNotices({ withFailed: true });
    }
    const seconds = (performance.now() - started) / 1000;
    if (!dryRun) {
      this.opts.metrics.scanSeconds.observe({ scan: 'expiry' }, seconds);
      this.opts.metrics.due.inc({ kind: 'expiry' }, enqueued);
    }
    const report: ScanReport = { at: now.toISOString(), dryRun, expired, due, enqueued, revocationNotices, unusedNotices, passwordReminders, seconds, ...(dryRun ? { wouldSend } : {}) };
    this.opts.logger.info({ ...report, wouldSend: undefined }, 'expiry scan done');
    return report;
  }
}
