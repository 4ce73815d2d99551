import { createLogger, PinoLoggerService } from './logger';
import { runWithRequestContext } from './context';
import { isSaneRequestId, requestIdFrom } from './request-id';

function capture(): { lines: Array<Record<string, unknown>>; destination: { write(s: string): void } } {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, destination: { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) } };
}

describe('createLogger', () => {
  it('redacts authorization headers, signatures, tokens, passwords and identity numbers at any usual depth', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ LOG_LEVEL: 'info' }, { destination });
    logger.info(
      {
        req: { headers: { authorization: 'Bearer abc.def', cookie: 'sid=zzz' } },
        body: { signedData: 'MIIBsig', identity: { idn: '9001011234567', randomNum: 'cmFuZA==' } },
        password: 'pw-1',
        data: { refreshToken: 'rt-1' },
      },
      'probe',
    );
    const line = JSON.stringify(lines[0]);
    for (const secret of ['abc.def', 'sid=zzz', 'MIIBsig', '9001011234567', 'cmFuZA==', 'pw-1', 'rt-1']) expect(line).not.toContain(secret);
    expect(line).toContain('[redacted]');
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'probe' });
  });

  it('adds the request id of the async context to every line', async () => {
    const { lines, destination } = capture();
    const logger = createLogger({ LOG_LEVEL: 'debug' }, { destination });
    await runWithRequestContext({ requestId: 'req-1' }, async () => {
      await Promise.resolve();
      logger.debug('inside');
    });
    logger.debug('outside');
    expect(lines[0]).toMatchObject({ msg: 'inside', requestId: 'req-1' });
    expect(lines[1]?.requestId).toBeUndefined();
  });

  it('honours the level', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ LOG_LEVEL: 'warn' }, { destination });
    logger.info('no');
    logger.warn('yes');
    expect(lines.map((l) => l.msg)).toEqual(['yes']);
  });
});

describe('PinoLoggerService', () => {
  it("maps Nest's (message, stack, context) calls to JSON fields", () => {
    const { lines, destination } = capture();
    const service = new PinoLoggerService(createLogger({ LOG_LEVEL: 'trace' }, { destination }));
    service.log('started', 'NestApplication');
    service.error('failed', 'Error: x\n    at y', 'ExceptionsHandler');
    service.verbose({ a: 1 });
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'started', context: 'NestApplication' });
    expect(lines[1]).toMatchObject({ level: 'error', msg: 'failed', context: 'ExceptionsHandler', stack: 'Error: x\n    at y' });
    expect(lines[2]).toMatchObject({ level: 'trace', a: 1 });
  });
});

describe('request ids', () => {
  it('keeps a sane client id and replaces anything else', () => {
    expect(requestIdFrom('abc-123_x.y:z@h')).toBe('abc-123_x.y:z@h');
    for (const bad of [undefined, '', 'a b', 'x'.repeat(129), 'é', 'a\nb', ['a', 'b']]) {
      const id = requestIdFrom(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(isSaneRequestId(id)).toBe(true);
    }
  });

  it('isSaneRequestId accepts exactly what /^[A-Za-z0-9._:@-]{1,128}$/ accepts', () => {
    const SANE = /^[A-Za-z0-9._:@-]{1,128}$/;
    const disagree: string[] = [];
    const agree = (s: string): void => void (isSaneRequestId(s) !== SANE.test(s) && disagree.push(s));
    // every code unit alone and inside a sane id, every length around the bounds
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      agree(ch);
      agree(`ab${ch}cd`);
    }
    for (const n of [0, 1, 127, 128, 129, 200]) agree('a'.repeat(n));
    agree('a'.repeat(127) + '\n');
    agree('\u{1F600}');
    for (const v of [42, null, undefined, {}, ['a']]) expect(isSaneRequestId(v)).toBe(false);
  });
});
