/**
 * The compact entry index of a parsed CRL: columns of typed arrays (no object
 * per entry) and an open-addressing hash table over (serial octets, certificate
 * issuer) for O(1) lookups.
 *
 * Hash flooding: the hash is keyed with a per-process random seed and every
 * insertion may probe at most MAX_PROBE slots. A CRL whose serials still pile
 * up (after one reseed) is rejected with MALFORMED_CRL instead of degrading to
 * quadratic time; legitimate CRLs (random serials, load ≤ 1/2) come nowhere near.
 */
import { randomBytes } from 'node:crypto';
import { PkiError } from '../../errors';
import { toHex } from '../../der';
import type { GeneralName } from '../../cert/types';
import { REVOCATION_REASONS } from '../types';
import type { CrlEntry, CrlEntryHit } from './types';

export interface EntryColumns {
  count: number;
  /** All serial octets, concatenated. */
  serials: Uint8Array;
  /** End offset of entry i's serial in `serials` (its start is the previous end, or 0). */
  serialEnd: Uint32Array;
  /** revocationDate, epoch ms. */
  revokedAt: Float64Array;
  /** reasonCode value, 0xff = none. */
  reason: Uint8Array;
  /** invalidityDate by entry index (sparse). */
  invalidity: Map<number, number>;
  /** Entries with an unknown critical entry extension. */
  unknownCritical: Set<number>;
  /** Certificate issuer id per entry (0 = the CRL issuer, k ≥ 1 = issuers[k-1]); undefined when no entry has certificateIssuer. */
  issuerOf: Uint32Array | undefined;
  issuers: GeneralName[][];
}

const MAX_PROBE = 128;
let seed = randomBytes(4).readUInt32LE(0);

function hashOf(b: Uint8Array, s: number, e: number, issuer: number, sd: number): number {
  let h = (sd ^ Math.imul(issuer + 1, 0x9e3779b1)) | 0;
  for (let i = s; i < e; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class CrlIndex {
  private table: Uint32Array;
  private mask: number;
  private seed: number;
  /** Largest probe distance of any stored entry: lookups stop after it. */
  private maxProbe = 0;
  duplicates = 0;
  /** directoryName key → issuer ids whose certificateIssuer includes it. */
  private readonly issuersByKey = new Map<string, number[]>();

  private readonly serials: Uint8Array;
  private readonly serialEnd: Uint32Array;
  private readonly issuerOf: Uint32Array | undefined;

  constructor(private readonly c: EntryColumns) {
    this.serials = c.serials;
    this.serialEnd = c.serialEnd;
    this.issuerOf = c.issuerOf;
    let size = 16;
    while (size < c.count * 2) size *= 2;
    this.table = new Uint32Array(size);
    this.mask = size - 1;
    this.seed = seed;
    if (!this.build()) {
      // one fresh seed (for every later CRL too), then give up
      seed = randomBytes(4).readUInt32LE(0);
      this.seed = seed;
      this.table.fill(0);
      this.maxProbe = 0;
      this.duplicates = 0;
      if (!this.build()) throw new PkiError('MALFORMED_CRL', 'CRL serials collide pathologically in the lookup table (hash flooding?)');
    }
    c.issuers.forEach((names, i) => {
      for (const g of names) {
        if (g.type !== 'directoryName') continue;
        const list = this.issuersByKey.get(g.name.key) ?? [];
        list.push(i + 1);
        this.issuersByKey.set(g.name.key, list);
      }
    });
  }

  private build(): boolean {
    const { serials, serialEnd, issuerOf, count } = this.c;
    const table = this.table;
    const mask = this.mask;
    const sd = this.seed;
    for (let i = 0; i < count; i++) {
      const s = i === 0 ? 0 : serialEnd[i - 1]!;
      const e = serialEnd[i]!;
      const iss = issuerOf ? issuerOf[i]! : 0;
      let pos = hashOf(serials, s, e, iss, sd) & mask;
      let d = 0;
      for (;;) {
        const slot = table[pos]!;
        if (slot === 0) {
          table[pos] = i + 1;
          if (d > this.maxProbe) this.maxProbe = d;
          break;
        }
        if (this.same(slot - 1, serials, s, e, iss)) {
          this.duplicates++;
          break;
        }
        pos = (pos + 1) & mask;
        if (++d > MAX_PROBE) return false;
      }
    }
    return true;
  }

  private same(j: number, q: Uint8Array, s: number, e: number, iss: number): boolean {
    const issuerOf = this.issuerOf;
    if (issuerOf !== undefined && issuerOf[j] !== iss) return false;
    if (issuerOf === undefined && iss !== 0) return false;
    const serialEnd = this.serialEnd;
    const js = j === 0 ? 0 : serialEnd[j - 1]!;
    const len = e - s;
    if (serialEnd[j]! - js !== len) return false;
    const serials = this.serials;
    for (let k = 0; k < len; k++) if (serials[js + k] !== q[s + k]) return false;
    return true;
  }

  private find(serial: Uint8Array, iss: number): number {
    let pos = hashOf(serial, 0, serial.length, iss, this.seed) & this.mask;
    for (let d = 0; d <= this.maxProbe; d++) {
      const slot = this.table[pos]!;
      if (slot === 0) return -1;
      if (this.same(slot - 1, serial, 0, serial.length, iss)) return slot - 1;
      pos = (pos + 1) & this.mask;
    }
    return -1;
  }

  lookup(serial: Uint8Array, certIssuerKey: string | undefined, crlIssuerKey: string): CrlEntryHit | undefined {
    if (this.c.count === 0) return undefined;
    const key = certIssuerKey ?? crlIssuerKey;
    let j = key === crlIssuerKey ? this.find(serial, 0) : -1;
    if (j < 0 && this.issuersByKey.size > 0) {
      for (const id of this.issuersByKey.get(key) ?? []) {
        j = this.find(serial, id);
        if (j >= 0) break;
      }
    }
    return j < 0 ? undefined : this.hit(j);
  }

  private hit(j: number): CrlEntryHit {
    const c = this.c;
    const r = c.reason[j]!;
    // one object shape for every hit (optional fields present as undefined)
    return {
      index: j,
      revokedAt: c.revokedAt[j]!,
      reason: r === 0xff ? undefined : (REVOCATION_REASONS[r] ?? 'unspecified'),
      invalidityDate: c.invalidity.size === 0 ? undefined : c.invalidity.get(j),
      unknownCriticalExtension: c.unknownCritical.size !== 0 && c.unknownCritical.has(j),
    };
  }

  entry(i: number): CrlEntry {
    if (!Number.isInteger(i) || i < 0 || i >= this.c.count) throw new PkiError('INVALID_ARGUMENT', `CRL entry ${i} out of range 0..${this.c.count - 1}`);
    const s = i === 0 ? 0 : this.c.serialEnd[i - 1]!;
    const serial = this.c.serials.slice(s, this.c.serialEnd[i]);
    const iss = this.c.issuerOf ? this.c.issuerOf[i]! : 0;
    return { ...this.hit(i), serial, serialHex: toHex(serial), certificateIssuer: iss === 0 ? 'crlIssuer' : this.c.issuers[iss - 1]! };
  }
}
