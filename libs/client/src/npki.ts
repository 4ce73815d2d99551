/**
 * An NPKI certificate the user picked (signCert.der + signPri.key from a
 * folder, a file input, a drop, or Node buffers): described before the
 * password is asked, unlocked locally, then used to sign challenges and
 * documents. The key and the password never leave this object; nothing is
 * stored.
 */
import type { Certificate } from '../../pki/src/cert/types';
import { type BlobLike, type BytesInput, fromBase64, readBytes, toBase64 } from './bytes';
import { type CertificateInfo, describeCertificate, parseCertificateBytes } from './certificate';
import { signCms, type SignOptions } from './cms';
import { ClientError } from './errors';
import { describeKeyFile, type KeyFileInfo, SIGN_ALGORITHM, type UnlockedKey, unlockKeyFile, type UnlockOptions } from './keyfile';
import { buf } from './bytes';
import { openPfx } from './pfx';
import { subtle } from './webcrypto';

export interface NpkiFiles {
  signCert: BytesInput;
  signPri: BytesInput;
  /** CA certificates to include in signatures (DER bytes or PEM text), signer's issuer first. */
  chain?: ReadonlyArray<BytesInput | string>;
}

/** A file as a file input or a drop gives it. */
export type NamedFile = BlobLike & { name: string };

/** PEM text (one or more certificates) → DER list. */
export function pemCertificates(text: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) out.push(fromBase64(m[1]!));
  return out;
}

export class NpkiCertificate {
  private constructor(
    readonly certificate: Certificate,
    readonly keyFileBytes: Uint8Array,
    readonly keyFile: KeyFileInfo,
    readonly chain: readonly Uint8Array[],
  ) {}

  /** Read and check both files (no password yet). Throws MALFORMED_CERTIFICATE / MALFORMED_KEY_FILE. */
  static async open(files: NpkiFiles, opts: UnlockOptions = {}): Promise<NpkiCertificate> {
    const certificate = parseCertificateBytes(await readBytes(files.signCert));
    const keyBytes = await readBytes(files.signPri);
    const keyFile = describeKeyFile(keyBytes, opts);
    const chain: Uint8Array[] = [];
    for (const c of files.chain ?? []) chain.push(...(typeof c === 'string' ? pemCertificates(c) : [await readBytes(c)]));
    return new NpkiCertificate(certificate, keyBytes, keyFile, chain);
  }

  /** From the files of an NPKI folder (a directory input or a drop): signCert.der and signPri.key, names matched case-insensitively. */
  static async fromFiles(files: Iterable<NamedFile>, opts: UnlockOptions & { chain?: NpkiFiles['chain'] } = {}): Promise<NpkiCertificate> {
    const byName = new Map<string, NamedFile>();
    for (const f of files) byName.set(f.name.replace(/^.*[\\/]/, '').toLowerCase(), f);
    const signCert = byName.get('signcert.der');
    const signPri = byName.get('signpri.key');
    if (!signCert || !signPri) {
      const missing = [!signCert && 'signCert.der', !signPri && 'signPri.key'].filter(Boolean).join(', ');
      throw new ClientError('NPKI_FILE_MISSING', `choose the NPKI folder's signCert.der and signPri.key (missing: ${missing})`, { missing });
    }
    return NpkiCertificate.open({ signCert, signPri, ...(opts.chain ? { chain: opts.chain } : {}) }, opts);
  }

  /** Holder, CA, type, expiry and days left. */
  describe(now: number = Date.now()): CertificateInfo {
    return describeCertificate(this.certificate, now);
  }

  /** Decrypt signPri.key and check it belongs to the certificate. Throws WRONG_PASSWORD, KEY_CERT_MISMATCH, UNSUPPORTED_KEY. */
  async unlock(password: string | Uint8Array, opts: UnlockOptions = {}): Promise<NpkiSigner> {
    const key = await unlockKeyFile(this.keyFileBytes, password, opts);
    const certJwk = await certificateJwk(this.certificate);
    if (!certJwk) throw new ClientError('UNSUPPORTED_KEY', 'the certificate does not hold an RSA key WebCrypto can use');
    if (certJwk.n !== key.publicJwk.n || certJwk.e !== key.publicJwk.e) throw new ClientError('KEY_CERT_MISMATCH', 'signPri.key does not belong to signCert.der');
    return new NpkiSigner(this.certificate, this.chain, key);
  }

  /**
   * A .pfx / .p12 (PBES2 + AES, as browsers and OpenSSL 3 export): the
   * certificates are usually encrypted too, so the password comes first. The
   * certificate holding the key's public key signs; the others form the chain.
   */
  static async fromPfx(file: BytesInput, password: string): Promise<NpkiSigner> {
    const { certificates, key } = await openPfx(await readBytes(file), password);
    let leaf: Certificate | undefined;
    const chain: Uint8Array[] = [];
    for (const der of certificates) {
      const c = parseCertificateBytes(der);
      const jwk = leaf ? undefined : await certificateJwk(c);
      if (jwk && jwk.n === key.publicJwk.n && jwk.e === key.publicJwk.e) leaf = c;
      else chain.push(der);
    }
    if (!leaf) throw new ClientError('KEY_CERT_MISMATCH', 'no certificate in the PKCS#12 file belongs to its key');
    const unlocked: UnlockedKey = { privateKey: key.privateKey, pkcs8: key.pkcs8, publicJwk: key.publicJwk, scheme: 'pbes2', iterations: 0 };
    if (key.randomNum) unlocked.randomNum = key.randomNum;
    return new NpkiSigner(leaf, chain, unlocked);
  }
}

/** The RSA public key of a certificate as WebCrypto sees it (JWK n, e), or undefined when WebCrypto cannot use it. */
async function certificateJwk(cert: Certificate): Promise<{ n?: string; e?: string } | undefined> {
  try {
    const pub = await subtle().importKey('spki', buf(cert.spki.der), SIGN_ALGORITHM, true, ['verify']);
    return await subtle().exportKey('jwk', pub);
  } catch {
    return undefined;
  }
}

/** An unlocked certificate: signs in memory. */
export class NpkiSigner {
  constructor(
    readonly certificate: Certificate,
    readonly chain: readonly Uint8Array[],
    private readonly key: UnlockedKey,
  ) {}

  /** R from signPri.key (for the VID identity check), or undefined when the file has none. */
  get randomNum(): Uint8Array | undefined {
    return this.key.randomNum;
  }

  get scheme(): UnlockedKey['scheme'] {
    return this.key.scheme;
  }

  /** CMS SignedData (DER) over `content`: attached, signed attributes, SHA-256, chain included. */
  sign(content: Uint8Array, opts: SignOptions = {}): Promise<Uint8Array> {
    return signCms(this.key.privateKey, this.certificate, this.chain, content, opts);
  }

  /** Sign a challenge's nonce (base64) → the signedData (base64) the API takes. */
  async signChallenge(challenge: { nonce: string }, opts: SignOptions = {}): Promise<string> {
    return toBase64(await this.sign(fromBase64(challenge.nonce), opts));
  }

  /** The identity proof for the VID check (본인확인): the idn the user typed and R. Throws INVALID_ARGUMENT when the key file has no R. */
  identity(idn: string): { idn: string; randomNum: string } {
    if (!this.key.randomNum) throw new ClientError('INVALID_ARGUMENT', 'this key file has no randomNum (R): the identity check cannot be made');
    return { idn, randomNum: toBase64(this.key.randomNum) };
  }

  /** Forget the decrypted key material held in memory (the CryptoKey itself is non-extractable). */
  forget(): void {
    this.key.pkcs8.fill(0);
    this.key.randomNum?.fill(0);
  }
}
