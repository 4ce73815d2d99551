import 'reflect-metadata';
import {
  BadRequestException,
  Body,
  Catch,
  Controller,
  createParamDecorator,
  Get,
  Header,
  HttpCode,
  Injectable,
  Module,
  Post,
  Query,
  UseGuards,
  UseInterceptors,
  type ArgumentMetadata,
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  type NestInterceptor,
  type PipeTransform,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, of, type Observable } from 'rxjs';
import { leanRoutes } from './lean-routes';

const wait = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

@Injectable()
class SyncGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<FastifyRequest>().headers['x-sync'] !== 'no';
  }
}

/** x-guard: yes | no | throw | reject | obs-yes | obs-no | value (a truthy object) | zero */
@Injectable()
class AsyncGuard implements CanActivate {
  // Nest accepts any result (a truthy object, a number): typed as the interface says, tested as it behaves
  canActivate(context: ExecutionContext): boolean | Promise<boolean> | Observable<boolean> {
    return this.decide(context) as boolean;
  }

  private decide(context: ExecutionContext): unknown {
    const how = context.switchToHttp().getRequest<FastifyRequest>().headers['x-guard'];
    if (how === 'throw') throw new BadRequestException('guard threw');
    if (how === 'reject') return wait().then(() => Promise.reject(new BadRequestException('guard rejected')));
    if (how === 'obs-yes') return of(false, true);
    if (how === 'obs-no') return Promise.resolve(of(true, false));
    if (how === 'value') return { yes: 1 };
    if (how === 'zero') return Promise.resolve(0);
    return wait().then(() => how !== 'no');
  }
}

const Who = createParamDecorator((data: string, context: ExecutionContext): string => {
  const req = context.switchToHttp().getRequest<FastifyRequest>();
  if (req.headers['x-who'] === 'throw') throw new BadRequestException(`no ${data}`);
  return `${data}:${req.ip}`;
});

class Upper implements PipeTransform {
  transform(value: unknown): unknown {
    return typeof value === 'object' && value !== null ? { ...value, piped: true } : value;
  }
}

/** Resolves later, tagging the value; refuses 'bad'. */
class AsyncTag implements PipeTransform {
  transform(value: unknown): Promise<unknown> {
    return wait().then(() => {
      if (value === 'bad' || (typeof value === 'object' && value !== null && (value as { bad?: unknown }).bad)) throw new BadRequestException('async pipe refused');
      return typeof value === 'object' && value !== null ? { ...value, tagged: true } : `${String(value)}+tag`;
    });
  }
}

/** What Nest hands a pipe: the parameter's kind, name and declared type. */
class Describe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (value === 'throw') throw new BadRequestException('sync pipe refused');
    return { value, type: metadata.type, data: metadata.data ?? null, metatype: metadata.metatype?.name ?? null };
  }
}

class Doubling implements NestInterceptor {
  intercept(_: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((v) => ({ intercepted: v })));
  }
}

@Controller('t')
class TestController {
  @Get('sync')
  sync(): unknown {
    return { a: 1 };
  }

  @Get('text')
  text(): string {
    return 'plain';
  }

  @Get('empty')
  empty(): undefined {
    return undefined;
  }

  @Post('promise')
  @UseGuards(SyncGuard, AsyncGuard)
  promise(@Who('w') who: string): Promise<unknown> {
    return wait().then(() => ({ who }));
  }

  @Post('code')
  @HttpCode(202)
  @Header('x-custom', 'yes')
  @Header('cache-control', 'no-store')
  code(): unknown {
    return { ok: true };
  }

  @Get('observable')
  observable(): Observable<unknown> {
    return of(1, 2, 3).pipe(map((n) => ({ n })));
  }

  @Get('throws')
  throws(): unknown {
    throw new BadRequestException('sync');
  }

  @Get('rejects')
  rejects(): Promise<unknown> {
    return wait().then(() => Promise.reject(new Error('async failure')));
  }

  @Get('thenable')
  thenable(): PromiseLike<unknown> {
    return { then: (ok: (v: unknown) => unknown) => ok({ thenable: true }) } as PromiseLike<unknown>;
  }

  @Post('piped')
  piped(@Body(new Upper()) body: unknown): unknown {
    return body;
  }

  @Post('pipes')
  @UseGuards(AsyncGuard)
  pipes(@Body(new Upper(), new AsyncTag()) body: object, @Query('q', new Describe()) q: unknown, @Query('r', new AsyncTag(), new Describe()) r: unknown, @Who('w') who: string): unknown {
    return { body, q, r, who };
  }

  @Get('intercepted')
  @UseInterceptors(Doubling)
  intercepted(): unknown {
    return { x: 1 };
  }
}

@Catch()
class Filter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const status = exception instanceof BadRequestException ? 400 : (exception as { getStatus?: () => number }).getStatus?.() ?? 500;
    void reply.status(status).send({ error: exception instanceof Error ? exception.message : String(exception) });
  }
}

@Module({ controllers: [TestController], providers: [SyncGuard, AsyncGuard] })
class TestModule {}

async function app(lean: boolean): Promise<{ app: NestFastifyApplication; lean: ReadonlySet<string> | null }> {
  const a = await NestFactory.create<NestFastifyApplication>(TestModule, new FastifyAdapter(), { logger: false });
  const set = lean ? leanRoutes(a) : null;
  a.useGlobalFilters(new Filter());
  await a.init();
  await a.getHttpAdapter().getInstance().ready();
  return { app: a, lean: set };
}

type Req = { method: 'GET' | 'POST'; url: string; headers?: Record<string, string>; payload?: unknown };
const REQUESTS: Req[] = [
  { method: 'GET', url: '/t/sync' },
  { method: 'GET', url: '/t/text' },
  { method: 'GET', url: '/t/empty' },
  ...['yes', 'no', 'throw', 'reject', 'obs-yes', 'obs-no', 'value', 'zero'].map((g): Req => ({ method: 'POST', url: '/t/promise', headers: { 'x-guard': g } })),
  { method: 'POST', url: '/t/promise', headers: { 'x-sync': 'no', 'x-guard': 'throw' } },
  { method: 'POST', url: '/t/promise', headers: { 'x-who': 'throw' } },
  { method: 'POST', url: '/t/code' },
  { method: 'GET', url: '/t/observable' },
  { method: 'GET', url: '/t/throws' },
  { method: 'GET', url: '/t/rejects' },
  { method: 'GET', url: '/t/thenable' },
  { method: 'POST', url: '/t/piped', payload: { b: 2 } },
  { method: 'POST', url: '/t/pipes?q=1&r=2', payload: { b: 2 } },
  { method: 'POST', url: '/t/pipes?q=throw&r=2', payload: { b: 2 } },
  { method: 'POST', url: '/t/pipes?q=1&r=bad', payload: { b: 2 } },
  { method: 'POST', url: '/t/pipes?q=throw&r=bad', payload: { bad: 1 } },
  { method: 'POST', url: '/t/pipes?q=1', headers: { 'x-who': 'throw' }, payload: { b: 2 } },
  { method: 'POST', url: '/t/pipes?q=1', headers: { 'x-guard': 'no' }, payload: { b: 2 } },
  { method: 'GET', url: '/t/intercepted' },
  { method: 'GET', url: '/t/missing' },
];

describe('leanRoutes (Nest route execution without its async layers)', () => {
  let nest: NestFastifyApplication;
  let lean: NestFastifyApplication;
  let leanSet: ReadonlySet<string>;

  beforeAll(async () => {
    nest = (await app(false)).app;
    const l = await app(true);
    lean = l.app;
    leanSet = l.lean!;
  });
  afterAll(async () => {
    await nest.close();
    await lean.close();
  });

  it('runs lean exactly the routes without interceptors or a handled response', () => {
    expect([...leanSet].sort()).toEqual(
      ['code', 'empty', 'observable', 'piped', 'pipes', 'promise', 'rejects', 'sync', 'text', 'thenable', 'throws'].map((m) => `TestController.${m}`),
    );
  });

  it.each(REQUESTS.map((r) => [`${r.method} ${r.url} ${JSON.stringify(r.headers ?? {})}`, r] as const))('answers %s as Nest does', async (_, r) => {
    const ask = (a: NestFastifyApplication) => a.getHttpAdapter().getInstance().inject({ method: r.method, url: r.url, headers: r.headers ?? {}, ...(r.payload !== undefined ? { payload: r.payload as object } : {}) });
    const [a, b] = await Promise.all([ask(nest), ask(lean)]);
    const strip = (h: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'date'));
    expect({ status: b.statusCode, headers: strip(b.headers), body: b.body }).toEqual({ status: a.statusCode, headers: strip(a.headers), body: a.body });
  });

  it('the answers are what a route of either kind is expected to give', async () => {
    const get = (url: string, headers: Record<string, string> = {}, method: 'GET' | 'POST' = 'GET') => lean.getHttpAdapter().getInstance().inject({ method, url, headers });
    expect((await get('/t/promise', { 'x-guard': 'no' }, 'POST')).statusCode).toBe(403);
    expect((await get('/t/promise', { 'x-guard': 'obs-no' }, 'POST')).statusCode).toBe(403);
    const ok = await get('/t/promise', { 'x-guard': 'obs-yes' }, 'POST');
    expect([ok.statusCode, ok.json()]).toEqual([201, { who: 'w:127.0.0.1' }]);
    const code = await get('/t/code', {}, 'POST');
    expect([code.statusCode, code.headers['x-custom'], code.headers['cache-control']]).toEqual([202, 'yes', 'no-store']);
    expect((await get('/t/observable')).json()).toEqual({ n: 3 });
    expect((await get('/t/rejects')).statusCode).toBe(500);
    const piped = await lean.getHttpAdapter().getInstance().inject({ method: 'POST', url: '/t/pipes?q=1&r=2', payload: { b: 2 } });
    expect(piped.json()).toEqual({ body: { b: 2, piped: true, tagged: true }, q: { value: '1', type: 'query', data: 'q', metatype: 'Object' }, r: { value: '2+tag', type: 'query', data: 'r', metatype: 'Object' }, who: 'w:127.0.0.1' });
  });

  it('refuses to boot on a Nest whose router internals moved', async () => {
    const a = await NestFactory.create<NestFastifyApplication>(TestModule, new FastifyAdapter(), { logger: false });
    const explorer = (a as unknown as { routesResolver: { routerExplorer: { routerProxy: unknown } } }).routesResolver.routerExplorer;
    const saved = explorer.routerProxy;
    explorer.routerProxy = {};
    expect(() => leanRoutes(a)).toThrow(/RouterProxy\.createProxy not found/);
    explorer.routerProxy = saved;
    await a.close();
  });
});
