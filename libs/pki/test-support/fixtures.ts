import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(__dirname, '..', 'test-fixtures');

/** A file of libs/pki/test-fixtures. */
export function fixture(...parts: string[]): Buffer {
  return readFileSync(join(dir, ...parts));
}

/** The public yessign test-CA pair (see test-fixtures/npki-yessign-test/README.md). */
export const YESSIGN = {
  cert: () => fixture('npki-yessign-test', 'signCert.der'),
  key: () => fixture('npki-yessign-test', 'signPri.key'),
  password: 'WTuA8Ev0lWXVFSiI!',
  randomNumHex: '7858b4328390805129f01c97fe6ca4a520cbd479',
  salt: 'c8ea2fa25023c285',
  dkHex: '6240e2686a6abbc48c922ccba906bb91c58eec36',
  keyHex: '6240e2686a6abbc48c922ccba906bb91',
  ivHex: '4471a1fd154167f22848770d578a5b73',
} as const;
