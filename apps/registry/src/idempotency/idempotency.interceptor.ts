import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import { from, mergeMap, Observable } from 'rxjs';
import { isDependencyOutage, isFirstDelivery, LOGGER, type Logger } from '@jointcert/common';
import { Api } from '@jointcert/contracts';
import { AccountRepository } from '@jointcert/registry-db';
import { loginReplay } from '../sessions/login-replay';
import { SessionIssuer } from '../sessions/session-issuer';
import { pendingRequest, RequestResults, type StoredResult } from './request-results';

interface Idempotent {
  action: string;
  replay?: (stored: StoredResult) => unknown;
}

/** How often expired rows are purged. */
const PURGE_EVERY_MS = 10 * 60_000;

function isRequestResultsConflict(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown; driverError?: { code?: unknown; constraint?: unknown } } | null;
  const code = e?.code ?? e?.driverError?.code;
  const constraint = e?.constraint ?? e?.driverError?.constraint;
  return code === '23505' && constraint === 'pk_request_results';
}

/**
 * Idempotency for the patterns above: a message whose envelope carries an
 * idempotency key is answered from request_results when its first run
 * committed; otherwise the handler runs with the request pending, and its
 * transaction records the result (recordPendingResult). Two copies racing:
 * the loser's insert conflicts, its transaction rolls back (nothing done
 * twice), and it answers the winner's result. The lookup before the run is
 * skipped for a key the caller made for this one call (`meta.callKey`, no
 * client Idempotency-Key) on the message's first delivery (isFirstDelivery):
 * no run can have recorded anything under it yet.
 *
 * Bound to the four handlers with @UseInterceptors (not globally), so the
 * other messages skip Nest's interceptor chain (its per-call
 * AsyncResource.bind and Observables). IDEMPOTENT_PATTERNS lists them; a
 * spec (idempotency.interceptor.spec.ts) checks every registry handler is
 * bound to it exactly when its pattern is listed.
 */
/** The patterns whose handlers carry @UseInterceptors(IdempotencyInterceptor). */
export const IDEMPOTENT_PATTERNS: readonly string[] = [Api.registry.register.cmd, Api.registry.login.cmd, Api.registry.replaceCertificate.cmd, Api.registry.deleteCertificate.cmd];

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  /**
   * The state-changing patterns whose first result is kept, and what a repeat
   * answers given the stored result (delete's transaction returns the revoked
   * session ids; its answer is `{ ok: true }`; the login's record is its
   * sealed session draft: the same tokens are rebuilt from it).
   */
  private readonly idempotent: Record<string, Idempotent>;

  constructor(
    private readonly results: RequestResults,
    @Inject(LOGGER) private readonly logger: Logger,
    sessions: SessionIssuer,
    accounts: AccountRepository,
  ) {
    this.idempotent = {
      [Api.registry.register.cmd]: { action: 'register' },
      [Api.registry.login.cmd]: { action: 'login', replay: (stored) => loginReplay(stored, sessions, accounts) },
      [Api.registry.replaceCertificate.cmd]: { action: 'replace' },
      [Api.registry.deleteCertificate.cmd]: { action: 'delete', replay: () => ({ ok: true }) },
    };
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const patterns = Reflect.getMetadata(PATTERN_METADATA, context.getHandler()) as unknown[] | undefined;
    const spec = patterns?.map((p) => (typeof p === 'string' ? this.idempotent[p] : undefined)).find((s) => s !== undefined);
    const envelope = context.switchToRpc().getData<{ meta?: { idempotencyKey?: unknown; callKey?: unknown }; data?: unknown } | null>();
    const key = envelope?.meta?.idempotencyKey;
    if (!spec || typeof key !== 'string' || key.length === 0 || key.length > 255) return next.handle();
    const request = pendingRequest(spec.action, key, envelope?.data);
    const replay = (stored: StoredResult): Promise<unknown> => Promise.resolve(spec.replay ? spec.replay(stored) : stored.result);
    const run = (): Observable<unknown> =>
      new Observable<unknown>((subscriber) =>
        RequestResults.runWith(request, () =>
          next.handle().subscribe({
            next: (v) => subscriber.next(v),
            complete: () => subscriber.complete(),
            error: (err: unknown) => {
              if (!isRequestResultsConflict(err)) return subscriber.error(err);
              // Another copy of this request committed first: answer its result.
              this.results
                .find(request)
                .then((stored) => {
                  if (!stored) throw err;
                  return replay(stored);
                })
                .then(
                  (answer) => {
                    subscriber.next(answer);
                    subscriber.complete();
                  },
                  (e: unknown) => subscriber.error(e),
                );
            },
          }),
        ),
      );
    // A key made for this one call, on its first delivery: nothing can be stored under it yet, so no
    // lookup (one Postgres round trip per login saved). The record is still written with the effect, and
    // a copy racing it still conflicts and answers the stored result (run's error path).
    if (envelope?.meta?.callKey === true && isFirstDelivery(context.switchToRpc().getContext())) return run();
    return from(this.results.find(request)).pipe(
      mergeMap((stored) => {
        if (!stored) return run();
        this.logger.info({ action: spec.action }, 'repeated request answered with its first result');
        return from(replay(stored));
      }),
    );
  }
}

/** Purges expired request results every ten minutes (one timer per registry). */
@Injectable()
export class RequestResultsPurge implements OnModuleInit, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly results: RequestResults,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      this.results.purge().then(
        (n) => n > 0 && this.logger.debug({ purged: n }, 'expired request results purged'),
        (err: unknown) => !isDependencyOutage(err) && this.logger.warn({ err }, 'request results purge failed'),
      );
    }, PURGE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
