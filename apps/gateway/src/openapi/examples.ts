import type {
  AccountView,
  CertificateView,
  ChallengeView,
  RegisterResult,
  ReplaceResult,
  SessionTokens,
  TransferCreated,
  TransferEnvelope,
  ValidationReport,
} from '@jointcert/contracts';
import { problemType, type ProblemCode, type ProblemDocument } from '@jointcert/common';

/** Realistic examples for the OpenAPI document (a yessign personal certificate, as 청약홈 would see it). */

export const challengeExample: ChallengeView = {
  challengeId: '6f9c2d1e-8b4a-4c3f-9e2d-7a1b5c8d4e0f',
  nonce: 'q2Z0yX1m3Vb8Jt7Kc9PzR4sWf6Hn2Lp0Ue5Ag8Dk1Yo=',
  textToSign: '[청약홈] 공동인증서 로그인 (certificate login)\nnonce=q2Z0yX1m3Vb8Jt7Kc9PzR4sWf6Hn2Lp0Ue5Ag8Dk1Yo=',
  expiresAt: '2026-11-29T03:02:00.000Z',
};

export const accountExample: AccountView = {
  id: '0b7f3c2a-5d41-4e8b-9c6f-2a1d3e4f5a6b',
  email: 'hong.gildong@example.kr',
  locale: 'ko',
  reminders: { enabled: true, daysBefore: [30, 7, 1] },
  passwordReminder: { enabled: false, intervalDays: 90 },
  createdAt: '2026-11-29T03:00:12.345Z',
};

export const certificateExample: CertificateView = {
  id: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f',
  status: 'active',
  subject: 'CN=홍길동()0010042202511290001234,OU=KMB,OU=personal4IB,O=yessign,C=kr',
  issuer: 'CN=yessignCA Class 3,OU=AccreditedCA,O=yessign,C=kr',
  serialHex: '1a2b3c4d',
  fingerprintSha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  ca: 'yessign',
  type: 'personal/general',
  typeLabel: '개인 범용 (personal, general purpose)',
  policyOid: '1.2.410.200005.1.1.1',
  notBefore: '2025-11-29T00:00:00.000Z',
  notAfter: '2026-11-30T14:59:59.000Z',
  daysLeft: 1,
  registeredAt: '2026-11-29T03:00:12.345Z',
  replacedBy: null,
  revokedAt: null,
  revocationReason: null,
  locked: false,
  lockedAt: null,
  lastUsedAt: '2026-11-29T03:00:12.345Z',
  passwordChangedAt: null,
};

export const sessionExample: SessionTokens = {
  tokenType: 'Bearer',
  accessToken:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzaWQiOiI1ZTFhMmIzYy00ZDVlLTRmNmEtOGI5Yy0wZDFlMmYzYTRiNWMiLCJpYXQiOjE3OTQ0NTQ0MDAsImV4cCI6MTc5NDQ1NTMwMCwic3ViIjoiMGI3ZjNjMmEtNWQ0MS00ZThiLTljNmYtMmExZDNlNGY1YTZiIiwiaXNzIjoiam9pbnRjZXJ0IiwiYXVkIjoiam9pbnRjZXJ0LWFwaSJ9.mC5p0Jx2ZV7mY1yQm3h3bX0tQe9Fq8kq2m3b1QwJ7sA',
  expiresIn: 900,
  refreshToken: 'rt_Zk3pV9qL2xWc7Ns4Hb8Tg1Yd6Jf0Mr5Ae2Uo9Ki3Sl7Px',
  refreshExpiresIn: 2592000,
  account: accountExample,
};

export const signUpExample: RegisterResult = { account: accountExample, certificate: certificateExample, session: sessionExample };

export const replaceExample: ReplaceResult = {
  previous: { ...certificateExample, status: 'replaced', replacedBy: 'd4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f70' },
  certificate: {
    ...certificateExample,
    id: 'd4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f70',
    subject: 'CN=홍길동()0010042202611280005678,OU=KMB,OU=personal4IB,O=yessign,C=kr',
    serialHex: '2b3c4d5e',
    fingerprintSha256: '3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b',
    notBefore: '2026-11-28T00:00:00.000Z',
    notAfter: '2027-11-29T14:59:59.000Z',
    daysLeft: 365,
  },
};

const signer = {
  subject: certificateExample.subject,
  issuer: certificateExample.issuer,
  serialHex: certificateExample.serialHex,
  fingerprintSha256: certificateExample.fingerprintSha256,
  notBefore: certificateExample.notBefore,
  notAfter: certificateExample.notAfter,
};

export const reportExample: ValidationReport = {
  verdict: 'valid',
  reasons: [],
  validationTime: '2026-11-29T03:05:00.000Z',
  contentType: '1.2.840.113549.1.7.1',
  contentDigest: 'sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae',
  contentLength: 1024,
  signers: [
    {
      verdict: 'valid',
      reasons: [],
      certificate: signer,
      signingTime: '2026-11-29T03:04:58.000Z',
      digestAlgorithm: 'sha256',
      signatureAlgorithm: 'sha256WithRSAEncryption',
      signedAttributes: true,
      path: [
        signer,
        {
          subject: 'CN=yessignCA Class 3,OU=AccreditedCA,O=yessign,C=kr',
          issuer: 'CN=KISA RootCA 4,OU=Korea Certification Authority Central,O=KISA,C=KR',
          serialHex: '0210',
          fingerprintSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
          notBefore: '2020-06-01T00:00:00.000Z',
          notAfter: '2030-06-01T00:00:00.000Z',
        },
      ],
      checks: [
        { check: 'signature', ok: true },
        { check: 'path', ok: true },
        { check: 'validity', ok: true, cert: 0 },
        { check: 'keyUsage', ok: true, cert: 0 },
        { check: 'revocation', ok: true, cert: 0 },
      ],
      revocation: [
        {
          subject: certificateExample.subject,
          serialHex: certificateExample.serialHex,
          status: 'good',
          source: 'ocsp',
          url: 'http://ocsp.yessign.org:4612',
          thisUpdate: '2026-11-29T03:00:00.000Z',
          nextUpdate: '2026-11-29T15:00:00.000Z',
          producedAt: '2026-11-29T03:00:00.000Z',
          cached: true,
          revokedAt: null,
          reason: null,
          unknownReason: null,
          detail: null,
        },
      ],
      policyOid: '1.2.410.200005.1.1.1',
      type: 'personal/general',
    },
  ],
};

export const transferCreatedExample: TransferCreated = { transferId: '7c1e4b2a-9d3f-4e6a-8b5c-1d2e3f4a5b6c', expiresAt: '2026-11-29T03:08:00.000Z' };

export const transferEnvelopeExample: TransferEnvelope = {
  ciphertext: '28TpeiG2vWUcJubXbCGpj7b+X2xEv9HZeneh0kLaLoyZMsX6KNOw4UwbjZcUvrVGeTGNX66kG05rMBQl5ALKLEcUgx0yxX/XmG3p5aSRSH+4B/pNEPMpKv1R',
  salt: 'AwyJy4daidnrhYBMcDNIPA==',
  nonce: '6xcTefmDyOXrsqz6',
};

const details: Partial<Record<ProblemCode, [string, Record<string, unknown>?]>> = {
  MALFORMED_INPUT: ["the request body is not valid: signedData, identity.idn", { errors: [{ field: 'signedData', message: 'must be standard base64 (A-Z a-z 0-9 + /, padded with =)' }, { field: 'identity.idn', message: 'must be a 13-digit resident or 10-digit business registration number (digits, optional hyphens)' }] }],
  PAYLOAD_TOO_LARGE: ['request body exceeds the limit of 262144 bytes'],
  CHALLENGE_EXPIRED: ['the challenge has expired; request a new one'],
  CHALLENGE_UNKNOWN: ['no such challenge, or it was already used; request a new one'],
  SIGNATURE_INVALID: ['the signature does not verify with the signer certificate\'s key', { reason: 'SIGNATURE_INVALID' }],
  CONTENT_MISMATCH: ['the signed content is not this challenge: sign the nonce, or textToSign in UTF-8 or EUC-KR', { reason: 'CONTENT_MISMATCH' }],
  CHAIN_UNTRUSTED: ['the certificate does not chain to a trusted root'],
  CERT_EXPIRED: ['the certificate expired at 2026-01-31T14:59:59Z'],
  CERT_REVOKED: ['the certificate has been revoked', { revokedAt: '2026-10-01T09:12:00.000Z', reason: 'keyCompromise' }],
  REVOCATION_UNKNOWN: ['the revocation status could not be determined; try again later'],
  POLICY_NOT_ACCEPTED: ['certificates of type personal/banking are not accepted here'],
  VID_MISMATCH: ['the identity number does not match the certificate'],
  CERT_ALREADY_REGISTERED: ['this certificate is already registered'],
  CERT_NOT_REGISTERED: ['this certificate is not registered; offer registration'],
  UNAUTHENTICATED: ['the access token has expired', { reason: 'TOKEN_EXPIRED' }],
  NOT_FOUND: ['no such certificate'],
  TRANSFER_NOT_FOUND: ['no transfer is waiting under this code: check the digits, or send again (a transfer is taken once and expires after a few minutes)'],
  TRANSFER_ADDRESS_IN_USE: ['another transfer is waiting under this code; make a new code and send again'],
  RATE_LIMITED: ['too many requests from this address; retry in 42 s', { retryAfter: 42 }],
  SERVICE_UNAVAILABLE: ['a required service did not answer within 5000 ms'],
};

/** A problem+json example for a code, as the gateway would render it. */
export function problemExample(code: ProblemCode, instance = '/v1/sessions'): ProblemDocument {
  const t = problemType(code);
  const [detail, extra] = details[code] ?? [t.title];
  return { type: t.type, title: t.title, status: t.status, detail, code, instance, requestId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', ...extra };
}
