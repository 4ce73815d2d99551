import { createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { malformedField, CONFIG, type AppConfig } from '@jointcert/common';
import { normalizeIdn } from '@jointcert/pki';

/**
 * What the registry keeps of an identity (NPKI.md: never idn or R, at most a
 * keyed hash): HMAC-SHA256(IDENTITY_HMAC_KEY, idn normalised as the VID check
 * normalises it — hyphens and spaces dropped), hex. Without the key the hash
 * cannot be brute-forced over the small space of identity numbers.
 */
@Injectable()
export class IdentityHasher {
  constructor(@Inject(CONFIG) private readonly config: AppConfig) {}

  hash(idn: string): string {
    const n = normalizeIdn(idn);
    if (!n.ok) throw malformedField('identity.idn', 'must be 10 or 13 digits');
    return createHmac('sha256', this.config.IDENTITY_HMAC_KEY).update(n.idn, 'utf8').digest('hex');
  }
}
