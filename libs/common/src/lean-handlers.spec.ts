import 'reflect-metadata';
import { Controller, Injectable, Module, UseGuards, UseInterceptors, type CallHandler, type CanActivate, type NestInterceptor } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MessagePattern, Payload, type MessageHandler, type Server } from '@nestjs/microservices';
import { pino } from 'pino';
import { firstValueFrom, map, of, throwError, toArray, type Observable } from 'rxjs';
import { z } from 'zod';
import { contract } from '@jointcert/contracts';
import { loadConfig } from './config';
import { DomainError } from './errors/domain-error';
import { RpcProblemFilter } from './errors/rpc';
import { leanMessageHandlers } from './lean-handlers';
import { Handles } from './messaging';
import { transportServer } from './transport';

const c = (cmd: string) => contract<{ n: number }, unknown>(cmd, z.strictObject({ n: z.number() }));
const events: number[] = [];

@Injectable()
class No implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

class Wrap implements NestInterceptor {
  intercept(_: unknown, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((v) => ({ wrapped: v })));
  }
}

@Controller()
class LeanController {
  @Handles(c('l.sync'))
  sync({ n }: { n: number }): unknown {
    if (n < 0) throw new DomainError('CERT_REVOKED', 'revoked', { n });
    if (n === 0) throw new TypeError('boom');
    return { n };
  }

  @Handles(c('l.async'))
  async async({ n }: { n: number }): Promise<unknown> {
    await new Promise((r) => setImmediate(r));
    if (n < 0) throw new DomainError('CERT_REVOKED', 'revoked later', { n });
    return { n };
  }

  @Handles(c('l.observable'))
  observable({ n }: { n: number }): Observable<unknown> {
    return n < 0 ? throwError(() => new DomainError('CHALLENGE_EXPIRED', 'expired')) : of(1, 2, n);
  }

  @Handles(c('l.promisedObservable'))
  promisedObservable({ n }: { n: number }): Promise<Observable<unknown>> {
    return Promise.resolve(n < 0 ? throwError(() => new Error('inner')) : of(n));
  }

  @Handles(c('l.guarded'))
  @UseGuards(No)
  guarded(): unknown {
    return 'never';
  }

  @Handles(c('l.intercepted'))
  @UseInterceptors(Wrap)
  intercepted({ n }: { n: number }): unknown {
    return n;
  }

  @MessagePattern('l.payload')
  payload(@Payload() data: { n: number }): unknown {
    return { got: data.n };
  }

  @EventPattern('l.event')
  event(data: { n: number }): void {
    events.push(data.n);
  }
}

@Module({ controllers: [LeanController], providers: [No] })
class LeanModule {}

const config = loadConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'test' });
const logger = pino({ level: 'silent' });

async function host(lean: boolean): Promise<{ server: Server; lean: ReadonlySet<string> | null; close(): Promise<void> }> {
  const server = transportServer(config, logger) as unknown as Server;
  const app = await NestFactory.createMicroservice(LeanModule, { strategy: server as never, logger: false });
  app.useGlobalFilters(new RpcProblemFilter(logger));
  const set = lean ? leanMessageHandlers(app) : null;
  await app.init();
  return { server, lean: set, close: () => app.close() };
}

/** What a transport would send back for one message: the values, or the error. */
async function outcome(handler: MessageHandler, data: unknown): Promise<unknown> {
  try {
    const result: unknown = await handler(data, {});
    const values = await firstValueFrom((result !== null && typeof (result as Observable<unknown>).subscribe === 'function' ? (result as Observable<unknown>) : of(result)).pipe(toArray()));
    return { values };
  } catch (err) {
    // an unexpected error's errorId is random: only its presence is compared
    const e = err as { errorId?: unknown };
    return { error: typeof e.errorId === 'string' ? { ...e, errorId: '(random)' } : err };
  }
}

describe('leanMessageHandlers (message handlers without Nest async layers)', () => {
  let nest: Awaited<ReturnType<typeof host>>;
  let lean: Awaited<ReturnType<typeof host>>;
  beforeAll(async () => {
    nest = await host(false);
    lean = await host(true);
  });
  afterAll(async () => {
    await nest.close();
    await lean.close();
  });

  // an undecorated handler (l.event) gets Nest's default parameters (payload, context): not direct
  it('calls directly exactly the handlers without guards, interceptors or declared parameters', () => {
    expect([...lean.lean!].sort()).toEqual(['async', 'observable', 'promisedObservable', 'sync'].map((m) => `LeanController.${m}`));
  });

  const cases: Array<[string, unknown]> = [];
  for (const p of ['l.sync', 'l.async', 'l.observable', 'l.promisedObservable']) for (const n of [-1, 0, 5]) cases.push([p, { meta: { requestId: 'r' }, data: { n } }]);
  cases.push(['l.sync', { data: { n: 'x' } }], ['l.guarded', { data: { n: 1 } }], ['l.intercepted', { data: { n: 1 } }], ['l.payload', { n: 3 }]);

  it.each(cases)('%s %j: the same answer or wire error as through Nest', async (pattern, data) => {
    const a = await outcome(nest.server.getHandlerByPattern(pattern)!, data);
    const b = await outcome(lean.server.getHandlerByPattern(pattern)!, data);
    expect(b).toEqual(a);
  });

  it('answers what the transport expects: values, and errors as WireErrors', async () => {
    const h = (p: string) => lean.server.getHandlerByPattern(p)!;
    expect(await outcome(h('l.async'), { data: { n: 5 } })).toEqual({ values: [{ n: 5 }] });
    expect(await outcome(h('l.sync'), { data: { n: -1 } })).toEqual({ error: { kind: 'jointcert.problem', code: 'CERT_REVOKED', detail: 'revoked', extra: { n: -1 } } });
    expect(await outcome(h('l.observable'), { data: { n: -1 } })).toEqual({ error: expect.objectContaining({ code: 'CHALLENGE_EXPIRED' }) });
    expect(await outcome(h('l.sync'), { data: { n: 0 } })).toEqual({ error: expect.objectContaining({ code: 'INTERNAL', errorId: '(random)' }) });
    await lean.server.getHandlerByPattern('l.event')!({ n: 7 });
    expect(events).toContain(7);
  });
});
