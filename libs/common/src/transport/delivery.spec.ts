import { isFirstDelivery, isOnlyDelivery } from './delivery';
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

describe('isOnlyDelivery', () => {
  it('no Streams entry is (another replica can take it over), first delivery or not', () => {
    expect(isOnlyDelivery(new StreamsContext(['s', '1-0', 'p']))).toBe(false);
    expect(isOnlyDelivery(new StreamsContext(['s', '1-0', 'p', true]))).toBe(false);
  });

  it('a context that vouches for nothing is not', () => {
    expect(isOnlyDelivery(undefined)).toBe(false);
    expect(isOnlyDelivery({ firstDelivery: () => true })).toBe(false);
    expect(isOnlyDelivery({ onlyDelivery: () => 'yes' })).toBe(false);
    expect(isOnlyDelivery({ onlyDelivery: () => true })).toBe(true);
  });
});
