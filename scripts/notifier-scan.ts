/**
 * `npm run notifier:scan` — run the expiry scan now and send what is due
 * (waits until the queue is empty, at most NOTIFIER_SCAN_WAIT_S, default 300 s).
 * `npm run notifier:scan -- --dry-run` — list what would be sent; writes nothing.
 * `npm run notifier:scan -- --recheck` — run the revocation re-check too.
 * Uses the same environment as the notifier (DATABASE_URL, REDIS_URL, REDIS_PREFIX, SMTP_URL, …).
 */
import { ConfigError, loadConfig } from '@jointcert/common';
import { Notifier } from '../apps/notifier/src/notifier';

async function main(): Promise<void> {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  const dryRun = process.argv.includes('--dry-run');
  const recheck = process.argv.includes('--recheck');
  const waitS = Number(process.env.NOTIFIER_SCAN_WAIT_S ?? 300);
  const notifier = await Notifier.open(config);
  try {
    if (dryRun) {
      const report = await notifier.scan({ dryRun: true });
      console.log(`dry run at ${report.at}: ${report.due} reminder(s) due (nothing sent, nothing written)`);
      for (const d of report.wouldSend ?? []) {
        console.log(`  ${d.notAfter.toISOString()}  ${String(d.thresholdDays).padStart(3)}d  ${d.locale}  ${d.email}  certificate ${d.certificateId}`);
      }
      return;
    }
    await notifier.start({ schedule: false, metrics: false });
    if (recheck) console.log('re-check:', JSON.stringify(await notifier.recheck()));
    const report = await notifier.scan();
    console.log(`scan at ${report.at}: ${report.expired} expired, ${report.due} due, ${report.enqueued} enqueued, ${report.revocationNotices} revocation notice(s); ${report.seconds.toFixed(2)} s`);
    await notifier.queues.drained(waitS * 1000);
    const rows = await notifier.dataSource.query<Array<{ status: string; n: string }>>(`SELECT status, count(*)::text AS n FROM notifications GROUP BY status ORDER BY status`);
    console.log(`notifications: ${rows.map((r) => `${r.status} ${r.n}`).join(', ') || 'none'}`);
  } finally {
    await notifier.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError || err instanceof Error ? err.message : err);
  process.exit(1);
});
