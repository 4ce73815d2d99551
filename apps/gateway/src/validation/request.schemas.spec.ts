import { randomBytes } from 'node:crypto';
import { DomainError } from '@jointcert/common';
import { SIGNED_DATA_MAX_BYTES } from '@jointcert/contracts';
import { identityProof, plainVerifyDocumentBody, registerBody, signedData, updateAccountBody, verifyDocumentBody } from './request.schemas';
import { ZodPipe } from './zod.pipe';

describe('request schemas', () => {
  it('signedData: up to exactly 64 KiB decoded, in every client form, normalised to standard base64', () => {
    for (const n of [1, 2, 3, 1000, SIGNED_DATA_MAX_BYTES - 1, SIGNED_DATA_MAX_BYTES]) {
      const b = randomBytes(n);
      expect(signedData.parse(b.toString('base64'))).toBe(b.toString('base64'));
      expect(signedData.parse(b.toString('base64url'))).toBe(b.toString('base64'));
    }
    const der = Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0x00]), randomBytes(256)]);
    const b64 = der.toString('base64');
    expect(signedData.parse(der.toString('hex'))).toBe(b64);
    expect(signedData.parse(der.toString('hex').toUpperCase())).toBe(b64);
    expect(signedData.parse(b64.replace(/(.{64})/g, '$1\r\n'))).toBe(b64);
    expect(signedData.parse(`-----BEGIN PKCS7-----\n${b64.replace(/(.{64})/g, '$1\n')}\n-----END PKCS7-----\n`)).toBe(b64);
    expect(signedData.parse(`-----BEGIN CMS-----\r\n${b64}\r\n-----END CMS-----`)).toBe(b64);
    for (const bad of [
      randomBytes(SIGNED_DATA_MAX_BYTES + 1).toString('base64'),
      Buffer.concat([Buffer.from([0x30]), randomBytes(SIGNED_DATA_MAX_BYTES)]).toString('hex'),
      '',
      'Q',
      'QQ=',
      'QU JD',
      'QUJD====',
      'ab-/',
      `-----BEGIN PKCS7-----\n${b64}\n-----END CMS-----`,
      `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----`,
      `junk -----BEGIN PKCS7-----\n${b64}\n-----END PKCS7-----`,
    ]) {
      expect(signedData.safeParse(bad).success).toBe(false);
    }
  });

  it('plainVerifyDocumentBody: the schema\'s own output for a plain { signedData } in standard base64, nothing for any other body', () => {
    const b64 = Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0x00]), randomBytes(700)]).toString('base64');
    const big = randomBytes(SIGNED_DATA_MAX_BYTES).toString('base64');
    const plain = [{ signedData: b64 }, { signedData: big }, { signedData: 'QUJD' }, JSON.parse(JSON.stringify({ signedData: b64 })) as unknown];
    for (const body of plain) {
      const fast = plainVerifyDocumentBody(body);
      expect(fast).toStrictEqual(verifyDocumentBody.parse(body));
      expect(Object.keys(fast!)).toEqual(['signedData']);
    }
    const hex = Buffer.from(b64, 'base64').toString('hex');
    const others: unknown[] = [
      { signedData: b64, content: 'QUJD' },
      { content: 'QUJD', signedData: b64 },
      { signedData: b64, extra: 1 },
      { signedData: b64, content: undefined },
      { signedData: b64.replace(/(.{64})/g, '$1\n') },
      { signedData: Buffer.from(b64, 'base64').toString('base64url') },
      { signedData: hex },
      { signedData: `-----BEGIN PKCS7-----\n${b64}\n-----END PKCS7-----` },
      { signedData: randomBytes(SIGNED_DATA_MAX_BYTES + 1).toString('base64') },
      { signedData: '' },
      { signedData: 'QR==' },
      { signedData: 42 },
      { signedData: null },
      {},
      [b64],
      null,
      b64,
      Object.assign(Object.create({ inherited: true }) as object, { signedData: b64 }),
    ];
    for (const body of others) {
      expect(plainVerifyDocumentBody(body)).toBeUndefined();
      // the schema still decides, with its own output or errors
      const pipe = new ZodPipe(verifyDocumentBody, undefined, plainVerifyDocumentBody);
      const viaSchema = verifyDocumentBody.safeParse(body);
      if (viaSchema.success) expect(pipe.transform(body)).toStrictEqual(viaSchema.data);
      else expect(() => pipe.transform(body)).toThrow(DomainError);
    }
  });

  it('identity: 13- or 10-digit numbers with optional hyphens, randomNum exactly 20 bytes', () => {
    const randomNum = randomBytes(20).toString('base64');
    for (const idn of ['9001011234567', '900101-1234567', '1234567890', '123-45-67890']) expect(identityProof.safeParse({ idn, randomNum }).success).toBe(true);
    for (const idn of ['900101 1234567', '90010112345678', '９００１０１１２３４５６７', '900101--1234567', '']) expect(identityProof.safeParse({ idn, randomNum }).success).toBe(false);
    expect(identityProof.safeParse({ idn: '9001011234567', randomNum: randomBytes(21).toString('base64') }).success).toBe(false);
    const r = randomBytes(20);
    expect(identityProof.parse({ idn: '9001011234567', randomNum: r.toString('hex') }).randomNum).toBe(r.toString('base64'));
    expect(identityProof.parse({ idn: '9001011234567', randomNum: r.toString('hex').toUpperCase() }).randomNum).toBe(r.toString('base64'));
    expect(identityProof.safeParse({ idn: '9001011234567', randomNum: randomBytes(21).toString('hex') }).success).toBe(false);
  });

  it('account patch: at least one field; email may be null', () => {
    expect(updateAccountBody.safeParse({}).success).toBe(false);
    expect(updateAccountBody.safeParse({ email: null }).success).toBe(true);
    expect(updateAccountBody.safeParse({ reminders: {} }).success).toBe(false);
    expect(updateAccountBody.safeParse({ reminders: { daysBefore: [1] } }).success).toBe(true);
  });

  it("account patch: the registry's rules — locale ko or en, 1 to 10 distinct reminder days between 0 and 366", () => {
    expect(updateAccountBody.parse({ locale: 'en', reminders: { daysBefore: [1, 30, 7] } })).toEqual({ locale: 'en', reminders: { daysBefore: [30, 7, 1] } });
    for (const locale of ['ko-KR', 'fr', 'EN', '']) expect(updateAccountBody.safeParse({ locale }).success).toBe(false);
    for (const daysBefore of [[], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [7, 7], [-1], [367], [1.5]]) expect(updateAccountBody.safeParse({ reminders: { daysBefore } }).success).toBe(false);
  });
});

describe('ZodPipe', () => {
  it('lists every bad field, unknown keys by name, and never the values', () => {
    const pipe = new ZodPipe(registerBody);
    let error: unknown;
    try {
      pipe.transform({ challengeId: 'x', signedData: 'S3CR3T!', extra: 1, identity: { idn: '123', randomNum: 'Zm9v', more: true } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    const e = error as DomainError;
    expect(e.code).toBe('MALFORMED_INPUT');
    expect((e.extra.errors as Array<{ field: string }>).map((x) => x.field).sort()).toEqual(
      ['challengeId', 'extra', 'identity.idn', 'identity.more', 'identity.randomNum', 'signedData'].sort(),
    );
    expect(JSON.stringify(e.extra)).not.toContain('S3CR3T');
    expect(e.detail).toMatch(/^the request body is not valid: /);
  });
});
