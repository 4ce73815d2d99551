/**
 * parseOcspResponse / parseOcspRequest on responses and requests made by
 * others (pyca/cryptography's vectors, real CAs' responses), cross-checked
 * field by field against `openssl ocsp -resp_text`, and on hostile input.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPkiError, PkiError } from '../../errors';
import { issue, TEST_TIME, testKey } from '../../issuing';
import { buildOcspResponse, testCertId } from '../../issuing/ocsp';
import { seq } from '../../der';
import { openssl, VECTORS_DIR } from '../../../test-support/openssl';
import { parseOcspRequest, parseOcspResponse } from './parse';
import type { OcspResponse } from './types';

const dir = join(VECTORS_DIR, 'x509', 'ocsp');
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.der')) : [];
const responses = files.filter((f) => f.includes('resp'));
const requests = files.filter((f) => !f.includes('resp'));

function outcome(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof PkiError) return e.code;
    throw e; // anything else is a bug
  }
}

/** openssl's "Sep  1 13:02:10 2018 GMT" → epoch ms. */
function opensslTime(s: string): number {
  const m = /^(\w{3})\s+(\d+) (\d\d):(\d\d):(\d\d) (\d{4}) GMT$/.exec(s.trim());
  if (!m) throw new Error(`bad openssl time ${s}`);
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].indexOf(m[1]!);
  return Date.UTC(Number(m[6]), mon, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
}

describe('vectors from pyca/cryptography (x509/ocsp)', () => {
  it('the vectors are there', () => {
    expect(responses.length).toBeGreaterThanOrEqual(15);
    expect(requests.length).toBeGreaterThanOrEqual(6);
  });

  it('every response parses or fails with MALFORMED_OCSP, never anything else', () => {
    const got = Object.fromEntries(responses.map((f) => [f, outcome(() => parseOcspResponse(readFileSync(join(dir, f))))]));
    for (const v of Object.values(got)) expect(['ok', 'MALFORMED_OCSP']).toContain(v);
    // the broken ones are refused for the right reason
    expect(got['resp-successful-no-response-bytes.der']).toBe('MALFORMED_OCSP');
    expect(got['resp-response-type-unknown-oid.der']).toBe('MALFORMED_OCSP');
    expect(got['resp-unknown-response-status.der']).toBe('MALFORMED_OCSP');
    expect(got['resp-revoked.der']).toBe('ok');
    expect(got['ocsp-army.deps.mil-resp.der']).toBe('ok');
  });

  it('every request parses or fails with MALFORMED_OCSP', () => {
    const got = Object.fromEntries(requests.map((f) => [f, outcome(() => parseOcspRequest(readFileSync(join(dir, f))))]));
    for (const v of Object.values(got)) expect(['ok', 'MALFORMED_OCSP']).toContain(v);
    expect(got['req-duplicate-ext.der']).toBe('MALFORMED_OCSP');
    expect(got['req-sha1.der']).toBe('ok');
    const multi = parseOcspRequest(readFileSync(join(dir, 'req-multi-sha1.der')));
    expect(multi.certIds.length).toBe(2);
    expect(parseOcspRequest(readFileSync(join(dir, 'req-ext-nonce.der'))).nonce).toBeDefined();
    expect(parseOcspRequest(readFileSync(join(dir, 'req-invalid-hash-alg.der'))).certIds[0]!.hash).toBe('unsupported');
  });

  it('agrees with openssl ocsp -resp_text on every response both can read', () => {
    let compared = 0;
    let singles = 0;
    for (const f of responses) {
      let r: OcspResponse;
      try {
        r = parseOcspResponse(readFileSync(join(dir, f)));
      } catch {
        continue;
      }
      // openssl exits non-zero on a non-successful status: those are checked in the next test
      if (r.responseStatus !== 'successful') continue;
      const text = openssl(['ocsp', '-respin', join(dir, f), '-resp_text', '-noverify']).toString();
      expect(`${f}: ${/OCSP Response Status: (\w+)/.exec(text)?.[1]}`).toBe(`${f}: successful`);
      const b = r.basic;
      expect(b.producedAt).toBe(opensslTime(/Produced At: (.*)/.exec(text)![1]!));
      const rid = /Responder Id: (.*)/.exec(text)![1]!;
      if (b.responderId.type === 'byKey') expect(Buffer.from(b.responderId.keyHash).toString('hex').toUpperCase()).toBe(rid.trim());
      else for (const cn of /CN = ([^,]+)/.exec(rid)?.slice(1) ?? []) expect(b.responderId.name.text).toContain(`CN=${cn.trim()}`);
      const blocks = text.split('Certificate ID:').slice(1);
      expect(blocks.length).toBe(b.responses.length);
      b.responses.forEach((s, i) => {
        const blk = blocks[i]!;
        expect(Buffer.from(s.certId.serial).toString('hex').toUpperCase()).toBe(/Serial Number: ([0-9A-F]+)/.exec(blk)![1]);
        expect(s.certStatus.status).toBe(/Cert Status: (\w+)/.exec(blk)![1]);
        expect(s.thisUpdate).toBe(opensslTime(/This Update: (.*)/.exec(blk)![1]!));
        const next = /Next Update: (.*)/.exec(blk)?.[1];
        expect(s.nextUpdate).toBe(next === undefined ? undefined : opensslTime(next));
        if (s.certStatus.status === 'revoked') {
          expect(s.certStatus.revokedAt).toBe(opensslTime(/Revocation Time: (.*)/.exec(blk)![1]!));
          const reason = /Revocation Reason: (\w+)/.exec(blk)?.[1];
          // openssl prints only the RevokedInfo reason; ours may also come from a crlReason single extension
          if (reason !== undefined) expect(s.certStatus.reason).toBe(reason);
        }
        singles++;
      });
      expect(b.certs.length).toBe((text.match(/Certificate:\n/g) ?? []).length);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(10);
    expect(singles).toBeGreaterThanOrEqual(12);
  });

  it('reads the fields of two known responses', () => {
    const revoked = parseOcspResponse(readFileSync(join(dir, 'resp-revoked-reason.der')));
    if (revoked.responseStatus !== 'successful') throw new Error('expected successful');
    expect(revoked.basic.responses[0]!.certStatus).toEqual({ status: 'revoked', revokedAt: Date.UTC(2018, 5, 27, 12, 30, 1), reasonCode: 4, reason: 'superseded' });
    expect(revoked.basic.parsedCerts[0]!.subject.text).toContain('CN=QuoVadis OCSP Authority Signature');
    const noNext = parseOcspResponse(readFileSync(join(dir, 'resp-revoked-no-next-update.der')));
    if (noNext.responseStatus !== 'successful') throw new Error('expected successful');
    expect(noNext.basic.responses[0]!.nextUpdate).toBeUndefined();
    expect(noNext.basic.responses[0]!.certId.serial).toEqual(Uint8Array.from([0x3f, 0x20]));
    expect(parseOcspResponse(readFileSync(join(dir, 'resp-unauthorized.der'))).responseStatus).toBe('unauthorized');
  });
});

describe('hostile input', () => {
  const ca = issue({ subject: 'CN=CA', keys: testKey('p-ca'), extensions: { basicConstraints: { ca: true } } });
  const leaf = issue({ subject: 'CN=leaf', keys: testKey('p-leaf', 'ec-p256'), issuer: ca });
  const good = buildOcspResponse({
    responderCert: ca.der,
    signerKey: ca.key,
    producedAt: TEST_TIME,
    responses: [{ certId: testCertId(leaf.der, ca.der), status: { status: 'revoked', revokedAt: TEST_TIME - 1000, reason: 1 }, thisUpdate: TEST_TIME, nextUpdate: TEST_TIME + 1000 }],
    nonce: Buffer.alloc(8, 1),
    certs: [ca.der],
  });

  it('round-trips a built response', () => {
    const r = parseOcspResponse(good);
    expect(r.responseStatus).toBe('successful');
    if (r.responseStatus === 'successful') expect(r.basic.parsedCerts.length).toBe(1);
  });

  it('every truncation and every single-byte corruption: a result or MALFORMED_OCSP', () => {
    for (let n = 0; n < good.length; n++) expect(outcome(() => parseOcspResponse(good.subarray(0, n)))).toBe('MALFORMED_OCSP');
    let seed = 12345;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.from(good);
      b[rnd() % b.length] = rnd() & 0xff;
      expect(['ok', 'MALFORMED_OCSP']).toContain(outcome(() => parseOcspResponse(b)));
    }
  });

  it('refuses oversized input and deep nesting without recursion trouble', () => {
    expect(outcome(() => parseOcspResponse(Buffer.alloc(2_000_000, 0x30)))).toBe('INPUT_TOO_LARGE');
    // 1,000 nested SEQUENCEs: the depth limit answers, not the stack
    let nested: Buffer = Buffer.from('0500', 'hex');
    for (let i = 0; i < 1000; i++) nested = seq(nested);
    expect(outcome(() => parseOcspResponse(nested))).toBe('MALFORMED_OCSP');
    expect(isPkiError(new PkiError('MALFORMED_OCSP', 'x'), 'MALFORMED_OCSP')).toBe(true);
  });
});
