import { contextSlot, currentRequestContext, currentRequestId, runWithRequestContext } from './context';

describe('request context slots', () => {
  const slot = contextSlot<{ n: number }>('test');
  const other = contextSlot<string>('other');

  it('carry a value down the async chain, keeping the request context and the other slots', async () => {
    await runWithRequestContext({ requestId: 'r1', idempotencyKey: 'k1' }, () =>
      other.run('o', () =>
        slot.run({ n: 1 }, async () => {
          await Promise.resolve();
          expect(slot.get()).toEqual({ n: 1 });
          expect(other.get()).toBe('o');
          expect(currentRequestContext()).toMatchObject({ requestId: 'r1', idempotencyKey: 'k1' });
        }),
      ),
    );
    expect(slot.get()).toBeUndefined();
  });

  it('without a request context: the slot is set, there is no request context', async () => {
    await slot.run({ n: 2 }, async () => {
      await Promise.resolve();
      expect(slot.get()).toEqual({ n: 2 });
      expect(currentRequestContext()).toBeUndefined();
      expect(currentRequestId()).toBeUndefined();
    });
  });

  it('a new request context (another message handled in this process) starts with the slots empty', async () => {
    await runWithRequestContext({ requestId: 'outer' }, () =>
      slot.run({ n: 3 }, async () => {
        await runWithRequestContext({ requestId: 'inner' }, async () => {
          await Promise.resolve();
          expect(slot.get()).toBeUndefined();
          expect(currentRequestId()).toBe('inner');
        });
        expect(slot.get()).toEqual({ n: 3 });
        expect(currentRequestId()).toBe('outer');
      }),
    );
  });
});
