import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Contract } from '@jointcert/contracts';
import { DomainError } from '../errors/domain-error';
import { RemoteInternalError } from '../errors/rpc';
import { LocalServiceClient } from './service-client';

const echo = { cmd: 'test.echo' } as Contract<{ n: number }, { n: number }>;
const other = { cmd: 'test.other' } as Contract<{ n: number }, { n: number }>;

function logged(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, dest), lines };
}

/** The in-process stand-in for ServiceClient: the same outcomes as over the transport. */
describe('LocalServiceClient', () => {
  it('returns the handler result; a DomainError comes out with its code, detail and extra', async () => {
    const { logger } = logged();
    const client = new LocalServiceClient(1000, logger).handle(echo, ({ n }) => {
      if (n < 0) return Promise.reject(new DomainError('CERT_REVOKED', 'revoked', { reason: 'keyCompromise' }));
      return Promise.resolve({ n: n + 1 });
    });
    await expect(client.send(echo, { n: 1 })).resolves.toEqual({ n: 2 });
    await expect(client.send(echo, { n: -1 })).rejects.toMatchObject({ code: 'CERT_REVOKED', detail: 'revoked', extra: { reason: 'keyCompromise' } });
  });

  it('an unexpected error is logged with an errorId and surfaces as RemoteInternalError naming it; an unknown pattern too', async () => {
    const { logger, lines } = logged();
    const client = new LocalServiceClient(1000, logger).handle(echo, () => Promise.reject(new TypeError('boom')));
    const err = await client.send(echo, { n: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteInternalError);
    const errorId = (err as RemoteInternalError).errorId;
    expect(errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.find((l) => l['errorId'] === errorId)).toMatchObject({ msg: 'unexpected error in message handler' });
    await expect(client.send(other, { n: 1 })).rejects.toBeInstanceOf(RemoteInternalError);
  });

  it('a handler slower than the timeout: SERVICE_UNAVAILABLE within the bound', async () => {
    const { logger } = logged();
    let release!: () => void;
    const client = new LocalServiceClient(60, logger).handle(echo, () => new Promise((resolve) => (release = () => resolve({ n: 0 }))));
    const started = Date.now();
    await expect(client.send(echo, { n: 1 })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(1000);
    release();
  });

  it('close runs the owner’s close', async () => {
    const closed = jest.fn(() => Promise.resolve());
    await new LocalServiceClient(100, logged().logger, closed).close();
    expect(closed).toHaveBeenCalledTimes(1);
  });
});
