import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTransferFolder, writeTransferFolder } from './folder';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'jc-transfer-folder-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe('transfer folders (Node, for the CLI)', () => {
  it('an NPKI user folder sends the sign pair, plus the KM pair when present, and nothing else', async () => {
    const user = join(dir, 'cn=홍길동()0010042202511290001234,ou=KMB,ou=personal4IB,o=yessign,c=kr');
    mkdirSync(user);
    writeFileSync(join(user, 'signCert.der'), bytes(1500, 1));
    writeFileSync(join(user, 'signPri.key'), bytes(1250, 2));
    writeFileSync(join(user, 'notes.txt'), 'x');
    expect((await readTransferFolder(user)).map((f) => [f.name, f.data.length])).toEqual([
      ['signCert.der', 1500],
      ['signPri.key', 1250],
    ]);
    writeFileSync(join(user, 'kmCert.der'), bytes(1400, 3));
    writeFileSync(join(user, 'kmPri.key'), bytes(1200, 4));
    expect((await readTransferFolder(user)).map((f) => f.name)).toEqual(['signCert.der', 'signPri.key', 'kmCert.der', 'kmPri.key']);
  });

  it('a .pfx file or a folder with exactly one; clear refusals otherwise', async () => {
    writeFileSync(join(dir, 'hong.pfx'), bytes(4000, 5));
    expect((await readTransferFolder(join(dir, 'hong.pfx'))).map((f) => f.name)).toEqual(['hong.pfx']);
    expect((await readTransferFolder(dir)).map((f) => f.name)).toEqual(['hong.pfx']);
    writeFileSync(join(dir, 'kim.p12'), bytes(4000, 6));
    await expect(readTransferFolder(dir)).rejects.toThrow(/2 \.pfx\/\.p12 files; name the one to send/);
    writeFileSync(join(dir, 'signPri.key'), bytes(10, 7));
    await expect(readTransferFolder(dir)).rejects.toThrow(/signCert\.der is missing/);
    writeFileSync(join(dir, 'big.der'), bytes(10, 8));
    await expect(readTransferFolder(join(dir, 'big.der'))).rejects.toThrow(/an NPKI folder .* or a \.pfx\/\.p12 file/);
  });

  it('received files are written owner-only into a new folder, never over existing ones', async () => {
    const out = join(dir, 'received');
    const paths = await writeTransferFolder(out, [
      { name: 'signCert.der', data: bytes(3, 9) },
      { name: 'signPri.key', data: bytes(4, 10) },
    ]);
    expect(paths).toEqual([join(out, 'signCert.der'), join(out, 'signPri.key')]);
    expect([...readFileSync(join(out, 'signPri.key'))]).toEqual([10, 10, 10, 10]);
    expect(statSync(join(out, 'signPri.key')).mode & 0o777).toBe(0o600);
    await expect(writeTransferFolder(out, [{ name: 'signPri.key', data: bytes(1, 0) }])).rejects.toThrow(/already has signPri\.key; receive into an empty folder/);
    expect([...readFileSync(join(out, 'signPri.key'))]).toEqual([10, 10, 10, 10]);
  });
});
