/**
 * Changing the password of a signPri.key, on the user's device only (the
 * server never sees a certificate password): decrypt with the old password,
 * re-encrypt the very same PKCS#8 plaintext — so the randomNum (R) attribute
 * and every other attribute stay byte for byte — under the new one, and prove
 * the new file decrypts to the same bytes before handing it back. WebCrypto +
 * the TypeScript SEED only: runs in browsers and Node.
 *
 * Default output: PBES2 + PBKDF2-HMAC-SHA256 (10,000 iterations, 16-byte
 * salt) + SEED-CBC (random IV) — what OpenSSL and current NPKI programs read.
 * `scheme: 'keep'` re-encrypts in the file's own scheme, PRF and iteration
 * count (fresh salt and IV), for programs that only read the old encoding.
 */
import { DEFAULT_MAX_ITERATIONS, encodeEncryptedPrivateKeyInfo, type KeyScheme, LEGACY_SEED_VARIANTS, type ParsedEpki, type Pbkdf2Prf } from '../../pki/src/npki/keyfile-format';
import { seedCbcEncrypt } from '../../pki/src/npki/seed';
import type { CertificateView } from '@jointcert/contracts';
import type { JointcertApi } from './api';
import { ClientError } from './errors';
import { deriveLegacy, deriveSeedCbcWithSha1, passwordBytes, pbkdf2, PRF_HASH, type UnlockedKey, unlockKeyFile, type UnlockOptions } from './keyfile';
import { randomBytes } from './webcrypto';

/** The usual NPKI password rule, as shown to users. */
export const NPKI_PASSWORD_RULE = 'at least 10 characters mixing letters (A-Z, a-z), digits (0-9) and symbols (such as ! @ # $ %), printable ASCII only';

/** PBKDF2 iterations of a re-encrypted file (PBES2, HMAC-SHA256). */
export const DEFAULT_PASSWORD_ITERATIONS = 10_000;
const MIN_ITERATIONS = 1_000;

/** What a password lacks under the NPKI rule. 'character': a space, a control or non-ASCII character (other NPKI programs encode those differently). */
export type PasswordRuleMiss = 'length' | 'letter' | 'digit' | 'symbol' | 'character';

/** The parts of the NPKI rule a new password breaks; empty when it is acceptable. */
export function checkNpkiPassword(password: string): PasswordRuleMiss[] {
  const miss: PasswordRuleMiss[] = [];
  if (password.length < 10) miss.push('length');
  if (!/[A-Za-z]/.test(password)) miss.push('letter');
  if (!/[0-9]/.test(password)) miss.push('digit');
  if (!/[!-/:-@[-`{-~]/.test(password)) miss.push('symbol');
  if (/[^!-~]/.test(password)) miss.push('character');
  return miss;
}

export interface ChangeKeyPasswordOptions extends UnlockOptions {
  /** 'pbes2' (default): PBES2 + PBKDF2-HMAC-SHA256 + SEED-CBC. 'keep': the file's own scheme, PRF and iteration count. */
  scheme?: 'pbes2' | 'keep';
  /** PBES2 iterations (default 10,000; 1,000 .. 1,000,000). Ignored with scheme 'keep'. */
  iterations?: number;
  /**
   * With a session: once the new file is proven, tell the server when the
   * password was changed (PUT /v1/certificates/{id}/password-changed — the
   * time only) for the opt-in password reminder. A failed report does not
   * undo the change: see ChangedKeyFile.reported / reportError. Report only
   * when the new file is really kept (a caller that may still fail to save it
   * reports afterwards with api.reportPasswordChanged instead).
   */
  report?: { api: Pick<JointcertApi, 'reportPasswordChanged'>; certificateId: string };
}

export interface ChangedKeyFile {
  /** The new signPri.key (already proven to decrypt with the new password to the same PKCS#8). */
  file: Uint8Array;
  scheme: KeyScheme;
  iterations: number;
  prf?: Pbkdf2Prf;
  /** Whether the key carries R (the randomNum attribute) — unchanged either way. */
  hasRandomNum: boolean;
  /** With `report`: the certificate as the server now has it (passwordChangedAt set), or null when the report failed. */
  reported?: CertificateView | null;
  /** With `report`: why it failed (ApiError / ClientError NETWORK); the key file is changed all the same. */
  reportError?: Error;
}

/**
 * Re-encrypt a signPri.key under a new password. Throws ClientError
 * WEAK_PASSWORD (details.missing, details.rule) before any decryption,
 * WRONG_PASSWORD for a wrong old password, INVALID_ARGUMENT when the new
 * password equals the old or the iteration count is out of range,
 * MALFORMED_KEY_FILE / UNSUPPORTED_KEY as unlockKeyFile.
 */
export async function changeKeyPassword(
  signPriKey: Uint8Array,
  oldPassword: string | Uint8Array,
  newPassword: string,
  opts: ChangeKeyPasswordOptions = {},
): Promise<ChangedKeyFile> {
  const miss = checkNpkiPassword(newPassword);
  if (miss.length > 0) throw new ClientError('WEAK_PASSWORD', `the new password must have ${NPKI_PASSWORD_RULE} (missing: ${miss.join(', ')})`, { rule: NPKI_PASSWORD_RULE, missing: miss });
  const iterations = opts.iterations ?? DEFAULT_PASSWORD_ITERATIONS;
  if (!Number.isSafeInteger(iterations) || iterations < MIN_ITERATIONS || iterations > DEFAULT_MAX_ITERATIONS) {
    throw new ClientError('INVALID_ARGUMENT', `iterations must be an integer in ${MIN_ITERATIONS}..${DEFAULT_MAX_ITERATIONS}`, { iterations });
  }
  const newPw = passwordBytes(newPassword);
  const oldPw = passwordBytes(oldPassword);
  if (oldPw.length === newPw.length && oldPw.every((b, i) => b === newPw[i])) throw new ClientError('INVALID_ARGUMENT', 'the new password is the same as the old one');

  const old = await unlockKeyFile(signPriKey, oldPassword, opts);
  let proof: UnlockedKey | undefined;
  try {
    const target = opts.scheme === 'keep' ? old : { scheme: 'pbes2' as const, iterations, prf: 'hmacWithSHA256' as const };
    const file = await encrypt(old.pkcs8, newPw, target);
    proof = await unlockKeyFile(file, newPw, { maxIterations: Math.max(target.iterations, opts.maxIterations ?? DEFAULT_MAX_ITERATIONS) });
    if (!sameBytes(proof.pkcs8, old.pkcs8) || proof.publicJwk.n !== old.publicJwk.n) throw new Error('the re-encrypted key file does not decrypt to the same key');
    const out: ChangedKeyFile = { file, scheme: target.scheme, iterations: target.iterations, hasRandomNum: old.randomNum !== undefined };
    if (target.prf) out.prf = target.prf;
    if (opts.report) {
      try {
        out.reported = await opts.report.api.reportPasswordChanged(opts.report.certificateId);
      } catch (e) {
        out.reported = null;
        out.reportError = e as Error;
      }
    }
    return out;
  } finally {
    old.pkcs8.fill(0);
    old.randomNum?.fill(0);
    proof?.pkcs8.fill(0);
    proof?.randomNum?.fill(0);
  }
}

type Target = Pick<UnlockedKey, 'scheme' | 'iterations' | 'prf' | 'legacyVariant'>;

async function encrypt(pkcs8: Uint8Array, pw: Uint8Array, t: Target): Promise<Uint8Array> {
  const { iterations } = t;
  switch (t.scheme) {
    case 'seedCBCWithSHA1': {
      const salt = randomBytes(8);
      const { key, iv } = await deriveSeedCbcWithSha1(pw, salt, iterations);
      return encoded({ scheme: 'seedCBCWithSHA1', salt, iterations, data: seedCbcEncrypt(key, iv, pkcs8) });
    }
    case 'legacy-seed': {
      const salt = randomBytes(8);
      const v = LEGACY_SEED_VARIANTS.find((x) => x.id === t.legacyVariant) ?? LEGACY_SEED_VARIANTS[0];
      const { key, iv } = await deriveLegacy(v, pw, { salt, iterations }, new Map());
      return encoded({ scheme: 'legacy-seed', salt, iterations, data: seedCbcEncrypt(key, iv, pkcs8) });
    }
    case 'pbes2': {
      const prf = t.prf ?? 'hmacWithSHA1';
      const hash = PRF_HASH[prf];
      if (hash === null) throw new ClientError('UNSUPPORTED_KEY', `PBKDF2 with ${prf} is not available in WebCrypto`, { prf });
      const salt = randomBytes(16);
      const iv = randomBytes(16);
      const key = await pbkdf2(pw, salt, iterations, 16, hash);
      return encoded({ scheme: 'pbes2', salt, iterations, prf, iv, data: seedCbcEncrypt(key, iv, pkcs8) });
    }
  }
}

function encoded(p: ParsedEpki): Uint8Array {
  return new Uint8Array(encodeEncryptedPrivateKeyInfo(p));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
