import type { Logger } from './logging/logger';

export interface GracefulExitOptions {
  /** How long in-flight work may take to finish after the signal (SHUTDOWN_GRACE_MS). */
  graceMs: number;
  logger?: Logger;
  /** Called first, synchronously: stop taking new work (e.g. the gateway answers 503 from now on). */
  onSignal?: () => void;
  signals?: NodeJS.Signals[];
}

/**
 * Graceful shutdown for an entry point: on SIGTERM (or SIGINT) stop taking
 * work, let `close()` finish in-flight requests and messages and close the
 * connections, then exit 0. If that takes longer than the grace period plus
 * a margin, exit 1 (a supervisor sees the difference). A second signal
 * changes nothing: the first shutdown is already bounded.
 */
export function exitGracefullyOn(app: { close(): Promise<void> }, options: GracefulExitOptions): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    options.logger?.info({ signal, graceMs: options.graceMs }, 'shutting down: finishing in-flight work');
    options.onSignal?.();
    const force = setTimeout(() => {
      options.logger?.error({ graceMs: options.graceMs }, 'shutdown took longer than the grace period; exiting');
      process.exit(1);
    }, options.graceMs + 2000);
    force.unref();
    app.close().then(
      () => {
        options.logger?.info('shut down');
        process.exit(0);
      },
      (err: unknown) => {
        options.logger?.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  for (const s of options.signals ?? ['SIGTERM', 'SIGINT']) process.on(s, onSignal);
}
