import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import { carryHandlerMetadata, isDependencyOutage, isFirstDelivery, isOnlyDelivery, LOGGER, type Logger } from '@jointcert/common';
import { Api } from '@jointcert/contracts';
import { AccountRepository } from '@jointcert/registry-db';
import { loginReplay } from '../sessions/login-replay';
import { SessionIssuer } from '../sessions/session-issuer';
import { pendingRequest, RequestResults, type StoredResult } from './request-results';

interface IdempotentAction {
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

/** The state-changing patterns whose first result is kept, and the action their records are stored under. */
const ACTIONS: Readonly<Record<string, string>> = {
  [Api.registry.register.cmd]: 'register',
  [Api.registry.login.cmd]: 'login',
  [Api.registry.replaceCertificate.cmd]: 'replace',
  [Api.registry.deleteCertificate.cmd]: 'delete',
};

/** The patterns whose handlers are @Idempotent. */
export const IDEMPOTENT_PATTERNS: readonly string[] = Object.keys(ACTIONS);

/** Set on an @Idempotent handler (the spec checks they are exactly the handlers of IDEMPOTENT_PATTERNS). */
export const IDEMPOTENT_METADATA = 'jointcert:idempotent';

type Envelope = { meta?: { idempotencyKey?: unknown; callKey?: unknown }; data?: unknown } | null | undefined;

/**
 * Idempotency for IDEMPOTENT_PATTERNS: a message whose envelope carries an
 * idempotency key is answered from request_results when its first run
 * committed; otherwise the handler runs with the request pending, and its
 * transaction records the result (recordPendingResult). Two copies racing:
 * the loser's insert conflicts, its transaction rolls back (nothing done
 * twice), and it answers the winner's result. The lookup before the run is
 * skipped for a key the caller made for this one call (`meta.callKey`, no
 * client Idempotency-Key) on the message's first delivery (isFirstDelivery):
 * no run can have recorded anything under it yet. With such a key on the
 * message's only delivery (isOnlyDelivery: a co-located call in this
 * process), nothing is recorded either: no later delivery exists to look it
 * up, so the handler runs as for a message without a key (a login then takes
 * the statement without the request_results insert, and seals nothing).
 *
 * Applied by @Idempotent around the four handlers, not as a Nest interceptor:
 * Nest's interceptor chain builds Observables and two AsyncResource.bind
 * wrappers per call (each a new async resource and, on Node 20, two
 * `deprecate` wrappers), several % of a login's CPU.
 */
@Injectable()
export class Idempotency {
  /**
   * ACTIONS with what a repeat answers given the stored result (the stored
   * result itself, except: delete's transaction returns the revoked session
   * ids, its answer is `{ ok: true }`; the login's record is its sealed
   * session draft: the same tokens are rebuilt from it).
   */
  private readonly idempotent: Record<string, IdempotentAction>;

  constructor(
    private readonly results: RequestResults,
    @Inject(LOGGER) private readonly logger: Logger,
    sessions: SessionIssuer,
    accounts: AccountRepository,
  ) {
    const replays: Record<string, IdempotentAction['replay']> = {
      [Api.registry.login.cmd]: (stored) => loginReplay(stored, sessions, accounts),
      [Api.registry.deleteCertificate.cmd]: () => ({ ok: true }),
    };
    this.idempotent = Object.fromEntries(Object.entries(ACTIONS).map(([pattern, action]) => [pattern, { action, replay: replays[pattern] }]));
  }

  /** Handle the message `envelope` of `pattern` (transport context `ctx`): `run` it, or answer its first result. */
  async handle(pattern: string, envelope: unknown, ctx: unknown, run: () => unknown): Promise<unknown> {
    const spec = this.idempotent[pattern];
    const meta = (envelope as Envelope)?.meta;
    const key = meta?.idempotencyKey;
    if (!spec || typeof key !== 'string' || key.length === 0 || key.length > 255) return run();
    // A key made for this one call, delivered once and never again: no one can ask for its result.
    if (meta?.callKey === true && isOnlyDelivery(ctx)) return run();
    const request = pendingRequest(spec.action, key, (envelope as Envelope)?.data);
    // A key made for this one call, on its first delivery: nothing can be stored under it yet, so no
    // lookup (one Postgres round trip per login saved). The record is still written with the effect, and
    // a copy racing it still conflicts and answers the stored result (the catch below).
    if (!(meta?.callKey === true && isFirstDelivery(ctx))) {
      const stored = await this.results.find(request);
      if (stored) {
        this.logger.info({ action: spec.action }, 'repeated request answered with its first result');
        return answer(spec, stored);
      }
    }
    try {
      return await RequestResults.runWith(request, run);
    } catch (err) {
      if (!isRequestResultsConflict(err)) throw err;
      // Another copy of this request committed first: answer its result.
      const stored = await this.results.find(request);
      if (!stored) throw err;
      return answer(spec, stored);
    }
  }
}

/** What a repeat answers: the action's replay of the stored result, or the stored result itself. */
function answer(spec: IdempotentAction, stored: StoredResult): unknown {
  return spec.replay ? spec.replay(stored) : stored.result;
}

/**
 * Makes a message handler idempotent (Idempotency.handle around it). Goes
 * above @Handles (it wraps the handler Nest calls with the envelope and the
 * transport's context, see Handles); the
 * controller exposes its Idempotency as `idempotency`. The handler's pattern
 * must be one of IDEMPOTENT_PATTERNS.
 */
export function Idempotent() {
  return <T extends { readonly idempotency: Idempotency }, M extends (...args: never[]) => Promise<unknown>>(_target: T, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    const handler = descriptor.value as ((this: T, envelope: unknown, ctx: unknown) => unknown) | undefined;
    const patterns = handler ? (Reflect.getMetadata(PATTERN_METADATA, handler) as unknown[] | undefined) : undefined;
    const pattern = patterns?.length === 1 ? patterns[0] : undefined;
    if (!handler || typeof pattern !== 'string' || !IDEMPOTENT_PATTERNS.includes(pattern)) {
      throw new Error(`@Idempotent() on ${String(key)}: must go above @Handles of one of IDEMPOTENT_PATTERNS`);
    }
    const idempotent = function (this: T, envelope: unknown, ctx: unknown): Promise<unknown> {
      return this.idempotency.handle(pattern, envelope, ctx, () => handler.call(this, envelope, ctx));
    };
    carryHandlerMetadata(handler, idempotent);
    Reflect.defineMetadata(IDEMPOTENT_METADATA, true, idempotent);
    descriptor.value = idempotent as unknown as M;
  };
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
