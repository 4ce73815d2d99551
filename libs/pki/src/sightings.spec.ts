import { Sightings } from './sightings';

describe('Sightings', () => {
  it('a key is new on its first sighting, seen on the next; clear forgets', () => {
    const s = new Sightings(8);
    expect(s.seenBefore(42)).toBe(false);
    expect(s.seenBefore(42)).toBe(true);
    expect(s.seenBefore(42)).toBe(true);
    expect(s.seenBefore(-7)).toBe(false);
    s.clear();
    expect(s.seenBefore(42)).toBe(false);
    expect(s.seenBefore(-7)).toBe(false);
  });

  it('direct-mapped: a newer key takes an older one slot (the older then waits for another sighting)', () => {
    const s = new Sightings(8);
    expect(s.seenBefore(1)).toBe(false);
    expect(s.seenBefore(9)).toBe(false); // 9 & 7 === 1
    expect(s.seenBefore(1)).toBe(false);
    expect(s.seenBefore(1)).toBe(true);
    expect(s.seenBefore(2)).toBe(false); // other slots untouched
  });

  it('refuses a size that is not a power of two', () => {
    expect(() => new Sightings(6)).toThrow(RangeError);
    expect(() => new Sightings(0)).toThrow(RangeError);
  });
});
