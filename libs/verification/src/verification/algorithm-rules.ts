/**
 * SHA-1 from old clients: refused by default (digests and signatures alike);
 * a site may accept it for the flows it names in ALLOW_SHA1_FOR (login,
 * register, replace, document). RSA below 2048 bits stays refused whatever
 * this says (the algorithm policy of libs/pki crypto).
 */
import type { AppConfig } from '@jointcert/common';
import { DEFAULT_ALLOWED_DIGESTS, type DigestName } from '@jointcert/pki';

const WITH_SHA1: readonly DigestName[] = Object.freeze([...DEFAULT_ALLOWED_DIGESTS, 'sha1']);

export function allowedDigestsFor(config: Pick<AppConfig, 'ALLOW_SHA1_FOR'>, flow: AppConfig['ALLOW_SHA1_FOR'][number]): readonly DigestName[] {
  return config.ALLOW_SHA1_FOR.includes(flow) ? WITH_SHA1 : DEFAULT_ALLOWED_DIGESTS;
}
