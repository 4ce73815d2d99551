import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseCertificates, type Certificate } from '@jointcert/pki';

/**
 * CA certificates by subject key, to check CRL signatures and build OCSP
 * requests: the verifier's trust anchors and intermediates (TRUST_ANCHORS_DIR,
 * INTERMEDIATES_DIR; PEM or DER files). Unreadable files are skipped.
 */
export class IssuerDirectory {
  private readonly bySubject = new Map<string, Certificate[]>();

  constructor(certificates: readonly Certificate[] = []) {
    for (const c of certificates) this.add(c);
  }

  static fromDirs(dirs: ReadonlyArray<string | undefined>): IssuerDirectory {
    const d = new IssuerDirectory();
    for (const dir of dirs) {
      if (!dir) continue;
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        const path = join(dir, name);
        try {
          if (!statSync(path).isFile()) continue;
          for (const c of parseCertificates(readFileSync(path))) d.add(c);
        } catch {
          // not a certificate file
        }
      }
    }
    return d;
  }

  add(c: Certificate): void {
    const list = this.bySubject.get(c.subject.key) ?? [];
    list.push(c);
    this.bySubject.set(c.subject.key, list);
  }

  /** CA certificates named `issuerKey` (several when a CA renewed its key). */
  find(issuerKey: string): Certificate[] {
    return this.bySubject.get(issuerKey) ?? [];
  }
}
