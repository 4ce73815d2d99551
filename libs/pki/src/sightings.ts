/**
 * Admission on the second sighting, shared by the long-lived caches of
 * libs/pki (cms/cert-cache.ts's certificates, path/build.ts's validated
 * paths): a fixed table of number keys seen once, direct-mapped (`slots`
 * int32 slots, a power of two; a newer key takes an older one's slot).
 *
 * Why: an entry of a long-lived map outlives several young-generation
 * collections, so V8 copies its object graph into the old generation; a
 * first-seen entry that is never asked for again (a one-off signer, a flood
 * of made-up certificates) paid that copy for nothing and pushed a repeat
 * entry out. A cache asks `seenBefore(key)` when it could admit an entry and
 * admits only on true: a key seen once is only a number here, and dies with
 * nothing promoted.
 *
 * Only a hint for admission, never for correctness: two keys sharing a slot
 * make one of them wait for a third sighting (the older is forgotten), and
 * two entries with one number key make the second count as a second sighting
 * — the cache itself compares whole keys or bytes before serving anything.
 * Clearing is `generation++` (no pass over the table).
 */
export class Sightings {
  private readonly keys: Int32Array;
  private readonly generations: Int32Array;
  private readonly mask: number;
  private generation = 1;

  constructor(slots: number) {
    if (!Number.isInteger(slots) || slots <= 0 || (slots & (slots - 1)) !== 0) throw new RangeError('Sightings: slots must be a power of two');
    this.keys = new Int32Array(slots);
    this.generations = new Int32Array(slots);
    this.mask = slots - 1;
  }

  /** True when `key` (an int32) was noted since the last clear; otherwise notes it and returns false. */
  seenBefore(key: number): boolean {
    const slot = key & this.mask;
    if (this.keys[slot] === key && this.generations[slot] === this.generation) return true;
    this.keys[slot] = key;
    this.generations[slot] = this.generation;
    return false;
  }

  /** Forget every key. */
  clear(): void {
    this.generation = (this.generation + 1) | 0;
    if (this.generation === 0) {
      // wrapped around (2^32 clears): start over with an empty table
      this.generations.fill(0);
      this.generation = 1;
    }
  }
}
