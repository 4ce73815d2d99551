import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PkiError } from '../../errors';
import { readTime, toHex, Tag } from '../../der';
import { generalizedTime, utcTime } from '../../der/writer';
import { testKey } from '../../issuing/keys';
import { buildCrl, encodeRevokedEntries } from '../../issuing/crl';
import { openssl, VECTORS_DIR } from '../../../test-support/openssl';
import { opensslCa, type OpensslCa } from './openssl-ca.testkit';
import { parseCrl } from './parse';
import type { Crl } from './types';

const T0 = Date.UTC(2026, 0, 15, 3, 0, 0);
const DAY = 86_400_000;
const ISSUER = 'C=KR,O=yessign,OU=AccreditedCA,CN=CRL Unit CA';

function parseOrCode(der: Uint8Array): Crl | string {
  try {
    return parseCrl(der);
  } catch (e) {
    if (!(e instanceof PkiError)) throw e;
    return e.code;
  }
}

function utcToMs(s: string): number {
  const t = Buffer.from(s, 'latin1');
  return readTime(t, { tag: Tag.UTC_TIME, tagNumber: 23, constructed: false, start: 0, valueStart: 0, valueEnd: t.length, end: t.length, indefinite: false });
}

describe('parseCrl on CRLs made by openssl ca -gencrl', () => {
  let ca: OpensslCa;
  afterAll(() => ca?.cleanup());

  it('finds revoked serials with openssl’s reasons and times; others absent', () => {
    ca = opensslCa();
    const certs = ['a', 'b', 'c', 'd', 'e'].map((cn) => ca.issue(cn));
    ca.revoke(certs[0]!, ['-crl_reason', 'keyCompromise']);
    ca.revoke(certs[1]!, ['-crl_reason', 'superseded']);
    ca.revoke(certs[2]!, ['-crl_hold', 'holdInstructionReject']);
    ca.revoke(certs[3]!, ['-crl_compromise', '20240101000000Z']);
    const der = ca.gencrl({ section: 'crl_idp_user' });
    const crl = parseCrl(der);

    expect(crl.version).toBe(2);
    expect(crl.size).toBe(4);
    expect(crl.issuer.key).toBe(ca.cert.subject.key);
    expect(crl.crlNumber).toBe(1n);
    expect(toHex(crl.authorityKeyIdentifier!.keyIdentifier!)).toBe(toHex(ca.cert.ext.subjectKeyIdentifier!));
    expect(crl.nextUpdate! - crl.thisUpdate).toBe(24 * 3600_000);
    expect(crl.issuingDistributionPoint).toMatchObject({ onlyContainsUserCerts: true, indirectCrl: false });
    expect(crl.issuingDistributionPoint!.fullName![0]).toMatchObject({ type: 'uniformResourceIdentifier' });

    const index = ca.indexRevocations();
    const want = [
      ['keyCompromise', undefined],
      ['superseded', undefined],
      ['certificateHold', undefined],
      ['keyCompromise', Date.UTC(2024, 0, 1)],
    ] as const;
    certs.slice(0, 4).forEach((c, i) => {
      const hit = crl.lookup(c.cert.serial);
      expect(hit).toBeDefined();
      expect(hit!.reason).toBe(want[i]![0]);
      expect(hit!.invalidityDate).toBe(want[i]![1]);
      expect(hit!.revokedAt).toBe(utcToMs(index.get(c.cert.serialHex)!.date));
    });
    expect(crl.lookup(certs[4]!.cert.serial)).toBeUndefined();
    // the same serials as openssl's own listing
    const text = openssl(['crl', '-inform', 'DER', '-noout', '-text'], der).toString();
    const listed = [...text.matchAll(/Serial Number: ([0-9A-F]+)/g)].map((m) => m[1]!.toLowerCase()).sort();
    expect(Array.from({ length: crl.size }, (_, i) => crl.entry(i).serialHex).sort()).toEqual(listed);
  });

  it('a CRL with no revocations has no revokedCertificates field and parses to size 0', () => {
    const empty = opensslCa('/C=KR/O=yessign/CN=Empty CA', 'empty');
    try {
      const crl = parseCrl(empty.gencrl({ section: 'crl_plain' }));
      expect(crl.size).toBe(0);
      expect(crl.lookup(Uint8Array.of(1))).toBeUndefined();
    } finally {
      empty.cleanup();
    }
  });
});

describe('parseCrl on built CRLs', () => {
  const key = testKey('crl-issuer', 'ec-p256').privateKey;

  it('accepts an empty revokedCertificates SEQUENCE and PEM input', () => {
    const der = buildCrl({ issuer: ISSUER, issuerKey: key, thisUpdate: T0, emptyRevokedSequence: true, crlNumber: 5 });
    expect(parseCrl(der).size).toBe(0);
    const pem = `-----BEGIN X509 CRL-----\n${der.toString('base64')}\n-----END X509 CRL-----\n`;
    expect(parseCrl(Buffer.from(pem)).crlNumber).toBe(5n);
  });

  it('unsorted serials are fine; a duplicate keeps the first entry and is counted', () => {
    const der = buildCrl({
      issuer: ISSUER,
      issuerKey: key,
      thisUpdate: T0,
      entries: [
        { serial: 300, revokedAt: T0 - 3 * DAY, reason: 'superseded' },
        { serial: 5, revokedAt: T0 - 2 * DAY },
        { serial: 300, revokedAt: T0 - DAY, reason: 'keyCompromise' },
        { serial: -7n, revokedAt: T0 - DAY, reason: 'cessationOfOperation' },
      ],
    });
    const crl = parseCrl(der);
    expect(crl.size).toBe(4);
    expect(crl.duplicates).toBe(1);
    expect(crl.lookup(Uint8Array.of(0x01, 0x2c))).toMatchObject({ index: 0, reason: 'superseded', revokedAt: T0 - 3 * DAY });
    expect(crl.lookup(Uint8Array.of(5))).toMatchObject({ index: 1, revokedAt: T0 - 2 * DAY });
    expect(crl.lookup(Uint8Array.of(5))!.reason).toBeUndefined();
    expect(crl.lookup(Uint8Array.of(0xf9))).toMatchObject({ reason: 'cessationOfOperation' });
    expect(crl.lookup(Uint8Array.of(0x00, 0x05))).toBeUndefined();
  });

  it('indirect CRL: entries after a certificateIssuer belong to that issuer', () => {
    const other = 'C=KR,O=Other,CN=Other CA';
    const der = buildCrl({
      issuer: ISSUER,
      issuerKey: key,
      thisUpdate: T0,
      idp: { indirect: true },
      entries: [
        { serial: 1, revokedAt: T0 - DAY },
        { serial: 2, revokedAt: T0 - DAY, certificateIssuer: [{ dirName: other }] },
        { serial: 3, revokedAt: T0 - DAY },
        { serial: 4, revokedAt: T0 - DAY, certificateIssuer: [{ dirName: ISSUER }] },
        { serial: 2, revokedAt: T0 - 2 * DAY },
      ],
    });
    const crl = parseCrl(der);
    expect(crl.hasCertificateIssuerEntries).toBe(true);
    expect(crl.duplicates).toBe(0);
    const otherKey = crl.entry(1).certificateIssuer !== 'crlIssuer' && crl.entry(1).certificateIssuer;
    const otherName = (otherKey as { type: 'directoryName'; name: { key: string } }[])[0]!.name.key;
    expect(crl.lookup(Uint8Array.of(1))).toMatchObject({ index: 0 });
    expect(crl.lookup(Uint8Array.of(2))).toMatchObject({ index: 4 }); // the CRL issuer's own serial 2
    expect(crl.lookup(Uint8Array.of(2), otherName)).toMatchObject({ index: 1 });
    expect(crl.lookup(Uint8Array.of(3), otherName)).toMatchObject({ index: 2 });
    expect(crl.lookup(Uint8Array.of(3))).toBeUndefined();
    expect(crl.lookup(Uint8Array.of(4), crl.issuer.key)).toMatchObject({ index: 3 });
    expect(crl.lookup(Uint8Array.of(1), otherName)).toBeUndefined();
  });

  it('times: UTCTime, GeneralizedTime from 2050, leap days — same as the reference decoder', () => {
    const times = [Date.UTC(1950, 0, 1), Date.UTC(2000, 1, 29, 23, 59, 59), Date.UTC(2049, 11, 31, 23, 59, 59), Date.UTC(2050, 0, 1), Date.UTC(2100, 1, 28, 12), Date.UTC(2400, 1, 29)];
    for (let i = 0; i < 200; i++) times.push(Date.UTC(1950, 0, 1) + Math.floor(Math.random() * 150 * 365 * 86400) * 1000);
    const crl = parseCrl(
      buildCrl({ issuer: ISSUER, issuerKey: key, thisUpdate: T0, entries: times.map((t, i) => ({ serial: i + 1, revokedAt: t, invalidityDate: t })) }),
    );
    times.forEach((t, i) => expect(crl.lookup(crl.entry(i).serial)).toMatchObject({ revokedAt: t, invalidityDate: t }));
    // the encoders agree with the values
    expect(utcTime(times[1]!).length).toBe(15);
    expect(generalizedTime(times[4]!).length).toBe(17);
  });

  it('unknown reason codes read as unspecified; unknown critical entry extensions are counted', () => {
    const crl = parseCrl(
      buildCrl({
        issuer: ISSUER,
        issuerKey: key,
        thisUpdate: T0,
        entries: [
          { serial: 1, revokedAt: T0, reason: 7 },
          { serial: 2, revokedAt: T0, reason: 99 },
          { serial: 3, revokedAt: T0, extra: [{ oid: '1.2.3.4', critical: true, value: Buffer.of(5, 0) }] },
          { serial: 4, revokedAt: T0, extra: [{ oid: '1.2.3.5', value: Buffer.of(5, 0) }] },
        ],
      }),
    );
    expect(crl.lookup(Uint8Array.of(1))!.reason).toBe('unspecified');
    expect(crl.lookup(Uint8Array.of(2))!.reason).toBe('unspecified');
    expect(crl.lookup(Uint8Array.of(3))!.unknownCriticalExtension).toBe(true);
    expect(crl.lookup(Uint8Array.of(4))!.unknownCriticalExtension).toBe(false);
    expect(crl.unknownCriticalEntryExtensions).toBe(1);
  });

  it('a large random CRL: every serial found, random others not (against a Map)', () => {
    const n = 50_000;
    const serials = randomBytes(n * 12);
    const content = encodeRevokedEntries(
      n,
      12,
      (i, out) => out.set(serials.subarray(i * 12, i * 12 + 12)),
      (i) => T0 - (i % 1000) * 1000,
      (i) => (i % 11 === 7 ? -1 : i % 11),
    );
    const crl = parseCrl(buildCrl({ issuer: ISSUER, issuerKey: key, thisUpdate: T0, revokedContent: content }));
    expect(crl.size).toBe(n);
    const ref = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const s = Buffer.from(serials.subarray(i * 12, i * 12 + 12));
      s[0] = (s[0]! & 0x7f) | 1;
      if (!ref.has(s.toString('hex'))) ref.set(s.toString('hex'), i);
    }
    const names = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', '', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise'];
    const wrong: string[] = [];
    for (const [hex, i] of ref) {
      const hit = crl.lookup(Buffer.from(hex, 'hex'));
      const reason = i % 11 === 7 ? undefined : names[i % 11];
      if (!hit || hit.index !== i || hit.revokedAt !== T0 - (i % 1000) * 1000 || hit.reason !== reason) wrong.push(hex);
    }
    for (let k = 0; k < 10_000; k++) {
      const q = randomBytes(12);
      q[0] = (q[0]! & 0x7f) | 1;
      if ((crl.lookup(q) === undefined) !== !ref.has(q.toString('hex'))) wrong.push(q.toString('hex'));
    }
    expect(wrong).toEqual([]);
  });
});

describe('parseCrl on hostile input: a typed error, never a crash or a hang', () => {
  const key = testKey('crl-hostile', 'ec-p256').privateKey;
  const der = buildCrl({
    issuer: ISSUER,
    issuerKey: key,
    thisUpdate: T0,
    crlNumber: 9,
    idp: { urls: ['ldap://ds.example.kr/ou=dp1,o=yessign,c=kr'], onlyUser: true },
    entries: [
      { serial: 1, revokedAt: T0 - DAY, reason: 'keyCompromise', invalidityDate: T0 - 2 * DAY },
      { serial: 2, revokedAt: T0 - DAY, certificateIssuer: [{ dirName: ISSUER }] },
    ],
  });

  it('parses the intact CRL', () => {
    expect(parseCrl(der).size).toBe(2);
  });

  it('every truncation is MALFORMED_CRL', () => {
    for (let n = 0; n < der.length; n++) expect(parseOrCode(der.subarray(0, n))).toBe('MALFORMED_CRL');
  });

  it('huge length fields, wrong tags, trailing bytes', () => {
    expect(parseOrCode(Buffer.concat([Buffer.of(0x30, 0x84, 0xff, 0xff, 0xff, 0xff), der.subarray(2)]))).toBe('MALFORMED_CRL');
    expect(parseOrCode(Buffer.concat([Buffer.of(0x30, 0x88, 1, 2, 3, 4, 5, 6, 7, 8), der]))).toBe('MALFORMED_CRL');
    const wrongTag = Buffer.from(der);
    wrongTag[0] = 0x31;
    expect(parseOrCode(wrongTag)).toBe('MALFORMED_CRL');
    expect(parseOrCode(Buffer.concat([der, Buffer.of(0)]))).toBe('MALFORMED_CRL');
    expect(parseOrCode(new Uint8Array(0))).toBe('MALFORMED_CRL');
  });

  it('every single-byte corruption gives a Crl or a PkiError', () => {
    for (let i = 0; i < der.length; i++) {
      for (const v of [0x00, 0xff, der[i]! ^ 0x01, der[i]! ^ 0x80, 0x30, 0x84]) {
        const m = Buffer.from(der);
        m[i] = v;
        const r = parseOrCode(m);
        if (typeof r === 'string') expect(['MALFORMED_CRL', 'INPUT_TOO_LARGE', 'MALFORMED_PEM']).toContain(r);
      }
    }
  });

  it('10,000-deep nesting', () => {
    const parts: number[] = [];
    for (let i = 0; i < 10_000; i++) parts.push(0x30, 0x80);
    expect(parseOrCode(Buffer.from(parts))).toBe('MALFORMED_CRL');
    // definite lengths, nested inside the revoked list
    let inner: Buffer = Buffer.of(0x05, 0x00);
    for (let i = 0; i < 10_000; i++) {
      const len = inner.length;
      const hdr = len < 0x80 ? [0x30, len] : len < 0x100 ? [0x30, 0x81, len] : len < 0x10000 ? [0x30, 0x82, len >> 8, len & 0xff] : [0x30, 0x83, len >> 16, (len >> 8) & 0xff, len & 0xff];
      inner = Buffer.concat([Buffer.from(hdr), inner]);
    }
    const deep = buildCrl({ issuer: ISSUER, issuerKey: key, thisUpdate: T0, revokedContent: inner });
    expect(parseOrCode(deep)).toBe('MALFORMED_CRL');
  });

  it('size and entry limits', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return (e as PkiError).code;
      }
      return undefined;
    };
    expect(code(() => parseCrl(der, { maxBytes: 10 }))).toBe('INPUT_TOO_LARGE');
    expect(code(() => parseCrl(der, { maxEntries: 1 }))).toBe('MALFORMED_CRL');
  });

  it('v1 with extensions, two onlyContains flags, outer/inner algorithm mismatch', () => {
    expect(parseOrCode(buildCrl({ issuer: ISSUER, issuerKey: key, thisUpdate: T0, version: 1, crlNumber: 1 }))).toBe('MALFORMED_CRL');
    expect(parseOrCode(buildCrl({ issuer: ISSUER, issuerKey: key, thisUpdate: T0, idp: { onlyUser: true, onlyCA: true } }))).toBe('MALFORMED_CRL');
    const v1 = parseCrl(buildCrl({ issuer: ISSUER, issuerKey: key, thisUpdate: T0, version: 1, authorityKeyId: false, entries: [{ serial: 1, revokedAt: T0 }] }));
    expect(v1.version).toBe(1);
    // ecdsaWithSHA256 (…04 03 02) → …04 03 03 in the outer AlgorithmIdentifier only
    const m = Buffer.from(der);
    const alg = Buffer.from('06082a8648ce3d040302', 'hex');
    const outer = m.lastIndexOf(alg);
    m[outer + alg.length - 1] = 0x03;
    expect(parseOrCode(m)).toBe('MALFORMED_CRL');
  });
});

describe('parseCrl on the cryptography vectors (PKITS CRLs, x509/custom)', () => {
  const pkits = join(VECTORS_DIR, 'x509', 'PKITS_data', 'crls');
  const custom = join(VECTORS_DIR, 'x509', 'custom');

  it('all PKITS CRLs parse (vectors present)', () => {
    const files = readdirSync(pkits);
    expect(files.length).toBeGreaterThan(100);
    for (const f of files) {
      const r = parseOrCode(readFileSync(join(pkits, f)));
      expect([f, typeof r]).toEqual([f, 'object']);
    }
    const crl = (f: string): Crl => parseCrl(readFileSync(join(pkits, f)));
    expect(crl('UnknownCRLExtensionCACRL.crl').unknownCriticalExtensions).toEqual(['2.16.840.1.101.2.1.12.2']);
    expect(crl('UnknownCRLEntryExtensionCACRL.crl').unknownCriticalEntryExtensions).toBe(1);
    expect(crl('deltaCRLCA1deltaCRL.crl').deltaCrlIndicator).toBe(1n);
    expect(crl('indirectCRLCA5CRL.crl').hasCertificateIssuerEntries).toBe(true);
    expect(crl('onlyContainsCACertsCACRL.crl').issuingDistributionPoint!.onlyContainsCACerts).toBe(true);
    expect(crl('distributionPoint2CACRL.crl').issuingDistributionPoint!.nameRelativeToCrlIssuer).toBeDefined();
    expect(crl('BadCRLSignatureCACRL.crl').signatureUnusedBits).not.toBe(0);
  });

  it('every x509/custom file with "crl" in its name: a Crl or a typed error', () => {
    const files = readdirSync(custom).filter((f) => /crl/i.test(f));
    expect(files.length).toBeGreaterThan(20);
    const outcome: Record<string, string> = {};
    for (const f of files) {
      const r = parseOrCode(readFileSync(join(custom, f)));
      outcome[f] = typeof r === 'string' ? r : 'ok';
    }
    // certificates named *crl* (CDP fixtures) are refused as PEM of the wrong kind
    expect(outcome).toMatchObject({
      'crl_bad_version.pem': 'MALFORMED_CRL',
      'crl_dup_entry_ext.pem': 'MALFORMED_CRL',
      'crl_inval_cert_issuer_entry_ext.pem': 'MALFORMED_CRL',
      'crl_invalid_time.der': 'MALFORMED_CRL',
      'crl_empty.pem': 'ok',
      'crl_empty_no_sequence.der': 'ok',
      'crl_all_reasons.pem': 'ok',
      'crl_unsupported_reason.pem': 'ok',
      'crl_delta_crl_indicator.pem': 'ok',
      'crl_almost_10k.pem': 'ok',
      'cdp_crl_issuer.pem': 'MALFORMED_PEM',
    });
    expect(parseCrl(readFileSync(join(custom, 'crl_md2_unknown_crit_entry_ext.pem'))).unknownCriticalEntryExtensions).toBe(1);
    expect(parseCrl(readFileSync(join(custom, 'crl_delta_crl_indicator.pem'))).deltaCrlIndicator).toBe(12345678901234567890n);
  });
});
