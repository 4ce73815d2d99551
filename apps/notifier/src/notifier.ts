/**
 * The notifier, assembled from one configuration: Postgres (the registry's
 * database; the registry migrates it), BullMQ on Redis, the pooled SMTP
 * mailer, the scans and the send worker. Framework-free so that tests and
 * the operator scripts use it directly; the Nest module wraps it.
 */
import type { Server } from 'node:http';
import type { DataSource } from 'typeorm';
import { createFetchAllow, createGuardedHttpFetcher, createGuardedLdapFetcher, createLogger, DeleteLinks, DomainError, linkSecret, systemClock, type AppConfig, type Clock, type Logger, type ServiceOverrides } from '@jointcert/common';
import { fetchCrl, RevocationChecker, type HttpFetcher, type LdapFetcher, type OcspOverride } from '@jointcert/pki';
import type { UnsubscribeView } from '@jointcert/contracts';
import { createDataSource, NotifierRepository } from '@jointcert/registry-db';
import { SmtpMailer, type MailSender } from './mail/mailer';
import { UnsubscribeTokens } from './mail/unsubscribe-token';
import { NotifierMetrics } from './metrics/notifier-metrics';
import { NotifierQueues } from './queue/notifier-queues';
import { IssuerDirectory } from './revocation/issuers';
import { RevocationRechecker, type RecheckReport } from './revocation/recheck';
import { ReminderScanner, type ScanReport } from './scan/reminder-scan';
import { NotificationSender } from './send/notification-sender';

export interface NotifierOptions extends ServiceOverrides {
  /** Default: SMTP_URL through a pooled nodemailer transport. */
  mailer?: MailSender;
  /** An open DataSource to use (not closed by the notifier). */
  dataSource?: DataSource;
  /** Keyset page size of the scans (default 5000). */
  pageSize?: number;
  /** Fetchers for CRLs and OCSP (default: the verifier's guarded ones, same allowlist); always behind FETCH_ALLOW_* too. */
  http?: HttpFetcher;
  ldap?: LdapFetcher;
  /** CA certificates (default: TRUST_ANCHORS_DIR and INTERMEDIATES_DIR). */
  issuers?: IssuerDirectory;
  /** OCSP responders for issuers whose certificates name none (as the libs/pki checker takes them). */
  ocspOverrides?: readonly OcspOverride[];
}

export class Notifier {
  readonly metrics: NotifierMetrics;
  readonly queues: NotifierQueues;
  readonly repo: NotifierRepository;
  readonly tokens: UnsubscribeTokens;
  readonly sender: NotificationSender;
  readonly scanner: ReminderScanner;
  readonly rechecker: RevocationRechecker;
  readonly clock: Clock;
  private readonly mailer: MailSender;
  private metricsServer: Server | undefined;

  private constructor(
    readonly config: AppConfig,
    readonly dataSource: DataSource,
    private readonly ownsDataSource: boolean,
    options: NotifierOptions,
    readonly logger: Logger,
  ) {
    this.clock = options.clock ?? systemClock;
    this.repo = new NotifierRepository(dataSource);
    this.queues = new NotifierQueues(config, logger);
    this.metrics = new NotifierMetrics(() => this.queues.counts());
    const secret = linkSecret(config);
    this.tokens = new UnsubscribeTokens(secret, config.UNSUBSCRIBE_TTL_S * 1000);
    this.mailer = options.mailer ?? new SmtpMailer(config.SMTP_URL, config.MAIL_FROM, config.NOTIFIER_CONCURRENCY);
    this.sender = new NotificationSender(this.repo, this.mailer, this.tokens, {
      deleteLinks: new DeleteLinks(secret),
      deleteLinkTtlMs: config.DELETE_LINK_TTL_S * 1000,
      clock: this.clock,
      leaseMs: config.NOTIFIER_CLAIM_LEASE_S * 1000,
      publicUrl: config.NOTIFIER_PUBLIC_URL,
      mailDomain: mailDomainOf(config.MAIL_FROM),
      logger,
      metrics: this.metrics,
    });
    this.scanner = new ReminderScanner(this.repo, (items) => this.queues.enqueue(items), {
      clock: this.clock,
      metrics: this.metrics,
      logger,
      unusedNoticeDays: config.UNUSED_NOTICE_DAYS,
      ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
    });
    const allow = createFetchAllow(config);
    const http = options.http ?? createGuardedHttpFetcher(config, allow, 'jointcert-notifier');
    const ldap = options.ldap ?? createGuardedLdapFetcher(config);
    const maxSkewMs = config.REVOCATION_SKEW_S * 1000;
    this.rechecker = new RevocationRechecker({
      repo: this.repo,
      enqueue: (items) => this.queues.enqueue(items),
      clock: this.clock,
      fetchCrl: (url) => fetchCrl(url, { http, ldap, allow, maxBytes: config.CRL_MAX_BYTES, timeoutMs: config.FETCH_TIMEOUT_MS }),
      issuers: options.issuers ?? IssuerDirectory.fromDirs([config.TRUST_ANCHORS_DIR, config.INTERMEDIATES_DIR]),
      ocsp: new RevocationChecker({
        http,
        clock: this.clock,
        order: ['ocsp'],
        allow,
        maxSkewMs,
        ocsp: { timeoutMs: config.FETCH_TIMEOUT_MS, maxBytes: config.OCSP_MAX_BYTES },
        ...(options.ocspOverrides ? { ocspOverrides: options.ocspOverrides } : {}),
      }),
      maxSkewMs,
      metrics: this.metrics,
      logger,
      ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
    });
  }

  static async open(config: AppConfig, options: NotifierOptions = {}): Promise<Notifier> {
    const logger = options.logger ?? createLogger(config, { name: 'notifier' });
    let dataSource = options.dataSource;
    if (!dataSource) {
      dataSource = createDataSource(config.DATABASE_URL, { applicationName: 'jointcert-notifier', poolSize: Math.max(4, config.NOTIFIER_CONCURRENCY + 2) });
      await dataSource.initialize();
    }
    return new Notifier(config, dataSource, options.dataSource === undefined, options, logger);
  }

  /** Run the send worker, the scan worker and the schedulers; serve metrics unless NOTIFIER_METRICS_PORT is 0. */
  async start(options: { schedule?: boolean; metrics?: boolean } = {}): Promise<void> {
    this.queues.startSendWorker(this.sender);
    if (options.schedule ?? true) {
      this.queues.startScanWorker({ expiryScan: () => this.scan(), revocationRecheck: () => this.recheck(), noticeSweep: () => this.scanner.sweepNotices() });
      await this.queues.schedule();
    }
    if ((options.metrics ?? true) && this.config.METRICS_ENABLED && this.config.NOTIFIER_METRICS_PORT !== 0) {
      this.metricsServer = (await this.metrics.serve(this.config.NOTIFIER_METRICS_PORT)).server;
    }
  }

  scan(options: { dryRun?: boolean } = {}): Promise<ScanReport> {
    return this.scanner.scan(options);
  }

  /** The revocation re-check (see revocation/recheck.ts). */
  recheck(): Promise<RecheckReport> {
    return this.rechecker.recheck();
  }

  /** An unsubscribe link: `confirm` false only reads (GET), true turns its list off (POST): expiry reminders, or the password reminder. */
  async unsubscribe(token: string, confirm: boolean): Promise<UnsubscribeView> {
    const now = this.clock.now();
    const { accountId, list } = this.tokens.verify(token, now);
    const account = await this.repo.accountForUnsubscribe(accountId);
    if (!account) throw new DomainError('UNSUBSCRIBE_TOKEN_INVALID', 'the unsubscribe link is for no account');
    const view = { emailHint: maskEmail(account.email), locale: account.locale, remindersEnabled: account.remindersEnabled };
    if (list === 'password') {
      if (confirm && account.passwordReminderEnabled) await this.repo.disableReminders(accountId, new Date(now), { via: 'unsubscribe-link' }, 'password');
      return { ...view, list, passwordReminderEnabled: confirm ? false : account.passwordReminderEnabled };
    }
    if (confirm && account.remindersEnabled) await this.repo.disableReminders(accountId, new Date(now), { via: 'unsubscribe-link' });
    return { ...view, remindersEnabled: confirm ? false : account.remindersEnabled };
  }

  async close(): Promise<void> {
    await this.queues.close();
    this.mailer.close();
    if (this.metricsServer) await new Promise<void>((r) => this.metricsServer!.close(() => r()));
    if (this.ownsDataSource && this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** The key of the links in emails (libs/common signed-links). */

function mailDomainOf(from: string): string {
  return /@([A-Za-z0-9.-]+)/.exec(from)?.[1] ?? 'localhost';
}

export function maskEmail(email: string | null): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}
