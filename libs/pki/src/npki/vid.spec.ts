import { randomBytes } from 'node:crypto';
import { YESSIGN } from '../../test-support/fixtures';
import { parseCertificate } from '../cert/parse';
import { explicit, octets, oid, seq, tlv, utf8 } from '../der';
import {
  assertVid,
  computeVid,
  encodeIdentifyData,
  hashContent,
  identifyDataOf,
  normalizeIdn,
  parseIdentifyData,
  verifyVid,
  type IdentifyData,
} from './vid';
import { codeOf } from '../../test-support/errors';

const algorithmId = (dotted: string, params?: Uint8Array): Buffer => (params === undefined ? seq(oid(dotted)) : seq(oid(dotted), params));

const hex = (s: string): Buffer => Buffer.from(s, 'hex');


// The subjectAltName of the yessign fixture as `openssl asn1parse` shows it (offset 913):
// 30 59 a0 57 06 09 <1.2.410.200004.10.1.1> a0 4a <identifyData value>
const YESSIGN_SAN = hex(
  '3059a05706092a831a8c9a440a0101a04a30480c03484b443041303f060a2a831a8c9a440a0101013031300b0609608648016503040201a02204208ad4f673412f825da4d1fb4d4216946bbc7f8194a0af01f86622ee23c7ee0de7',
);
const YESSIGN_IDENTIFY = YESSIGN_SAN.subarray(17);
const YESSIGN_VID = '8ad4f673412f825da4d1fb4d4216946bbc7f8194a0af01f86622ee23c7ee0de7';

// the computed vector of NPKI.md
const R = hex('7858b4328390805129f01c97fe6ca4a520cbd479');
const IDN = '8001011234567';
const VID256 = '2772f4f45aa885f2528953bbd00b77e71144b378cad1fa0d2fdf2d43ed03847d';
const VID1 = 'c71f0fdfabf499083cadcb876328415ef8a051b3';

describe('parseIdentifyData', () => {
  it('reads the yessign fixture (SHA-256, no NULL parameters, [0] EXPLICIT virtualID)', () => {
    expect(parseIdentifyData(YESSIGN_IDENTIFY)).toEqual({
      realName: 'HKD',
      vids: [{ hashAlgorithm: 'sha256', hashOid: '2.16.840.1.101.3.4.2.1', hashParamsNull: false, virtualID: hex(YESSIGN_VID) }],
    });
  });

  it('identifyDataOf reads it from the parsed certificate', () => {
    const cert = parseCertificate(YESSIGN.cert());
    expect(identifyDataOf(cert)).toEqual(parseIdentifyData(YESSIGN_IDENTIFY));
  });

  it('identifyDataOf throws NO_IDENTIFY_DATA without SAN or without the otherName', () => {
    expect(codeOf(() => identifyDataOf({ ext: {} }))).toBe('NO_IDENTIFY_DATA');
    expect(codeOf(() => identifyDataOf({ ext: { subjectAltName: [{ type: 'dNSName', value: 'x' }] } }))).toBe('NO_IDENTIFY_DATA');
    expect(codeOf(() => identifyDataOf({ ext: { subjectAltName: [{ type: 'otherName', typeId: '1.2.3', value: YESSIGN_IDENTIFY }] } }))).toBe(
      'NO_IDENTIFY_DATA',
    );
  });

  it('tolerates a bare OCTET STRING virtualID, NULL parameters, a single unwrapped userInfo, other userInfo types', () => {
    const vidBare = seq(algorithmId('1.3.14.3.2.26', hex('0500')), octets(hex(VID1)));
    const single = seq(utf8('홍길동'), seq(oid('1.2.410.200004.10.1.1.1'), vidBare));
    expect(parseIdentifyData(single)).toEqual({
      realName: '홍길동',
      vids: [{ hashAlgorithm: 'sha1', hashOid: '1.3.14.3.2.26', hashParamsNull: true, virtualID: hex(VID1) }],
    });
    const implicit = seq(algorithmId('2.16.840.1.101.3.4.2.1'), tlv(0x80, hex(VID256)));
    const other = seq(oid('1.2.410.200004.10.1.1.2'), utf8('something else'));
    const many = seq(utf8('A'), seq(other, seq(oid('1.2.410.200004.10.1.1.1'), implicit)));
    expect(parseIdentifyData(many).vids.map((v) => v.virtualID.toString('hex'))).toEqual([VID256]);
  });

  it('keeps an unknown hash algorithm as data', () => {
    const unk = seq(utf8('A'), seq(seq(oid('1.2.410.200004.10.1.1.1'), seq(algorithmId('1.2.3.4'), explicit(0, octets(Buffer.alloc(8)))))));
    expect(parseIdentifyData(unk).vids[0]).toMatchObject({ hashAlgorithm: 'unknown', hashOid: '1.2.3.4' });
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['truncated', YESSIGN_IDENTIFY.subarray(0, 40)],
    ['trailing bytes', Buffer.concat([YESSIGN_IDENTIFY, hex('00')])],
    ['no userInfos', seq(utf8('A'))],
    ['realName not a string', seq(oid('1.2.3'), seq())],
    ['virtualID missing', seq(utf8('A'), seq(seq(oid('1.2.410.200004.10.1.1.1'), seq(algorithmId('1.3.14.3.2.26'))))) ],
    ['empty virtualID', seq(utf8('A'), seq(seq(oid('1.2.410.200004.10.1.1.1'), seq(algorithmId('1.3.14.3.2.26'), octets(Buffer.alloc(0))))))],
    ['VID not a SEQUENCE', seq(utf8('A'), seq(seq(oid('1.2.410.200004.10.1.1.1'), octets(Buffer.alloc(20)))))],
  ])('%s → MALFORMED_EXTENSION', (_, der) => {
    expect(codeOf(() => parseIdentifyData(der))).toBe('MALFORMED_EXTENSION');
  });

  it('every truncation and random garbage give typed errors only', () => {
    for (let n = 0; n < YESSIGN_IDENTIFY.length; n++) expect(codeOf(() => parseIdentifyData(YESSIGN_IDENTIFY.subarray(0, n)))).toBe('MALFORMED_EXTENSION');
    for (let i = 0; i < 500; i++) {
      const c = codeOf(() => parseIdentifyData(randomBytes(i % 80)));
      expect(['MALFORMED_EXTENSION', 'no error']).toContain(c);
    }
  });
});

describe('VID', () => {
  it('encodes HashContent as in the vector', () => {
    expect(hashContent(IDN, R).toString('hex')).toBe('3026130d383030313031313233343536370315007858b4328390805129f01c97fe6ca4a520cbd479');
  });

  it('computes the SHA-256 and SHA-1 VIDs of the vector', () => {
    expect(computeVid(IDN, R, 'sha256').toString('hex')).toBe(VID256);
    expect(computeVid(IDN, R, 'sha1').toString('hex')).toBe(VID1);
  });

  it.each([
    ['sha256', false, VID256],
    ['sha256', true, VID256],
    ['sha1', false, VID1],
    ['sha1', true, VID1],
  ] as const)('verifies %s (NULL params %s) through encode → parse', (hash, withNullParams, vidHex) => {
    const der = encodeIdentifyData('홍길동', { hash, virtualID: hex(vidHex), withNullParams });
    const data = parseIdentifyData(der);
    expect(data.realName).toBe('홍길동');
    expect(data.vids[0]!.hashParamsNull).toBe(withNullParams);
    expect(verifyVid(data, IDN, R)).toEqual({ ok: true, hash });
    expect(verifyVid(data, '800101-1234567', R)).toEqual({ ok: true, hash });
    expect(verifyVid(data, ' 800101 1234567 ', R)).toEqual({ ok: true, hash });
    expect(verifyVid(data, '8001011234568', R)).toEqual({ ok: false, reason: 'VID_MISMATCH' });
    const r2 = Buffer.from(R);
    r2[19]! ^= 1;
    expect(verifyVid(data, IDN, r2)).toEqual({ ok: false, reason: 'VID_MISMATCH' });
  });

  it('encodes what the yessign certificate carries (byte for byte)', () => {
    expect(encodeIdentifyData('HKD', { hash: 'sha256', virtualID: hex(YESSIGN_VID) })).toEqual(YESSIGN_IDENTIFY);
  });

  it('the yessign VID does not match the vector idn (its idn is not published)', () => {
    expect(verifyVid(parseIdentifyData(YESSIGN_IDENTIFY), IDN, hex(YESSIGN.randomNumHex))).toEqual({ ok: false, reason: 'VID_MISMATCH' });
  });

  it.each(['', '123', '80010112345678', '800101123456a', '800101_1234567', '１２３４５６７８９０'])('rejects idn %p as IDN_MALFORMED', (idn) => {
    expect(normalizeIdn(idn)).toEqual({ ok: false, reason: 'IDN_MALFORMED' });
    expect(verifyVid(parseIdentifyData(YESSIGN_IDENTIFY), idn, R)).toEqual({ ok: false, reason: 'IDN_MALFORMED' });
    expect(codeOf(() => computeVid(idn, R, 'sha256'))).toBe('INVALID_ARGUMENT');
  });

  it('accepts a 10-digit business registration number', () => {
    expect(normalizeIdn('123-45-67890')).toEqual({ ok: true, idn: '1234567890' });
    const data = parseIdentifyData(encodeIdentifyData('(주)회사', { hash: 'sha256', virtualID: computeVid('1234567890', R, 'sha256') }));
    expect(verifyVid(data, '123-45-67890', R).ok).toBe(true);
  });

  it('reports missing R, no VIDs, and unsupported hashes as reasons', () => {
    const data = parseIdentifyData(YESSIGN_IDENTIFY);
    expect(verifyVid(data, IDN, undefined)).toEqual({ ok: false, reason: 'RANDOM_NUM_MISSING' });
    expect(verifyVid(data, IDN, Buffer.alloc(0))).toEqual({ ok: false, reason: 'RANDOM_NUM_MISSING' });
    expect(verifyVid({ realName: 'x', vids: [] }, IDN, R)).toEqual({ ok: false, reason: 'NO_VID' });
    const unknown: IdentifyData = { realName: 'x', vids: [{ hashAlgorithm: 'unknown', hashOid: '1.2.3', hashParamsNull: false, virtualID: hex(VID1) }] };
    expect(verifyVid(unknown, IDN, R)).toEqual({ ok: false, reason: 'HASH_UNSUPPORTED' });
    // a VID of another length never matches (and does not throw in timingSafeEqual)
    const short: IdentifyData = { realName: 'x', vids: [{ hashAlgorithm: 'sha256', hashOid: '', hashParamsNull: false, virtualID: hex(VID1) }] };
    expect(verifyVid(short, IDN, R)).toEqual({ ok: false, reason: 'VID_MISMATCH' });
  });

  it('assertVid throws VID_MISMATCH with the reason', () => {
    const data = parseIdentifyData(encodeIdentifyData('A', { hash: 'sha1', virtualID: hex(VID1) }));
    expect(() => assertVid(data, IDN, R)).not.toThrow();
    expect(codeOf(() => assertVid(data, '0000000000000', R))).toBe('VID_MISMATCH');
  });
});
