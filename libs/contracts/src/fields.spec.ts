import { z } from 'zod';
import { base64 } from './fields';

// The rule `base64()` has always had: padded standard base64, as this expression says.
const RULE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

describe('base64() fields', () => {
  const field = base64(64, 0);

  it('accepts exactly what the padded-standard-base64 expression accepts (canonical or not)', () => {
    const bytes = Buffer.from(Array.from({ length: 40 }, (_, i) => (i * 37 + 5) & 0xff));
    const inputs: string[] = ['', 'QR==', 'QUJ=', 'QQ==', 'QQ', 'QQ=', 'Q===', '====', 'QUJD', 'QUJD\n', ' QUJD', 'QU JD', 'QUJ-', 'QUJ_', 'QUJ$', '한글', 'QUJDRA==', 'QUJDRA=', 'QUJDRA'];
    for (let n = 0; n < 40; n++) {
      const b = bytes.subarray(0, n);
      inputs.push(b.toString('base64'), b.toString('base64url'), b.toString('base64').replace(/=+$/, ''));
    }
    for (const s of inputs) expect([s, field.safeParse(s).success]).toEqual([s, RULE.test(s)]);
  });

  it('refuses non-base64 with its message, and keeps the rule as the JSON Schema pattern', () => {
    const r = field.safeParse('ab$c');
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('must be standard base64 (A-Z a-z 0-9 + /, padded with =)');
    expect(z.toJSONSchema(base64(10), { io: 'input' })).toMatchObject({ type: 'string', pattern: RULE.source });
  });
});
