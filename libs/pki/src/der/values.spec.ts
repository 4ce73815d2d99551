import { Tag, type Tlv } from './reader';
import { readTime } from './values';

/** readTime as it was written before the byte-level reader (a regular expression on the text): the oracle. */
function readTimeByRegex(text: string, tag: number): number {
  let m: RegExpExecArray | null;
  let year: number;
  if (tag === Tag.UTC_TIME) {
    m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text);
    if (!m) throw new Error('bad UTCTime');
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else {
    m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:\.(\d*[1-9]))?Z$/.exec(text);
    if (!m) throw new Error('bad GeneralizedTime');
    year = Number(m[1]);
  }
  const [mon, day, hh, mm, ss] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  const days = new Date(Date.UTC(year, mon, 0)).getUTCDate();
  if (mon < 1 || mon > 12 || day < 1 || day > days || hh > 23 || mm > 59 || ss > 59) throw new Error('time out of range');
  return Date.UTC(year, mon - 1, day, hh, mm, ss);
}

function outcome(f: () => number): string {
  try {
    return `ok ${f()}`;
  } catch (e) {
    return `error ${(e as Error).message.split(' "')[0]}`;
  }
}

function tlvOf(bytes: Uint8Array, tag: number): Tlv {
  return { tag, tagNumber: tag, constructed: false, start: 0, valueStart: 0, valueEnd: bytes.length, end: bytes.length, indefinite: false };
}

function agrees(text: string, tag: number): void {
  const bytes = Buffer.from(text, 'latin1');
  expect([text, outcome(() => readTime(bytes, tlvOf(bytes, tag)))]).toEqual([text, outcome(() => readTimeByRegex(text, tag))]);
}

describe('readTime (byte-level) accepts, refuses and converts exactly as the textual reading', () => {
  const utc = ['260229120000Z', '240229120000Z', '000229000000Z', '491231235959Z', '500101000000Z', '991231235959Z', '261301000000Z', '260100000000Z', '260132000000Z', '260431000000Z', '260101240000Z', '260101006000Z', '260101000060Z'];
  const gen = ['20260101000000Z', '20240229235959Z', '19000229000000Z', '20000229000000Z', '00000229000000Z', '00040229000000Z', '00990101000000Z', '99991231235959Z', '20260101000000.5Z', '20260101000000.50Z', '20260101000000.05Z', '20260101000000.Z', '20260101000000.123456789Z', '20261231235959.0Z'];

  it('on valid, out-of-range and leap-day times of both types', () => {
    for (const t of utc) agrees(t, Tag.UTC_TIME);
    for (const t of gen) agrees(t, Tag.GENERALIZED_TIME);
    // each type's text under the other tag
    for (const t of utc) agrees(t, Tag.GENERALIZED_TIME);
    for (const t of gen) agrees(t, Tag.UTC_TIME);
  });

  it('on every one-character change, deletion and insertion of them', () => {
    const subs = ['0', '1', '9', 'Z', 'z', '.', '+', '-', ' ', ':', '\u00b2', '\u0660'];
    for (const [texts, tag] of [[utc, Tag.UTC_TIME], [gen, Tag.GENERALIZED_TIME]] as const) {
      for (const t of texts) {
        for (let i = 0; i <= t.length; i++) {
          if (i < t.length) agrees(t.slice(0, i) + t.slice(i + 1), tag);
          for (const c of subs) {
            if (i < t.length) agrees(t.slice(0, i) + c + t.slice(i + 1), tag);
            agrees(t.slice(0, i) + c + t.slice(i), tag);
          }
        }
      }
    }
  });

  it('on the empty value and on bytes beyond ASCII', () => {
    agrees('', Tag.UTC_TIME);
    agrees('', Tag.GENERALIZED_TIME);
    const bytes = Uint8Array.from([0xb2, 0x36, 0x30, 0x31, 0x30, 0x31, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x5a]);
    expect(() => readTime(bytes, tlvOf(bytes, Tag.UTC_TIME))).toThrow(/bad UTCTime/);
  });
});
