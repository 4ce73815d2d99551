/**
 * The dev CA's database of issued certificates: one JSON file
 * (`<dir>/db.json`), rewritten atomically (temporary file + rename) on every
 * change, so a restart keeps every certificate, revocation and the CRL number.
 * Never holds an identity number or randomNum.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { REVOCATION_REASONS, type RevocationReason } from '@jointcert/pki';
import { writeFileAtomic } from './files';

/** The reasons a revocation may give: RFC 5280's CRLReasons but removeFromCRL (which un-holds, in a delta CRL). */
export type RevokeReason = Exclude<RevocationReason, 'removeFromCRL'>;

export const REVOCATION_REASON_NAMES: readonly RevokeReason[] = Object.values(REVOCATION_REASONS).filter((r): r is RevokeReason => r !== 'removeFromCRL');

const entrySchema = z.object({
  serialHex: z.string().regex(/^[0-9a-f]+$/),
  subject: z.string(),
  issuedAt: z.iso.datetime(),
  notBefore: z.iso.datetime(),
  notAfter: z.iso.datetime(),
  status: z.enum(['good', 'revoked']),
  revokedAt: z.iso.datetime().optional(),
  reason: z.enum(REVOCATION_REASON_NAMES).optional(),
  policy: z.string(),
  /** base64 DER */
  certificate: z.string(),
});

const dbSchema = z.object({
  version: z.literal(1),
  /** The number of the last CRL issued (decimal). */
  crlNumber: z.string().regex(/^\d+$/),
  /** The number of the root's last CRL (decimal). */
  rootCrlNumber: z.string().regex(/^\d+$/).default('0'),
  certificates: z.array(entrySchema),
});

export type IssuedEntry = z.infer<typeof entrySchema>;
type Db = z.infer<typeof dbSchema>;

/** Serial hex as a map key: lower case, no colons or 0x, no leading zero octets. */
export function serialKey(hex: string): string {
  const h = hex.toLowerCase().replace(/^0x/, '').replace(/[:\s]/g, '');
  if (!/^[0-9a-f]+$/.test(h)) return '';
  return BigInt(`0x${h}`).toString(16);
}

export class CertStore {
  private readonly path: string;
  private db: Db;
  private readonly bySerial = new Map<string, IssuedEntry>();

  constructor(dataDir: string) {
    this.path = join(dataDir, 'db.json');
    if (existsSync(this.path)) {
      const parsed = dbSchema.safeParse(JSON.parse(readFileSync(this.path, 'utf8')));
      if (!parsed.success) throw new Error(`dev-ca: ${this.path} is not a dev CA database: ${parsed.error.message}`);
      this.db = parsed.data;
    } else {
      this.db = { version: 1, crlNumber: '0', rootCrlNumber: '0', certificates: [] };
    }
    for (const e of this.db.certificates) this.bySerial.set(serialKey(e.serialHex), e);
  }

  get(serialHex: string): IssuedEntry | undefined {
    return this.bySerial.get(serialKey(serialHex));
  }

  all(): readonly IssuedEntry[] {
    return this.db.certificates;
  }

  revoked(): IssuedEntry[] {
    return this.db.certificates.filter((e) => e.status === 'revoked');
  }

  add(entry: IssuedEntry): void {
    const key = serialKey(entry.serialHex);
    if (this.bySerial.has(key)) throw new Error(`dev-ca: serial ${entry.serialHex} issued twice`);
    this.db.certificates.push(entry);
    this.bySerial.set(key, entry);
    this.flush();
  }

  /** Mark revoked; false when it already was (the first revocation stands). */
  revoke(serialHex: string, at: number, reason: RevokeReason): boolean {
    const e = this.get(serialHex);
    if (!e) throw new Error(`unknown serial ${serialHex}`);
    if (e.status === 'revoked') return false;
    e.status = 'revoked';
    e.revokedAt = new Date(at).toISOString();
    e.reason = reason;
    this.flush();
    return true;
  }

  /** Take the next CRL number of the CA's or the root's CRL (persisted before the CRL is served). */
  nextCrlNumber(which: 'ca' | 'root'): bigint {
    const field = which === 'ca' ? 'crlNumber' : 'rootCrlNumber';
    const n = BigInt(this.db[field]) + 1n;
    this.db[field] = n.toString();
    this.flush();
    return n;
  }

  private flush(): void {
    writeFileAtomic(this.path, `${JSON.stringify(this.db, null, 2)}\n`);
  }
}
