import { createPrivateKey } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { YESSIGN } from '../../test-support/fixtures';
import { openssl, tempDir } from '../../test-support/openssl';
import { listNpkiFolder, loadNpkiPair, type NpkiEntry } from './folder';
import { encryptSignPriKey } from './keyfile';
import { codeOf } from '../../test-support/errors';


const { dir: tmp, cleanup } = tempDir('jointcert-npki-folder-');
afterAll(cleanup);

const npki = join(tmp, 'NPKI');
const yesUser = join(npki, 'yessign', 'USER');
const hkd = join(yesUser, 'cn=HKD(KILDONG.HONG)009104120200225191000030,ou=INITECH,ou=personal4IB,o=yessign,c=kr');
const korean = join(npki, 'SignKorea', 'user', 'cn=홍길동()0010123456789,ou=개인,o=SignKorea,c=kr');
const mismatch = join(yesUser, 'cn=mismatch');
const broken = join(yesUser, 'cn=broken');

// a second certificate: self-signed by OpenSSL (one key generation for the file)
openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=other/O=test/C=KR', '-days', '1', '-keyout', join(tmp, 'k.pem'), '-outform', 'DER', '-out', join(tmp, 'c.der')]);
const otherCert = readFileSync(join(tmp, 'c.der'));
const otherPkcs8 = createPrivateKey(readFileSync(join(tmp, 'k.pem'))).export({ type: 'pkcs8', format: 'der' });

function put(dir: string, files: Record<string, Uint8Array | string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
}

put(hkd, { 'signCert.der': YESSIGN.cert(), 'signPri.key': YESSIGN.key() });
put(korean, { 'SignCert.DER': otherCert, 'kmCert.der': otherCert, 'KMPRI.KEY': 'x' }); // certificate only, km pair present
put(mismatch, { 'signCert.der': YESSIGN.cert(), 'signPri.key': encryptSignPriKey(otherPkcs8, 'pw', { iterations: 10 }) });
put(broken, { 'signCert.der': 'not a certificate', 'signPri.key': 'x' });
put(join(yesUser, 'cn=empty'), {});
put(join(yesUser, 'cn=too-large'), { 'signCert.der': Buffer.alloc(70_000) });
put(join(npki, 'KICA'), { 'readme.txt': 'no USER folder here' });
put(join(npki, 'CrossCert', 'USER'), {});
symlinkSync(hkd, join(npki, 'CrossCert', 'USER', 'cn=linked')); // never followed
put(join(npki, 'TradeSign', 'USER', 'cn=file-link'), {});
symlinkSync(join(hkd, 'signCert.der'), join(npki, 'TradeSign', 'USER', 'cn=file-link', 'signCert.der'));

const byDir = (entries: NpkiEntry[]): Map<string, NpkiEntry> => new Map(entries.map((e) => [e.dir, e]));

describe('listNpkiFolder', () => {
  it('lists every subject folder with a certificate under NPKI/<CA>/USER', () => {
    const entries = listNpkiFolder(npki);
    const m = byDir(entries);
    expect([...m.keys()].sort()).toEqual([broken, mismatch, hkd, join(yesUser, 'cn=too-large'), korean].sort());

    expect(m.get(hkd)).toEqual({
      ok: true,
      dir: hkd,
      caFolder: 'yessign',
      subject: expect.stringContaining('CN=HKD(KILDONG.HONG)009104120200225191000030') as unknown,
      serialHex: '459c75',
      notBefore: Date.UTC(2020, 1, 24, 15, 0, 0),
      notAfter: Date.UTC(2020, 2, 25, 14, 59, 59),
      type: expect.objectContaining({ oid: '1.2.410.200005.1.1.4', holder: 'personal', usage: 'limited' }) as unknown,
      hasKey: true,
      hasKm: false,
    });
    expect(m.get(korean)).toMatchObject({ ok: true, caFolder: 'SignKorea', subject: expect.stringContaining('CN=other') as unknown, type: undefined, hasKey: false, hasKm: true });
    expect(m.get(broken)).toMatchObject({ ok: false, caFolder: 'yessign', error: { code: 'MALFORMED_CERTIFICATE' } });
    expect(m.get(join(yesUser, 'cn=too-large'))).toMatchObject({ ok: false, error: { code: 'NPKI_FOLDER_INVALID' } });
  });

  it('accepts a CA folder, a USER folder (any case) or one subject folder as root', () => {
    expect(listNpkiFolder(join(npki, 'yessign')).map((e) => e.dir).sort()).toEqual([broken, mismatch, hkd, join(yesUser, 'cn=too-large')].sort());
    expect(listNpkiFolder(yesUser)).toHaveLength(4);
    expect(listNpkiFolder(join(npki, 'SignKorea', 'user'))).toMatchObject([{ ok: true, dir: korean, caFolder: 'SignKorea' }]);
    expect(listNpkiFolder(hkd)).toMatchObject([{ ok: true, dir: hkd, caFolder: 'yessign', serialHex: '459c75' }]);
    expect(listNpkiFolder(join(npki, 'KICA'))).toEqual([]);
  });

  it('does not follow symbolic links', () => {
    expect(listNpkiFolder(join(npki, 'CrossCert'))).toEqual([]);
    expect(listNpkiFolder(join(npki, 'TradeSign'))).toEqual([]);
    expect(codeOf(() => listNpkiFolder(join(npki, 'CrossCert', 'USER', 'cn=linked')))).toBe('NPKI_FOLDER_INVALID');
  });

  it('stops at its limits and says so', () => {
    const entries = listNpkiFolder(npki, { maxSubjects: 2 });
    expect(entries).toHaveLength(3);
    expect(entries[2]).toMatchObject({ ok: false, error: { code: 'NPKI_FOLDER_INVALID', message: expect.stringContaining('limit') as unknown } });
    const few = listNpkiFolder(yesUser, { maxDirEntries: 3 });
    expect(few.at(-1)).toMatchObject({ ok: false, dir: yesUser, error: { code: 'NPKI_FOLDER_INVALID' } });
    expect(few.length).toBeLessThanOrEqual(4);
  });

  it.each([
    ['a missing folder', () => join(tmp, 'nope')],
    ['a file', () => join(hkd, 'signCert.der')],
  ])('throws NPKI_FOLDER_INVALID for %s', (_, path) => {
    expect(codeOf(() => listNpkiFolder(path()))).toBe('NPKI_FOLDER_INVALID');
  });
});

describe('loadNpkiPair', () => {
  it('loads and checks the yessign pair', () => {
    const { certificate, key } = loadNpkiPair(hkd, YESSIGN.password);
    expect(certificate.serialHex).toBe('459c75');
    expect(key.randomNum?.toString('hex')).toBe(YESSIGN.randomNumHex);
  });

  it('reports a wrong password, a key of another certificate, missing files, a broken certificate', () => {
    expect(codeOf(() => loadNpkiPair(hkd, 'nope'))).toBe('WRONG_PASSWORD');
    expect(codeOf(() => loadNpkiPair(mismatch, 'pw'))).toBe('KEY_CERT_MISMATCH');
    expect(codeOf(() => loadNpkiPair(korean, 'pw'))).toBe('NPKI_FOLDER_INVALID');
    expect(codeOf(() => loadNpkiPair(join(tmp, 'nope'), 'pw'))).toBe('NPKI_FOLDER_INVALID');
    expect(codeOf(() => loadNpkiPair(broken, 'pw'))).toBe('MALFORMED_CERTIFICATE');
    expect(codeOf(() => loadNpkiPair(join(npki, 'CrossCert', 'USER', 'cn=linked'), YESSIGN.password))).toBe('NPKI_FOLDER_INVALID');
  });
});
