import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig } from '../config';
import { RedisScript } from './script';

describe('RedisScript (real Redis)', () => {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const redis = new Redis(config.REDIS_URL);
  const key = `jc-script-${process.pid}-${randomBytes(3).toString('hex')}`;

  afterAll(async () => {
    await redis.del(key);
    await redis.quit();
  });

  it('a script Redis has never seen (NOSCRIPT) is sent once with EVAL, then run by its SHA', async () => {
    // a text of its own: no other test or process has loaded it (never SCRIPT FLUSH a shared Redis)
    const script = new RedisScript(`-- ${randomBytes(8).toString('hex')}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`);
    expect(await redis.script('EXISTS', script.sha)).toEqual([0]);
    await expect(script.run(redis, [key], [2])).resolves.toBe(2);
    expect(await redis.script('EXISTS', script.sha)).toEqual([1]);
    await expect(script.run(redis, [key], ['3'])).resolves.toBe(5);
  });

  it("the script's own errors reject as Redis reports them (not retried as EVAL)", async () => {
    const script = new RedisScript(`-- ${randomBytes(8).toString('hex')}\nreturn redis.error_reply('ERR boom')`);
    await expect(script.run(redis, [key], [])).rejects.toThrow('ERR boom');
  });
});
