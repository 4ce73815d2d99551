import { DerCursor, Tag } from '../der/reader';
import { nul, oid, seq } from '../der/writer';
import { codeOf } from '../../test-support/errors';
import { algorithm } from './parse';

const read = (bytes: Uint8Array, ber = false, maxDepth = 32) => {
  const root = new DerCursor(bytes, 0, bytes.length, 0, { maxDepth, ber });
  return algorithm(bytes, root.expect(Tag.SEQUENCE, 'alg'), root);
};

describe('algorithm (AlgorithmIdentifier), short encodings read once', () => {
  const sha256WithRsa = seq(oid('1.2.840.113549.1.1.11'), nul());

  it('the same bytes give one shared, frozen value with copies of the bytes; other bytes their own', () => {
    const a = read(Buffer.from(sha256WithRsa));
    const input = Buffer.from(sha256WithRsa);
    const b = read(input);
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(a).toEqual({ oid: '1.2.840.113549.1.1.11', der: new Uint8Array(sha256WithRsa), params: new Uint8Array(nul()) });
    input.fill(0); // the caller's buffer is not the value's
    expect(Buffer.from(b.der)).toEqual(sha256WithRsa);
    const ecdsa = read(seq(oid('1.2.840.10045.4.3.2')));
    expect(ecdsa).not.toBe(a);
    expect(ecdsa.oid).toBe('1.2.840.10045.4.3.2');
    expect(ecdsa.params).toBeUndefined();
  });

  it('what only the BER reader accepts is never served to the DER reader', () => {
    // the NULL with a non-minimal length: 05 81 00
    const ber = Buffer.from([0x30, 0x0e, 0x06, 0x09, ...oid('1.2.840.113549.1.1.12').subarray(2), 0x05, 0x81, 0x00]);
    expect(read(ber, true).oid).toBe('1.2.840.113549.1.1.12');
    expect(read(ber, true).oid).toBe('1.2.840.113549.1.1.12');
    expect(codeOf(() => read(ber))).toBe('MALFORMED_DER');
  });

  it('a value already read still obeys the depth limit', () => {
    read(sha256WithRsa);
    expect(codeOf(() => read(sha256WithRsa, false, 0))).toBe('NESTING_TOO_DEEP');
  });
});
