/** The hash functions signatures and CMS may name, and their OIDs. */
import { OID } from '../cert/types';

export type DigestName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

export const DIGEST_BY_OID: Readonly<Record<string, DigestName>> = {
  [OID.sha1]: 'sha1',
  [OID.sha224]: 'sha224',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

export const DIGEST_OID: Readonly<Record<DigestName, string>> = {
  sha1: OID.sha1,
  sha224: OID.sha224,
  sha256: OID.sha256,
  sha384: OID.sha384,
  sha512: OID.sha512,
};
