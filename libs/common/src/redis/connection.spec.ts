import { Redis } from 'ioredis';
import { isDependencyOutage, isRetryableTransactionError } from '../errors/outage';
import { blockingCall, createRedisConnection, reconnectDelayMs, redisConnectionOptions, whenReady } from './connection';

describe('reconnectDelayMs', () => {
  it('starts at about 50 ms, doubles, caps at about 2 s, and never gives up', () => {
    const mid = (): number => 0.5;
    expect(reconnectDelayMs(1, mid)).toBe(50);
    expect(reconnectDelayMs(2, mid)).toBe(100);
    expect(reconnectDelayMs(6, mid)).toBe(1600);
    expect(reconnectDelayMs(7, mid)).toBe(2000);
    expect(reconnectDelayMs(10_000, mid)).toBe(2000);
    expect(reconnectDelayMs(10_000, () => 0)).toBe(1600);
    expect(reconnectDelayMs(10_000, () => 1)).toBe(2400);
  });

  it('is what every connection uses (no attempt limit)', () => {
    const opts = redisConnectionOptions({ REDIS_URL: 'redis://:p%40ss@10.0.0.1:6380/2' }, { name: 'x' });
    expect(opts).toMatchObject({ host: '10.0.0.1', port: 6380, db: 2, password: 'p@ss', enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2000 });
    expect(typeof opts.retryStrategy!(1_000_000)).toBe('number');
    expect(redisConnectionOptions({ REDIS_URL: 'redis://h' }, { name: 'b', blocking: true })).toMatchObject({ autoResendUnfulfilledCommands: false });
    expect(redisConnectionOptions({ REDIS_URL: 'redis://h' }, { name: 'b', blocking: true }).commandTimeout).toBeUndefined();
  });
});

describe('isDependencyOutage', () => {
  it.each([
    ['pg admin shutdown', { code: '57P01', message: 'terminating connection due to administrator command' }],
    ['pg connection failure class 08', { code: '08006' }],
    ['pg starting up', { code: '57P03' }],
    ['serialization failure', { code: '40001' }],
    ['TypeORM wrapping a driver error', { name: 'QueryFailedError', message: 'x', driverError: { code: '57P01' } }],
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['pg connection terminated', new Error('Connection terminated unexpectedly')],
    ['ioredis offline', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['ioredis closed', new Error('Connection is closed.')],
    ['ioredis timeout', new Error('Command timed out')],
    ['AggregateError of refusals', Object.assign(new Error('x'), { errors: [{ code: 'ECONNREFUSED' }] })],
  ])('%s → outage (503)', (_name, err) => {
    expect(isDependencyOutage(err)).toBe(true);
  });

  it.each([
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a unique violation', { code: '23505', message: 'duplicate key value violates unique constraint' }],
    ['a syntax error', { code: '42601' }],
    ['a string', 'boom'],
    ['null', null],
  ])('%s → not an outage (500 stays for bugs)', (_name, err) => {
    expect(isDependencyOutage(err)).toBe(false);
  });

  it('retryable transaction errors: serialization failure and deadlock only', () => {
    expect(isRetryableTransactionError({ code: '40001' })).toBe(true);
    expect(isRetryableTransactionError({ driverError: { code: '40P01' } })).toBe(true);
    expect(isRetryableTransactionError({ code: '57P01' })).toBe(false);
  });
});

describe('blockingCall', () => {
  it('rejects when the connection closes under a blocked command (real Redis)', async () => {
    const redis = createRedisConnection({ REDIS_URL: 'redis://127.0.0.1:6379/0' }, { name: 'spec', blocking: true });
    const killer = new Redis('redis://127.0.0.1:6379/0');
    try {
      await new Promise((done) => redis.once('ready', done));
      const name = `jc-spec-${process.pid}-${Date.now()}`;
      await redis.client('SETNAME', name);
      const blocked = blockingCall(redis, () => redis.xread('BLOCK', 10_000, 'STREAMS', `${name}:nothing`, '$'));
      await new Promise((done) => setTimeout(done, 50));
      const list = await killer.client('LIST');
      const id = /id=(\d+) [^\n]*name=(\S+)/g;
      const mine = [...String(list).matchAll(id)].find((m) => m[2] === name)?.[1];
      expect(mine).toBeDefined();
      const t0 = Date.now();
      // the rejection can land before KILL's own reply: expect it before killing
      const rejected = expect(blocked).rejects.toThrow('Connection is closed.');
      await killer.client('KILL', 'ID', mine!);
      await rejected;
      expect(Date.now() - t0).toBeLessThan(2000);
    } finally {
      redis.disconnect();
      killer.disconnect();
    }
  });
});

describe('autoPipelining (writeOncePerTurn, real Redis)', () => {
  /** Socket writes (write/writev calls reaching the socket) while `fn` runs. */
  async function writesDuring(redis: Redis, fn: () => Promise<unknown>): Promise<number> {
    const socket = redis.stream as unknown as { _write: (...a: unknown[]) => unknown; _writev: (...a: unknown[]) => unknown };
    const [w, wv] = [socket._write, socket._writev];
    let n = 0;
    socket._write = (...a: unknown[]) => (n++, w.apply(socket, a));
    socket._writev = (...a: unknown[]) => (n++, wv.apply(socket, a));
    try {
      await fn();
    } finally {
      socket._write = w;
      socket._writev = wv;
    }
    return n;
  }

  it("sends the commands issued in one turn in one socket write, in order, each with its own reply and error, on every socket it opens", async () => {
    const redis = createRedisConnection({ REDIS_URL: 'redis://127.0.0.1:6379/0' }, { name: 'spec-batch', autoPipelining: true });
    const killer = new Redis('redis://127.0.0.1:6379/0');
    const key = `jc-spec-batch-${process.pid}-${Date.now()}`;
    try {
      expect(await whenReady(redis, 3000)).toBe(true);
      const turn = (): Promise<unknown[]> =>
        Promise.all([
          ...Array.from({ length: 10 }, (_, i) => redis.rpush(key, String(i))),
          redis.lrange(key, 0, -1),
          redis.hget(key, 'x').then(
            () => 'no error',
            (err: Error) => err.message.slice(0, 9),
          ),
          redis.del(key),
        ]);
      let replies: unknown[] = [];
      expect(await writesDuring(redis, async () => (replies = await turn()))).toBe(1);
      expect(replies).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], 'WRONGTYPE', 1]);
      // a new socket after the server dropped the connection: batched too
      await redis.client('SETNAME', `${key}-conn`);
      const id = [...String(await killer.client('LIST')).matchAll(/id=(\d+) [^\n]*name=(\S+)/g)].find((m) => m[2] === `${key}-conn`)?.[1];
      const reconnected = new Promise((done) => redis.once('ready', done));
      await killer.client('KILL', 'ID', id!);
      await reconnected;
      expect(await writesDuring(redis, async () => (replies = await turn()))).toBe(1);
      expect(replies[10]).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    } finally {
      await killer.del(key);
      redis.disconnect();
      killer.disconnect();
    }
  });
});
