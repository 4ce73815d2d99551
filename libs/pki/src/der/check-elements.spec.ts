import { checkElements, DerCursor, type DerLimits } from './reader';
import { int, octets, oid, seq, set, utf8 } from './writer';

/** What checkElements replaces: entering every constructed element with a cursor. */
function visitWithCursors(buf: Uint8Array, limits: DerLimits): void {
  const visit = (c: DerCursor): void => {
    while (!c.atEnd()) {
      const t = c.next();
      if (t.constructed) visit(c.enter(t));
    }
  };
  visit(new DerCursor(buf, 0, buf.length, 0, limits));
}

function outcome(fn: () => void): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return `${(e as { code?: string }).code}: ${(e as Error).message}`;
  }
}

describe('checkElements', () => {
  const valid = seq(oid('1.2.840.113549.1.9.3'), set(oid('1.2.840.113549.1.7.1')), seq(int(5), octets(Buffer.alloc(200, 7)), set(utf8('홍길동'), seq(seq(seq(int(1)))))));

  it('decides as cursors entering every element do, on valid input and on 3,000 mutations, in DER and BER', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const inputs: Uint8Array[] = [valid, Buffer.from([0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00]), Buffer.from([0x30, 0x81, 0x03, 0x02, 0x01, 0x01])];
    for (let i = 0; i < 3000; i++) {
      const m = Buffer.from(valid);
      for (let k = 0; k <= rnd(3); k++) m[rnd(m.length)] = rnd(4) === 0 ? 0x80 : rnd(256);
      inputs.push(rnd(8) === 0 ? m.subarray(0, rnd(m.length)) : m);
    }
    let failures = 0;
    for (const input of inputs) {
      for (const limits of [{ maxDepth: 32, ber: false }, { maxDepth: 32, ber: true }, { maxDepth: 3, ber: false }]) {
        const want = outcome(() => visitWithCursors(input, limits));
        if (want !== 'ok') failures++;
        expect(outcome(() => checkElements(input, 0, input.length, 0, limits))).toBe(want);
      }
    }
    expect(failures).toBeGreaterThan(1000); // the mutations do reach the error paths
    expect(outcome(() => checkElements(valid, 0, valid.length, 0, { maxDepth: 32, ber: false }))).toBe('ok');
  });
});
