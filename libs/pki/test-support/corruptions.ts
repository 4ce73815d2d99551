/**
 * Damaged copies of an encoding for parser tests: every truncation, and every
 * octet XORed with each of a few masks (all bits, the low bit, the high bit,
 * the constructed bit, three low bits) — lengths, tags and contents all get hit.
 */
export const CORRUPTION_MASKS: readonly number[] = [0xff, 0x01, 0x80, 0x20, 0x07];

export function truncationsAndFlips(der: Uint8Array, masks: readonly number[] = CORRUPTION_MASKS): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < der.length; i++) {
    out.push(Buffer.from(der.subarray(0, i)));
    for (const x of masks) {
      const b = Buffer.from(der);
      b[i]! ^= x;
      out.push(b);
    }
  }
  return out;
}
