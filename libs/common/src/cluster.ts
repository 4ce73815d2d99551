import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, Counter, Gauge, Registry } from 'prom-client';
import { DomainError } from './errors/domain-error';
import type { Logger } from './logging/logger';

/**
 * An HTTP entry point as N worker processes sharing one listening port
 * (node:cluster; the primary accepts and hands connections round-robin):
 * runHttp with `workers` > 1. Each worker is the whole app; the primary only
 * supervises. Between them, over the cluster's IPC channel:
 *
 *   worker                                 primary
 *   created (app built: boot work done) →
 *                                        ← listen   (startup: once every worker is created)
 *   ready {port} (listening)            →
 *   metrics? {id}                       →  collect {id} → each ready worker → collected {id, metrics}
 *                                        ← metrics {id, text}  (the workers' registries, aggregated)
 *
 * Startup: the first worker is created alone (its boot work — the registry's
 * migrations under COLOCATE — never runs twice at once: TypeORM takes no
 * lock), then the others; no worker listens before all are created, so the
 * port opens with every worker ready, and the primary logs it once all
 * listen. A worker that exits during startup stops the whole (exit 1, as a
 * single process would). Afterwards a worker that dies is replaced, after a
 * delay that doubles while replacements keep dying young (a crash loop waits,
 * up to RESTART_MAX_MS, instead of spinning). SIGTERM/SIGINT go to every
 * worker, which drains as a single process does (503 for new requests,
 * in-flight ones finished within SHUTDOWN_GRACE_MS); the primary exits 0
 * when every worker that served has exited 0, else 1.
 */
const TAG = 'jointcert:cluster';

/** Worker → primary. */
type ToPrimary =
  | { [TAG]: 'created' }
  | { [TAG]: 'ready'; port: number | null }
  | { [TAG]: 'metrics?'; id: number }
  | { [TAG]: 'collected'; id: number; metrics?: unknown[]; error?: string };
/** Primary → worker. */
type ToWorker = { [TAG]: 'listen' } | { [TAG]: 'metrics'; id: number; text?: string; error?: string } | { [TAG]: 'collect'; id: number };

/** One of ours (the IPC channel carries Node's own cluster messages too). */
function ours<M extends ToPrimary | ToWorker>(m: unknown): m is M {
  return typeof m === 'object' && m !== null && TAG in m;
}

/** The first replacement waits this long; each one that dies young doubles it, up to RESTART_MAX_MS. */
export const RESTART_MIN_MS = 100;
export const RESTART_MAX_MS = 30_000;
/** A worker that ran this long died of something else than its boot: its replacement starts after RESTART_MIN_MS again. */
const STABLE_MS = 10_000;
/** The primary's wait for the workers' metrics. */
const COLLECT_TIMEOUT_MS = 3000;

/** A reply awaited over IPC. */
interface Waiter<T> {
  resolve(value: T): void;
  reject(err: Error): void;
}

/** The reply awaited under `key` in `waiting` (settled through it, then forgotten), failed with `timeout` after `ms`. */
function awaitReply<K, T>(waiting: Map<K, Waiter<T>>, key: K, ms: number, timeout: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const settle = (then: () => void): void => {
      clearTimeout(timer);
      waiting.delete(key);
      then();
    };
    const timer = setTimeout(() => settle(() => reject(new Error(timeout))), ms);
    waiting.set(key, { resolve: (value) => settle(() => resolve(value)), reject: (err) => settle(() => reject(err)) });
  });
}

// ---- worker side

let collected: Registry | undefined;
let onListen: (() => void) | undefined;
const asked = new Map<number, Waiter<string>>();
let asks = 0;
let listening = false;

/** A message to the primary; nothing when it is gone (the worker exits on the disconnect anyway). */
function toPrimary(m: ToPrimary): void {
  if (process.connected) process.send!(m, undefined, undefined, () => undefined);
}

function listenToPrimary(): void {
  if (listening) return;
  listening = true;
  process.on('message', (m: unknown) => {
    if (!ours<ToWorker>(m)) return;
    switch (m[TAG]) {
      case 'listen':
        onListen?.();
        return;
      case 'collect':
        (collected ? collected.getMetricsAsJSON() : Promise.resolve([])).then(
          (metrics) => toPrimary({ [TAG]: 'collected', id: m.id, metrics }),
          (err: unknown) => toPrimary({ [TAG]: 'collected', id: m.id, error: String(err) }),
        );
        return;
      case 'metrics': {
        const waiter = asked.get(m.id);
        if (m.text !== undefined) waiter?.resolve(m.text);
        else waiter?.reject(new Error(m.error ?? 'no metrics'));
        return;
      }
    }
  });
}

/** In a worker of runHttp's cluster (not in a single process or the primary). */
export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

/**
 * A worker whose app is built: tell the primary, serve `registry` to its
 * aggregation, and resolve when the primary says to listen.
 */
export function workerCreated(registry: Registry | undefined): Promise<void> {
  collected = registry;
  listenToPrimary();
  const go = new Promise<void>((resolve) => (onListen = resolve));
  toPrimary({ [TAG]: 'created' });
  return go;
}

/** A worker listening (on `port`, when the app says). */
export function workerListening(port: number | null): void {
  toPrimary({ [TAG]: 'ready', port });
}

/**
 * In a worker: every worker's metrics, aggregated by the primary (counters
 * and histograms summed; prom-client's rules for the process metrics), plus
 * the primary's own (workers ready, restarts). Not answered in time (a
 * worker that hangs) → SERVICE_UNAVAILABLE.
 */
export function clusterMetrics(): Promise<string> {
  listenToPrimary();
  const id = ++asks;
  const reply = awaitReply(asked, id, COLLECT_TIMEOUT_MS + 1000, 'the primary did not answer');
  toPrimary({ [TAG]: 'metrics?', id });
  return reply.catch((err: unknown) => {
    throw new DomainError('SERVICE_UNAVAILABLE', `metrics not collected from every gateway worker: ${err instanceof Error ? err.message : String(err)}`);
  });
}

// ---- primary side

interface Slot {
  worker?: Worker;
  created: boolean;
  ready: boolean;
  /** Served requests at some point (its exit code then counts at shutdown). */
  served: boolean;
  port: number | null;
  startedAt: number;
  /** Consecutive replacements that died young. */
  failures: number;
  timer?: NodeJS.Timeout;
}

export interface PrimaryOptions {
  /** The app's name in log lines. */
  name: string;
  workers: number;
  /** SHUTDOWN_GRACE_MS: the workers' own bound; the primary waits a little longer. */
  graceMs: number;
  logger: Logger;
}

/** The primary of runHttp's cluster (see the file's comment). */
export function runPrimary(options: PrimaryOptions): void {
  const logger = options.logger.child({ role: 'primary' });
  const slots: Slot[] = Array.from({ length: options.workers }, () => ({ created: false, ready: false, served: false, port: null, startedAt: 0, failures: 0 }));
  let phase: 'starting' | 'running' | 'stopping' = 'starting';
  let exitCode = 0;

  // the primary's own, beside the workers' (the gateway's: jointcert_gateway_workers, jointcert_gateway_worker_restarts_total)
  const registry = new Registry();
  const prefix = `jointcert_${options.name.replace(/[^a-z0-9]/gi, '_')}`;
  new Gauge({
    name: `${prefix}_workers`,
    help: `${options.name} worker processes listening`,
    registers: [registry],
    collect() {
      this.set(slots.filter((s) => s.ready).length);
    },
  });
  const restarts = new Counter({ name: `${prefix}_worker_restarts_total`, help: `${options.name} workers that died and were replaced`, registers: [registry] });

  const pending = new Map<string, Waiter<unknown[]>>();
  let collections = 0;
  const collect = (worker: Worker, id: number): Promise<unknown[]> => {
    const reply = awaitReply(pending, `${worker.id}:${id}`, COLLECT_TIMEOUT_MS, `worker ${worker.id} did not answer within ${COLLECT_TIMEOUT_MS} ms`);
    send(worker, { [TAG]: 'collect', id });
    return reply;
  };
  const aggregate = async (): Promise<string> => {
    const id = ++collections;
    const workers = slots.filter((s) => s.ready && s.worker?.isConnected()).map((s) => s.worker!);
    const each = await Promise.all(workers.map((w) => collect(w, id)));
    return AggregatorRegistry.aggregate([...each, await registry.getMetricsAsJSON()] as object[]).metrics();
  };

  const fork = (slot: Slot): void => {
    slot.timer = undefined;
    const worker = cluster.fork();
    Object.assign(slot, { worker, created: false, ready: false, served: false, port: null, startedAt: Date.now() });
    worker.on('message', (m: unknown) => onMessage(slot, worker, m));
    worker.on('exit', (code, signal) => onExit(slot, worker, code, signal));
  };

  const onMessage = (slot: Slot, worker: Worker, m: unknown): void => {
    if (!ours<ToPrimary>(m) || slot.worker !== worker) return;
    switch (m[TAG]) {
      case 'created':
        slot.created = true;
        if (phase === 'running') send(worker, { [TAG]: 'listen' });
        else if (phase === 'starting') {
          // the first one alone (its boot work done), then the others; all listen once all are created
          if (slot === slots[0]) for (const s of slots.slice(1)) fork(s);
          if (slots.every((s) => s.created)) for (const s of slots) send(s.worker!, { [TAG]: 'listen' });
        }
        return;
      case 'ready':
        Object.assign(slot, { ready: true, served: true, port: m.port });
        if (phase === 'starting' && slots.every((s) => s.ready)) {
          phase = 'running';
          logger.info({ port: slot.port, workerPids: slots.map((s) => s.worker!.process.pid) }, `${options.name} listening with ${slots.length} workers`);
        } else if (phase === 'running') {
          logger.info({ worker: worker.id, workerPid: worker.process.pid }, `${options.name} worker replaced`);
        }
        return;
      case 'metrics?':
        aggregate().then(
          (text) => send(worker, { [TAG]: 'metrics', id: m.id, text }),
          (err: unknown) => send(worker, { [TAG]: 'metrics', id: m.id, error: err instanceof Error ? err.message : String(err) }),
        );
        return;
      case 'collected': {
        const waiter = pending.get(`${worker.id}:${m.id}`);
        if (m.metrics) waiter?.resolve(m.metrics);
        else waiter?.reject(new Error(m.error ?? 'no metrics'));
        return;
      }
    }
  };

  const onExit = (slot: Slot, worker: Worker, code: number | null, signal: string | null): void => {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    slot.ready = false;
    // a scrape waiting for it fails now rather than at its timeout
    for (const [key, waiter] of pending) if (key.startsWith(`${worker.id}:`)) waiter.reject(new Error(`worker ${worker.id} exited`));
    const how = { worker: worker.id, workerPid: worker.process.pid, code, signal };
    if (phase === 'stopping') {
      // a worker that never listened had nothing in flight: the signal's default end is fine
      if (slot.served && code !== 0) exitCode = 1;
      if (slots.every((s) => !s.worker)) finish();
      return;
    }
    if (phase === 'starting') {
      logger.error(how, `${options.name} worker exited while starting; stopping`);
      stop(1);
      return;
    }
    restarts.inc();
    slot.failures = Date.now() - slot.startedAt < STABLE_MS ? slot.failures + 1 : 0;
    const delay = Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** slot.failures);
    logger.error({ ...how, restartInMs: delay }, `${options.name} worker died; replacing it`);
    slot.timer = setTimeout(() => fork(slot), delay);
  };

  let force: NodeJS.Timeout | undefined;
  const finish = (): void => {
    clearTimeout(force);
    logger.info({ exitCode }, 'all workers stopped');
    process.exit(exitCode);
  };
  const stop = (code: number): void => {
    if (phase === 'stopping') return;
    phase = 'stopping';
    exitCode = code;
    for (const s of slots) clearTimeout(s.timer);
    const alive = slots.filter((s) => s.worker);
    if (alive.length === 0) return finish();
    force = setTimeout(() => {
      logger.error({ graceMs: options.graceMs }, 'workers still running after the grace period; killing them');
      for (const s of slots) s.worker?.process.kill('SIGKILL');
      process.exit(1);
    }, options.graceMs + 5000);
    force.unref();
    for (const s of alive) s.worker!.process.kill('SIGTERM');
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (phase !== 'stopping') logger.info({ signal, graceMs: options.graceMs }, 'shutting down: each worker finishes its in-flight work');
      stop(0);
    });
  }
  fork(slots[0]!);
}

function send(worker: Worker, m: ToWorker): void {
  if (worker.isConnected()) worker.send(m, undefined, () => undefined);
}
