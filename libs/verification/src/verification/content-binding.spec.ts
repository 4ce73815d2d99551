import { randomBytes } from 'node:crypto';
import iconv from 'iconv-lite';
import { challengeTextToSign } from '@jointcert/contracts';
import { ChallengeContent, ChallengeTemplate, decodeSignedText, TemplateSyntaxError } from './content-binding';

const nonce = Buffer.from('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'hex');
const n64 = nonce.toString('base64');
const text = challengeTextToSign(n64, '청약홈');

describe('ChallengeContent: exactly the nonce, its text (UTF-8 / EUC-KR) or the template', () => {
  const plain = new ChallengeContent(nonce, { siteName: '청약홈' });

  it('accepts the raw nonce and the text in UTF-8 and EUC-KR', () => {
    expect(text).toBe(`[청약홈] 공동인증서 로그인 (certificate login)\nnonce=${n64}`);
    expect(plain.formOf(nonce)).toBe('nonce');
    expect(plain.formOf(Buffer.from(text, 'utf8'))).toBe('text-utf8');
    expect(plain.formOf(iconv.encode(text, 'euc-kr'))).toBe('text-euc-kr');
    expect(plain.candidates.map((c) => c.form)).toEqual(['nonce', 'text-utf8', 'text-euc-kr']);
  });

  it.each([
    ['the nonce as base64 text', Buffer.from(n64)],
    ['the nonce as hex text', Buffer.from(nonce.toString('hex'))],
    ['the text with a trailing newline', Buffer.from(`${text}\n`)],
    ['the text in CRLF', Buffer.from(text.replace('\n', '\r\n'))],
    ['the text for another site', Buffer.from(challengeTextToSign(n64, 'other'))],
    ['the text for another nonce', Buffer.from(challengeTextToSign(randomBytes(32).toString('base64'), '청약홈'))],
    ['the text in UTF-16LE', iconv.encode(text, 'utf16le')],
    ['the nonce with a byte more', Buffer.concat([nonce, Buffer.from([0])])],
    ['nothing', Buffer.alloc(0)],
  ])('refuses %s', (_, content) => {
    expect(plain.formOf(content)).toBeUndefined();
  });

  it('omits EUC-KR when the site name has characters EUC-KR lacks, and when it equals UTF-8 (ASCII)', () => {
    expect(new ChallengeContent(nonce, { siteName: 'ok 😀' }).candidates.map((c) => c.form)).toEqual(['nonce', 'text-utf8']);
    // the text itself has Hangul, so EUC-KR differs from UTF-8 for any EUC-KR site name
    expect(new ChallengeContent(nonce, { siteName: 'ascii' }).candidates.map((c) => c.form)).toEqual(['nonce', 'text-utf8', 'text-euc-kr']);
  });
});

describe('ChallengeTemplate grammar', () => {
  const delfino = ChallengeTemplate.parse('login=certLogin&delfinoNonce={nonce}&{*}');

  it('matches the whole content, with {nonce} the base64 nonce and {*} any text', () => {
    const form = `login=certLogin&delfinoNonce=${n64}&__USER_IP=10.0.0.1&time=20260101`;
    const c = new ChallengeContent(nonce, { siteName: 'x', template: delfino });
    expect(c.formOf(Buffer.from(form))).toBe('template');
    expect(c.formOf(Buffer.from(`login=certLogin&delfinoNonce=${n64}&`))).toBe('template');
    expect(c.formOf(iconv.encode(`login=certLogin&delfinoNonce=${n64}&이름=홍길동`, 'euc-kr'))).toBe('template');
    expect(c.formOf(Buffer.from(`x${form}`))).toBeUndefined();
    expect(c.formOf(Buffer.from(`login=certLogin&delfinoNonce=${randomBytes(32).toString('base64')}&a=b`))).toBeUndefined();
    expect(c.formOf(Buffer.from(`login=certLogin&delfinoNonce=${encodeURIComponent(n64)}&a=b`))).toBeUndefined();
    expect(c.formOf(Buffer.from(`login=certLogin&delfinoNonce=${n64}`))).toBeUndefined();
  });

  it('a template without {*} is a fixed text, usable for detached signatures', () => {
    const t = ChallengeTemplate.parse('{{"nonce":"{nonce}"}}');
    expect(t.fixedText(n64)).toBe(`{"nonce":"${n64}"}`);
    expect(t.matches(`{"nonce":"${n64}"}`, n64)).toBe(true);
    expect(t.matches(`{"nonce":"${n64}"} `, n64)).toBe(false);
    expect(delfino.fixedText(n64)).toBeUndefined();
    const c = new ChallengeContent(nonce, { siteName: 'x', template: t });
    expect(c.candidates.at(-1)).toEqual({ form: 'template', bytes: Buffer.from(`{"nonce":"${n64}"}`) });
  });

  it('several {*} match left to right; literal braces escape as {{ }}', () => {
    const t = ChallengeTemplate.parse('a{*}b{nonce}c{*}d');
    expect(t.matches(`a--b${n64}c--d`, n64)).toBe(true);
    expect(t.matches(`ab${n64}cd`, n64)).toBe(true);
    expect(t.matches(`a--b${n64}c--`, n64)).toBe(false);
    expect(t.matches(`ab${n64}c`, n64)).toBe(false);
  });

  it.each(['', 'no nonce', '{nonce}{nonce}', '{nonce} {', '{nonce} }', '{nonce}{x}', '{Nonce}', '{ nonce }'])('refuses the template %p', (src) => {
    expect(() => ChallengeTemplate.parse(src)).toThrow(TemplateSyntaxError);
  });

  it('stays linear on hostile input (many {*}, long content)', () => {
    const t = ChallengeTemplate.parse(`${'a{*}'.repeat(50)}{nonce}`);
    const started = process.hrtime.bigint();
    expect(t.matches('a'.repeat(60_000), n64)).toBe(false);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(500);
  });
});

describe('decodeSignedText', () => {
  it('strict UTF-8, else faithful EUC-KR, else nothing', () => {
    expect(decodeSignedText(Buffer.from('홍길동', 'utf8'))).toBe('홍길동');
    expect(decodeSignedText(iconv.encode('홍길동', 'euc-kr'))).toBe('홍길동');
    expect(decodeSignedText(Buffer.from([0xff, 0xfe, 0xfd]))).toBeUndefined();
  });
});
