import { isFirstDelivery } from './delivery';
import { StreamsContext } from './redis-streams.server';

describe('isFirstDelivery', () => {
  it('a Streams entry read as new is a first delivery; one taken over from a silent replica is not', () => {
    expect(isFirstDelivery(new StreamsContext(['s', '1-0', 'p']))).toBe(true);
    expect(isFirstDelivery(new StreamsContext(['s', '1-0', 'p', false]))).toBe(true);
    expect(isFirstDelivery(new StreamsContext(['s', '1-0', 'p', true]))).toBe(false);
  });

  it('a context that vouches for nothing (another transport, none) is not', () => {
    expect(isFirstDelivery(undefined)).toBe(false);
    expect(isFirstDelivery(null)).toBe(false);
    expect(isFirstDelivery({ getPattern: () => 'p' })).toBe(false);
    expect(isFirstDelivery({ firstDelivery: () => 'yes' })).toBe(false);
  });
});
