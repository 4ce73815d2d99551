/**
 * BullMQ queues of the notifier, under `${REDIS_PREFIX}bull`:
 *   - `notifications`: one job per notification, job id = its key
 *     (`expiry-<certificate>-<threshold>`, `revoked-<certificate>-once`), so a
 *     second enqueue of a waiting job is dropped. Exponential backoff; jobs are
 *     removed when done or failed (the notifications row is the record), so
 *     the next scan can enqueue a failed one again.
 *   - `notifier-scans`: job schedulers for the expiry scan (REMINDER_CRON) and
 *     the revocation re-check (REVOCATION_RECHECK_CRON), both in Asia/Seoul,
 *     and the sweep of pending one-off notices (NOTICE_SWEEP_CRON, every minute).
 */
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { AppConfig, Logger } from '@jointcert/common';
import type { QueuedNotification } from '@jointcert/registry-db';
import { KOREA_TZ } from '../korea-time';
import { PermanentFailure, type NotificationSender, type SendJobData } from '../send/notification-sender';

export const SEND_QUEUE = 'notifications';
export const SCAN_QUEUE = 'notifier-scans';

export function jobIdOf(n: Pick<QueuedNotification, 'kind' | 'certificateId' | 'thresholdDays'>): string {
  return `${n.kind}-${n.certificateId}-${n.thresholdDays ?? 'once'}`;
}

export interface ScanHandlers {
  expiryScan(): Promise<unknown>;
  revocationRecheck(): Promise<unknown>;
  noticeSweep(): Promise<unknown>;
}

export class NotifierQueues {
  readonly send: Queue<SendJobData>;
  readonly scans: Queue;
  private readonly workers: Worker[] = [];
  private readonly connections: Redis[] = [];
  private readonly prefix: string;

  constructor(
    private readonly config: AppConfig,
    private readonly logger: Logger,
  ) {
    this.prefix = `${config.REDIS_PREFIX}bull`;
    this.send = new Queue<SendJobData>(SEND_QUEUE, {
      connection: this.connection(),
      prefix: this.prefix,
      defaultJobOptions: {
        attempts: config.NOTIFIER_SEND_ATTEMPTS,
        backoff: { type: 'exponential', delay: config.NOTIFIER_BACKOFF_MS },
        removeOnComplete: true,
        removeOnFail: true,
      },
    });
    this.scans = new Queue(SCAN_QUEUE, { connection: this.connection(), prefix: this.prefix, defaultJobOptions: { removeOnComplete: 100, removeOnFail: 100, attempts: 1 } });
  }

  private connection(): Redis {
    const c = new Redis(this.config.REDIS_URL, { maxRetriesPerRequest: null });
    c.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'notifier redis connection error'));
    this.connections.push(c);
    return c;
  }

  async enqueue(items: readonly QueuedNotification[]): Promise<void> {
    for (let i = 0; i < items.length; i += 1000) {
      const chunk = items.slice(i, i + 1000);
      await this.send.addBulk(chunk.map((n) => ({ name: n.kind, data: { notificationId: n.notificationId, kind: n.kind }, opts: { jobId: jobIdOf(n) } })));
    }
  }

  startSendWorker(sender: NotificationSender): void {
    const worker = new Worker<SendJobData>(
      SEND_QUEUE,
      async (job: Job<SendJobData>) => {
        try {
          return await sender.process({
            data: job.data,
            attempt: job.attemptsMade + 1,
            maxAttempts: job.opts.attempts ?? 1,
            recordAccepted: (messageId) => job.updateData({ ...job.data, messageId }),
          });
        } catch (err) {
          if (err instanceof PermanentFailure) throw new UnrecoverableError(err.message);
          throw err;
        }
      },
      // 4 × the SMTP pool: jobs' database and Redis round trips overlap the SMTP exchanges
      { connection: this.connection(), prefix: this.prefix, concurrency: 4 * this.config.NOTIFIER_CONCURRENCY },
    );
    worker.on('error', (err) => this.logger.warn({ err: err.message }, 'notification worker error'));
    this.workers.push(worker);
  }

  startScanWorker(handlers: ScanHandlers): void {
    const worker = new Worker(
      SCAN_QUEUE,
      async (job: Job) => {
        switch (job.name) {
          case 'expiry-scan':
            return handlers.expiryScan();
          case 'revocation-recheck':
            return handlers.revocationRecheck();
          case 'notice-sweep':
            return handlers.noticeSweep();
          default:
            throw new UnrecoverableError(`unknown scan job ${job.name}`);
        }
      },
      { connection: this.connection(), prefix: this.prefix, concurrency: 1 },
    );
    worker.on('error', (err) => this.logger.warn({ err: err.message }, 'scan worker error'));
    this.workers.push(worker);
  }

  /** Upsert the job schedulers (idempotent: every replica may call it). */
  async schedule(): Promise<void> {
    await this.scans.upsertJobScheduler('expiry-scan', { pattern: this.config.REMINDER_CRON, tz: KOREA_TZ }, { name: 'expiry-scan' });
    await this.scans.upsertJobScheduler('revocation-recheck', { pattern: this.config.REVOCATION_RECHECK_CRON, tz: KOREA_TZ }, { name: 'revocation-recheck' });
    await this.scans.upsertJobScheduler('notice-sweep', { pattern: this.config.NOTICE_SWEEP_CRON, tz: KOREA_TZ }, { name: 'notice-sweep' });
  }

  /** Jobs of the notifications queue by state (metrics). */
  counts(): Promise<Record<string, number>> {
    return this.send.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
  }

  /** Wait until the notifications queue has nothing waiting, delayed or active (tests, the scan script). */
  async drained(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const c = await this.send.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(c).every((n) => n === 0)) return;
      if (Date.now() > deadline) throw new Error(`notification queue not drained in ${timeoutMs} ms: ${JSON.stringify(c)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.close()));
    await Promise.allSettled([this.send.close(), this.scans.close()]);
    await Promise.allSettled(this.connections.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
