/**
 * SEED-CBC (our TypeScript implementation) against AES-128-CBC in Node's
 * OpenSSL as the same-run baseline, on 1 KiB and 64 KiB buffers; and the cost
 * of decrypting a signPri.key (2048 SHA-1 iterations + SEED + PKCS#8 checks).
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decryptSignPriKey, sha1Chain } from '../libs/pki/src/npki/keyfile';
import { seedCbcDecrypt, seedCbcEncrypt, seedKeySchedule } from '../libs/pki/src/npki/seed';
import { fmt, measure, report } from './util';

export function run(): Promise<void> {
  const key = randomBytes(16);
  const iv = randomBytes(16);
  const k = seedKeySchedule(key);
  for (const size of [1024, 64 * 1024]) {
    const pt = randomBytes(size);
    const ct = seedCbcEncrypt(k, iv, pt);
    const aes = measure(() => {
      const c = createCipheriv('aes-128-cbc', key, iv);
      return Buffer.concat([c.update(pt), c.final()]);
    });
    report(`aes-128-cbc (node/OpenSSL) ${size} B [baseline]`, aes);
    const enc = measure(() => seedCbcEncrypt(k, iv, pt));
    report(`seed-cbc encrypt ${size} B`, enc, aes);
    const dec = measure(() => seedCbcDecrypt(k, iv, ct));
    report(`seed-cbc decrypt ${size} B`, dec, aes);
    console.log(`  seed-cbc encrypt throughput: ${fmt((enc.perSecond * size) / 1e6, 1)} MB/s`);
  }
  const fixture = join(__dirname, '..', '..', 'libs', 'pki', 'test-fixtures', 'npki-yessign-test');
  const file = readFileSync(join(fixture, 'signPri.key'));
  const chain = measure(() => sha1Chain(Buffer.from('password'), Buffer.alloc(8), 2048));
  report('SHA-1 chain, 2048 iterations [baseline]', chain);
  report('decryptSignPriKey (yessign, 2048 it.)', measure(() => decryptSignPriKey(file, 'WTuA8Ev0lWXVFSiI!')), chain);
  console.log(`  => 1,000,000 iterations (the default bound) cost about ${fmt(chain.usPerOp * (1e6 / 2048) / 1000, 0)} ms`);
  return Promise.resolve();
}
