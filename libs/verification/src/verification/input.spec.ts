import { randomBytes } from 'node:crypto';
import { DomainError } from '@jointcert/common';
import { isCanonicalBase64, takeRememberedBase64 } from '@jointcert/contracts';
import { decodeField } from './input';

function problemOf(f: () => unknown): { code: string; extra: unknown } {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainError) return { code: e.code, extra: e.extra };
    throw e;
  }
  throw new Error('no error');
}

describe('decodeField', () => {
  const bytes = randomBytes(3000);
  const text = bytes.toString('base64');

  it('decodes what the schema check did not remember, strictly', () => {
    expect(takeRememberedBase64(text)).toBeUndefined();
    expect(decodeField(text, 'signedData', 4096).equals(bytes)).toBe(true);
    expect(problemOf(() => decodeField('QUJ$', 'signedData', 4096))).toMatchObject({ code: 'MALFORMED_INPUT', extra: { reason: 'MALFORMED_BASE64' } });
  });

  it("takes the schema check's bytes of the same text, with the same size rules", () => {
    expect(isCanonicalBase64(text)).toBe(true);
    const out = decodeField(text, 'signedData', 4096);
    expect(out.equals(bytes)).toBe(true);
    // taken once: the next caller decodes a Buffer of its own
    expect(takeRememberedBase64(text)).toBeUndefined();
    expect(decodeField(text, 'signedData', 4096)).not.toBe(out);

    expect(isCanonicalBase64(text)).toBe(true);
    expect(problemOf(() => decodeField(text, 'signedData', 2999))).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', extra: { field: 'signedData', reason: 'INPUT_TOO_LARGE' } });
    expect(problemOf(() => decodeField(text, 'signedData', 2999))).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' }); // decoded path: the same answer
  });
});
