import 'reflect-metadata';
import { PARAM_ARGS_METADATA, PATTERN_METADATA } from '@nestjs/microservices/constants';
import { z } from 'zod';
import { contract } from '@jointcert/contracts';
import { DomainError } from './errors/domain-error';
import { Handles, malformedField, parseMessage } from './messaging';

const echo = contract<{ n: number; tag?: string }, { n: number }>('test.echo', z.object({ n: z.int().min(0), tag: z.string().max(3).optional() }));

class Echo {
  calls = 0;

  @Handles(echo)
  handle(request: { n: number; tag?: string }): { n: number } {
    this.calls++;
    return { n: request.n };
  }
}

function refusal(f: () => unknown): DomainError {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('not refused');
}

describe('parseMessage', () => {
  it('returns the parsed request (unknown keys dropped: only the REST edge refuses them)', () => {
    expect(parseMessage(echo, { n: 1, extra: true })).toEqual({ n: 1 });
  });

  it('MALFORMED_INPUT in the one shape: every bad field with what was expected, never the value', () => {
    const e = refusal(() => parseMessage(echo, { n: -1, tag: 'S3CR3T' }));
    expect(e.code).toBe('MALFORMED_INPUT');
    expect(e.extra).toEqual({ errors: [expect.objectContaining({ field: 'n' }), expect.objectContaining({ field: 'tag' })] });
    expect(e.detail).toBe('the request is not valid: n, tag');
    expect(JSON.stringify(e)).not.toContain('S3CR3T');
    expect(refusal(() => parseMessage(echo, undefined)).extra).toEqual({ errors: [expect.objectContaining({ field: '(payload)' })] });
  });

  it('a field found bad past its schema has the same shape, with its typed reason', () => {
    const e = malformedField('signedData', 'is not a CMS SignedData', { reason: 'MALFORMED' });
    expect({ code: e.code, detail: e.detail, extra: e.extra }).toEqual({
      code: 'MALFORMED_INPUT',
      detail: 'signedData is not a CMS SignedData',
      extra: { reason: 'MALFORMED', errors: [{ field: 'signedData', message: 'is not a CMS SignedData' }] },
    });
  });
});

describe('@Handles', () => {
  it("subscribes the contract's pattern and calls the method with the envelope's data, parsed", () => {
    const handler = new Echo();
    expect(Reflect.getMetadata(PATTERN_METADATA, Echo.prototype.handle)).toEqual(['test.echo']);
    const call = (envelope: unknown): unknown => (handler.handle as unknown as (e: unknown) => unknown).call(handler, envelope);
    expect(call({ meta: { requestId: 'r' }, data: { n: 2, extra: 1 } })).toEqual({ n: 2 });
    expect(() => call({ meta: { requestId: 'r' }, data: { n: 'two' } })).toThrow(expect.objectContaining({ code: 'MALFORMED_INPUT' }) as Error);
    expect(() => call(null)).toThrow(expect.objectContaining({ code: 'MALFORMED_INPUT' }) as Error);
    expect(handler.calls).toBe(1);
  });

  it('declares no parameters to Nest, which then passes the transport’s arguments (envelope, context) through without a pipes stage', () => {
    expect(Reflect.getMetadata(PARAM_ARGS_METADATA, Echo, 'handle')).toEqual({});
  });
});
