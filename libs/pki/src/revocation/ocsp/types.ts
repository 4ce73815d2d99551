/**
 * The OCSP model (RFC 6960): requests we build, responses we parse. Plain data;
 * raw DER kept where a signature or an exact comparison needs it. Times are
 * epoch milliseconds; serials are INTEGER content octets (never numbers).
 */
import type { AlgorithmIdentifier, Certificate, Extension, Name } from '../../cert/types';
import type { RevocationReason } from '../types';

export const OCSP_OID = {
  basic: '1.3.6.1.5.5.7.48.1.1',
  nonce: '1.3.6.1.5.5.7.48.1.2',
  crlReferences: '1.3.6.1.5.5.7.48.1.3',
  acceptableResponses: '1.3.6.1.5.5.7.48.1.4',
  archiveCutoff: '1.3.6.1.5.5.7.48.1.6',
  serviceLocator: '1.3.6.1.5.5.7.48.1.7',
  preferredSignatureAlgorithms: '1.3.6.1.5.5.7.48.1.8',
  extendedRevoke: '1.3.6.1.5.5.7.48.1.9',
  crlReason: '2.5.29.21',
  invalidityDate: '2.5.29.24',
} as const;

/** Hash algorithms a CertID may use (what we can compute to match one). */
export type CertIdHash = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

export interface CertId {
  hash: CertIdHash | 'unsupported';
  /** The hashAlgorithm as encoded. */
  hashAlgorithm: AlgorithmIdentifier;
  issuerNameHash: Uint8Array;
  issuerKeyHash: Uint8Array;
  /** serialNumber content octets. */
  serial: Uint8Array;
  /** DER of the whole CertID. */
  der: Uint8Array;
}

/** OCSPResponseStatus (value 4 is unused). */
export type OcspResponseStatus = 'successful' | 'malformedRequest' | 'internalError' | 'tryLater' | 'sigRequired' | 'unauthorized';

export const OCSP_RESPONSE_STATUS: Readonly<Record<number, OcspResponseStatus>> = {
  0: 'successful',
  1: 'malformedRequest',
  2: 'internalError',
  3: 'tryLater',
  5: 'sigRequired',
  6: 'unauthorized',
};

export type OcspCertStatus =
  | { status: 'good' }
  | {
      status: 'revoked';
      revokedAt: number;
      /** CRLReason number as encoded (revocationReason, or a crlReason single extension). */
      reasonCode?: number;
      reason?: RevocationReason;
      /** invalidityDate single extension. */
      invalidityDate?: number;
    }
  | { status: 'unknown' };

export interface OcspSingleResponse {
  certId: CertId;
  certStatus: OcspCertStatus;
  thisUpdate: number;
  nextUpdate?: number;
  singleExtensions: Extension[];
}

export type ResponderId = { type: 'byName'; name: Name } | { type: 'byKey'; keyHash: Uint8Array };

export interface BasicOcspResponse {
  /** DER of tbsResponseData: what the responder signed (a view into the input). */
  tbsResponseData: Uint8Array;
  /** ResponseData version (0 = v1). */
  version: number;
  responderId: ResponderId;
  producedAt: number;
  responses: OcspSingleResponse[];
  responseExtensions: Extension[];
  /** Contents of the nonce extension's extnValue (normally the DER of an OCTET STRING). */
  nonce?: Uint8Array;
  signatureAlgorithm: AlgorithmIdentifier;
  /** signature BIT STRING contents. */
  signature: Uint8Array;
  /** Certificates that came with the response (DER), in order. */
  certs: Uint8Array[];
  /** The same, parsed; a certificate that does not parse is left out and counted in `unparsedCerts`. */
  parsedCerts: Certificate[];
  unparsedCerts: number;
}

export type OcspResponse =
  | { responseStatus: 'successful'; responseType: string; basic: BasicOcspResponse; der: Uint8Array }
  | { responseStatus: Exclude<OcspResponseStatus, 'successful'>; der: Uint8Array };

export interface OcspRequestInfo {
  version: number;
  certIds: CertId[];
  requestExtensions: Extension[];
  nonce?: Uint8Array;
  signed: boolean;
}
