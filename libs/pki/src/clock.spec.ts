import { isoString } from './clock';

describe('isoString', () => {
  const viaDate = (ms: number): string => {
    try {
      return new Date(ms).toISOString();
    } catch (e) {
      return `throws ${(e as Error).name}`;
    }
  };
  const mine = (ms: number): string => {
    try {
      return isoString(ms);
    } catch (e) {
      return `throws ${(e as Error).name}`;
    }
  };

  it('writes what Date#toISOString writes: edges of the four-digit years, leap days, fractions, out of range', () => {
    const probes = [
      0, -1, 1, 9, 10, 99, 100, 999, 1000, 59_999, 3_599_999, 86_399_999, 86_400_000,
      -62_167_219_200_000, -62_167_219_200_001, 253_402_300_799_999, 253_402_300_800_000,
      Date.UTC(2000, 1, 29), Date.UTC(1900, 1, 28, 23, 59, 59, 999), Date.UTC(2100, 2, 1), Date.UTC(1600, 1, 29, 12), Date.UTC(2026, 11, 31, 23, 59, 59, 999),
      1.5, -1.5, 0.999, NaN, Infinity, -Infinity, 8.64e15, -8.64e15, 8.64e15 + 1,
    ];
    for (const ms of probes) expect([ms, mine(ms)]).toEqual([ms, viaDate(ms)]);
  });

  it('agrees with Date#toISOString on random times over ±8,000 years', () => {
    let seed = 0x9e3779b9;
    const next = (): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    for (let i = 0; i < 20_000; i++) {
      const ms = Math.floor((next() * 2 - 1) * 2.6e14);
      if (mine(ms) !== viaDate(ms)) expect([ms, mine(ms)]).toEqual([ms, viaDate(ms)]);
    }
  });
});
