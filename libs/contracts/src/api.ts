/**
 * The services' API, typed once: message patterns with their request schema
 * (the request type is its z.infer) and result type. Everything here is JSON
 * on the wire: binary values are base64 strings, times are ISO-8601 strings.
 * A handler parses its message with the contract's schema (libs/common
 * @Handles / parseMessage); errors travel as WireError (index.ts) with a
 * ProblemCode from libs/common's problem table.
 */
import { z } from 'zod';
import { contract } from './contract';
import * as f from './fields';
import { DOCUMENT_CONTENT_MAX_BYTES, EXPECTED_CONTENT_MAX_BYTES, SIGNER_CERTIFICATE_MAX_BYTES, SIGNER_CERTIFICATES_MAX } from './formats';

// ---------------------------------------------------------------- shared views

/** Who is calling, as the gateway saw it (audit and rate limiting). */
export type ClientInfo = z.infer<typeof f.clientInfo>;

/** The authenticated caller (from a verified access token). */
export type Caller = z.infer<typeof f.caller>;

export type CertificateStatus = 'active' | 'replaced' | 'revoked' | 'deleted' | 'expired';

export interface CertificateView {
  id: string;
  status: CertificateStatus;
  subject: string;
  issuer: string;
  serialHex: string;
  fingerprintSha256: string;
  /** Issuing CA family from the Korean profile (yessign, KICA, ...), null when unknown. */
  ca: string | null;
  /** Certificate type, e.g. "personal/general", null when the policy is not in the table. */
  type: string | null;
  /** Human label of the type (Korean and English). */
  typeLabel: string | null;
  policyOid: string | null;
  notBefore: string;
  notAfter: string;
  /** Whole days from now until notAfter (negative when expired). */
  daysLeft: number;
  registeredAt: string;
  replacedBy: string | null;
  revokedAt: string | null;
  revocationReason: string | null;
  /** Locked as lost (POST /v1/certificates/{id}/lock): refused at login until unlocked. */
  locked: boolean;
  lockedAt: string | null;
  /** Last login (or sign-up) with this certificate; null if never. Only in the certificate list and GET by id. */
  lastUsedAt: string | null;
  /** When the holder's client last reported changing the certificate password (PUT /v1/certificates/{id}/password-changed); null if never. */
  passwordChangedAt: string | null;
}

export interface RemindersSettings {
  enabled: boolean;
  /** Days before notAfter at which an email is sent, e.g. [30, 7, 1]. */
  daysBefore: number[];
}

/** The opt-in reminder to change the certificate password (청약홈: "change it regularly"). */
export interface PasswordReminderSettings {
  /** Off by default. */
  enabled: boolean;
  /** One email per certificate when its password was not reported changed for this many days (default 90). */
  intervalDays: number;
}

export interface AccountView {
  id: string;
  email: string | null;
  locale: string;
  reminders: RemindersSettings;
  passwordReminder: PasswordReminderSettings;
  createdAt: string;
}

export interface SessionTokens {
  tokenType: 'Bearer';
  accessToken: string;
  /** Access-token lifetime in seconds. */
  expiresIn: number;
  refreshToken: string;
  /** Refresh-token lifetime in seconds. */
  refreshExpiresIn: number;
  account: AccountView;
}

/**
 * Identity proof for the VID check (본인확인): never stored. The resident or
 * business registration number (hyphens tolerated) and exactly one of the
 * 20-byte randomNum R from the private key file, or R encrypted to the server
 * KM certificate (GET /v1/server-certificate: CMS EnvelopedData or a vidMsg),
 * both base64.
 */
export type IdentityProof = z.infer<typeof f.identityProof>;

/** The server's key-management certificate (GET /v1/server-certificate). */
export interface ServerCertificateView {
  /** DER, base64. */
  certificate: string;
  subject: string;
  serialHex: string;
  notAfter: string;
  fingerprintSha256: string;
}

// ---------------------------------------------------------------- verifier

/** One revocation check as reported to callers. */
export interface RevocationCheckView {
  /** Subject of the certificate checked. */
  subject: string;
  serialHex: string;
  status: 'good' | 'revoked' | 'unknown';
  source: 'ocsp' | 'crl' | null;
  url: string | null;
  thisUpdate: string | null;
  nextUpdate: string | null;
  producedAt: string | null;
  cached: boolean;
  revokedAt: string | null;
  reason: string | null;
  /** Why the status is unknown (NO_SOURCE, FETCH_FAILED, STALE, ...). */
  unknownReason: string | null;
  detail: string | null;
}

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialHex: string;
  fingerprintSha256: string;
  notBefore: string;
  notAfter: string;
}

/** What the verifier tells the registry about a signer it accepted. */
export interface SignerCertificate extends CertificateSummary {
  /** The certificate, DER in base64. */
  der: string;
  /** RFC 5280 comparison key of the issuer name. */
  issuerKey: string;
  policyOid: string | null;
  ca: string | null;
  type: string | null;
  typeLabel: string | null;
  /** The certificate carries NPKI identifyData (a VID) in its subjectAltName. */
  hasIdentifyData: boolean;
  /** The subject CN without the trailing per-issuance number, for same-person rules. */
  cnBase: string | null;
}

export const verifyChallengeRequest = z.object({
  /** CMS SignedData, base64 (DER or BER). */
  signedData: f.signedData,
  /** The content the signature must cover: the challenge nonce, base64. */
  expectedContent: f.base64(EXPECTED_CONTENT_MAX_BYTES),
  identity: f.identityProof.optional(),
  /** Which flow asks: selects the revocation mode (login/register: hard-fail by default). */
  purpose: z.enum(['register', 'login', 'replace']),
  /** Registered certificates (DER, base64) matching the signer's issuer and serial, for a CMS that carries none (login). */
  signerCertificates: z.array(f.base64(SIGNER_CERTIFICATE_MAX_BYTES)).max(SIGNER_CERTIFICATES_MAX).optional(),
});
export type VerifyChallengeRequest = z.infer<typeof verifyChallengeRequest>;

export interface VerifyChallengeResult {
  certificate: SignerCertificate;
  /** True when an IdentityProof was given and the VID matched. */
  identityVerified: boolean;
  signingTime: string | null;
  revocation: RevocationCheckView[];
}

export const verifyDocumentRequest = z.object({
  /** CMS SignedData, base64. */
  signedData: f.signedData,
  /** Detached content, base64. */
  content: f.base64(DOCUMENT_CONTENT_MAX_BYTES).optional(),
});
export type VerifyDocumentRequest = z.infer<typeof verifyDocumentRequest>;

export type Verdict = 'valid' | 'invalid' | 'indeterminate';

export interface ReportCheck {
  check: string;
  ok: boolean;
  /** Which certificate of the path (0 = signer) or undefined for message-level checks. */
  cert?: number;
  reason?: string;
  detail?: string;
}

export interface SignerReport {
  verdict: Verdict;
  reasons: string[];
  certificate: CertificateSummary | null;
  signingTime: string | null;
  digestAlgorithm: string | null;
  signatureAlgorithm: string | null;
  signedAttributes: boolean;
  /** Signer first, trust anchor last. */
  path: CertificateSummary[];
  checks: ReportCheck[];
  revocation: RevocationCheckView[];
  policyOid: string | null;
  type: string | null;
}

/** The validation report, in the spirit of EU DSS's simple report. */
export interface ValidationReport {
  verdict: Verdict;
  reasons: string[];
  validationTime: string;
  contentType: string | null;
  contentDigest: string | null;
  contentLength: number | null;
  signers: SignerReport[];
}

// ---------------------------------------------------------------- registry

export interface ChallengeView {
  challengeId: string;
  /** ≥ 32 random bytes, base64: the content the client signs. */
  nonce: string;
  /** The same challenge as text, for clients that sign strings: sign it (UTF-8 or EUC-KR) instead of the raw nonce. */
  textToSign: string;
  expiresAt: string;
}

export const createChallengeRequest = z.object({ client: f.clientInfo });
export type CreateChallengeRequest = z.infer<typeof createChallengeRequest>;

export const registerRequest = z.object({
  client: f.clientInfo,
  /** Present when the caller is authenticated: add to this account; absent: sign up. */
  caller: f.caller.optional(),
  challengeId: f.challengeId,
  signedData: f.signedData,
  email: f.email.optional(),
  identity: f.identityProof.optional(),
});
export type RegisterRequest = z.infer<typeof registerRequest>;

export interface RegisterResult {
  certificate: CertificateView;
  /** Sign-up only: the new account and its first session. */
  account?: AccountView;
  session?: SessionTokens;
}

export const loginRequest = z.object({ client: f.clientInfo, challengeId: f.challengeId, signedData: f.signedData });
export type LoginRequest = z.infer<typeof loginRequest>;

export const refreshRequest = z.object({ client: f.clientInfo, refreshToken: z.string().min(1).max(256) });
export type RefreshRequest = z.infer<typeof refreshRequest>;

export const callerRequest = z.object({ client: f.clientInfo, caller: f.caller });
export type CallerRequest = z.infer<typeof callerRequest>;

/** What PATCH /v1/accounts/me changes (each field optional). */
export const accountUpdate = z.object({
  email: f.email.nullable().optional(),
  locale: f.locale.optional(),
  reminders: z
    .object({
      enabled: z.boolean().optional(),
      daysBefore: f.reminderDays.optional(),
    })
    .optional(),
  /** The opt-in reminder to change the certificate password. */
  passwordReminder: z
    .object({
      enabled: z.boolean().optional(),
      /** Days between password changes before a reminder (7–730). */
      intervalDays: z.int().min(7).max(730).optional(),
    })
    .optional(),
});
export type AccountUpdate = z.input<typeof accountUpdate>;

export const updateAccountRequest = callerRequest.extend({
  ...accountUpdate.shape,
  /** Needed to change the email once the account has a second factor (X-TOTP-Code at the gateway). */
  totpCode: f.totpCode.optional(),
});
export type UpdateAccountRequest = z.infer<typeof updateAccountRequest>;

export const certificateRequest = callerRequest.extend({ certificateId: z.uuid() });
export type CertificateRequest = z.infer<typeof certificateRequest>;

/** An action that a second factor guards, when the account has one (X-TOTP-Code header at the gateway). */
export const secondFactorCertificateRequest = certificateRequest.extend({ totpCode: f.totpCode.optional() });
export type SecondFactorCertificateRequest = z.infer<typeof secondFactorCertificateRequest>;

export const replaceRequest = secondFactorCertificateRequest.extend({
  challengeId: f.challengeId,
  signedData: f.signedData,
  identity: f.identityProof.optional(),
});
export type ReplaceRequest = z.infer<typeof replaceRequest>;

export interface ReplaceResult {
  previous: CertificateView;
  certificate: CertificateView;
}

export const totpCodeRequest = callerRequest.extend({ totpCode: f.totpCode.optional() });
export type TotpCodeRequest = z.infer<typeof totpCodeRequest>;

/** The client changed the certificate password (a hint: the password itself never reaches the server). */
export const passwordChangedRequest = certificateRequest.extend({
  /** When, ISO-8601; default now. A time in the future is refused. */
  changedAt: z.iso.datetime({ offset: true }).optional(),
});
export type PasswordChangedRequest = z.infer<typeof passwordChangedRequest>;

/** A started TOTP enrolment: the secret (base32) and its otpauth:// URI for a QR code. */
export interface TotpEnrolment {
  secret: string;
  otpauthUri: string;
}

/** Shown once, at confirmation: ten single-use recovery codes (xxxx-xxxx). */
export interface TotpRecoveryCodes {
  recoveryCodes: string[];
}

/** One of the account's live sessions (GET /v1/sessions). */
export interface SessionView {
  id: string;
  /** The certificate that logged in. */
  certificateId: string;
  /** Login time. */
  createdAt: string;
  /** Last token refresh; null if never refreshed. */
  lastRefreshAt: string | null;
  expiresAt: string;
  /** Client address and user agent recorded at the last login or refresh. */
  ip: string | null;
  userAgent: string | null;
  /** The session of this request. */
  current: boolean;
}


// ---------------------------------------------------------------- device transfer (인증서 복사)

/** The wire format (sizes, code digits) is TRANSFER_FORMAT in formats.ts. AES-256-GCM ciphertext with its 16-byte tag, KDF salt (16 bytes), AES-GCM nonce (12 bytes), base64. */
export type TransferEnvelope = z.infer<typeof f.transferEnvelope>;

export const createTransferRequest = callerRequest.extend({
  /** SHA-256 of the address digits (ASCII), lowercase hex: the server keeps only a keyed hash of it. */
  addressHash: f.transferAddressHash,
  ...f.transferEnvelope.shape,
  /** Needed once the account has a second factor (X-TOTP-Code at the gateway). */
  totpCode: f.totpCode.optional(),
});
export type CreateTransferRequest = z.infer<typeof createTransferRequest>;

export interface TransferCreated {
  transferId: string;
  expiresAt: string;
}

export const claimTransferRequest = z.object({
  client: f.clientInfo,
  /** The first ADDRESS_DIGITS digits of the code. */
  address: f.transferAddress,
});
export type ClaimTransferRequest = z.infer<typeof claimTransferRequest>;

// ---------------------------------------------------------------- notifier

/** An unsubscribe link followed: `confirm` false shows what it would do (GET), true turns reminders off (POST, RFC 8058 one-click). */
export const unsubscribeRequest = z.object({ client: f.clientInfo, token: z.string(), confirm: z.boolean() });
export type UnsubscribeRequest = z.infer<typeof unsubscribeRequest>;

export interface UnsubscribeView {
  /** The address reminders go to, masked (h***@example.com); null when the account has none. */
  emailHint: string | null;
  locale: string;
  /** Expiry reminders (and the notices sent with them). */
  remindersEnabled: boolean;
  /** Present for the password reminder's link: that list, and whether the reminder is (now) on. */
  list?: 'password';
  passwordReminderEnabled?: boolean;
}

/**
 * The one-click deletion link of an unused-certificate notice, forwarded by the
 * gateway: `confirm` false shows what it would delete (GET — changes nothing,
 * mail scanners prefetch links), true deletes (POST; with a second factor
 * enrolled, `totpCode` is needed).
 */
export const deleteLinkRequest = z.object({ client: f.clientInfo, token: z.string().min(1).max(300), confirm: z.boolean(), totpCode: f.totpCode.optional() });
export type DeleteLinkRequest = z.infer<typeof deleteLinkRequest>;

export interface DeleteLinkView {
  certificate: { id: string; subject: string; serialHex: string; notAfter: string; lastUsedAt: string };
  locale: string;
  /** The account has a second factor: deleting needs a current code. */
  totpRequired: boolean;
  /** The account's only active certificate: the link does not delete it (log in to do so). */
  lastCertificate: boolean;
  /** True once this request deleted it. */
  deleted: boolean;
}

// ---------------------------------------------------------------- health

export interface PingResult {
  service: string;
  at: string;
}

/** A ping carries nothing (a bare probe may send no payload at all). */
export const pingRequest = z.object({}).optional();

// ---------------------------------------------------------------- the message contracts

/** Every message a service handles: its pattern, its one request schema, its result type. */
export const Api = {
  verifier: {
    ping: contract<z.infer<typeof pingRequest>, PingResult>('verifier.ping', pingRequest),
    verifyChallenge: contract<VerifyChallengeRequest, VerifyChallengeResult>('verifier.verify-challenge', verifyChallengeRequest),
    verifyDocument: contract<VerifyDocumentRequest, ValidationReport>('verifier.verify-document', verifyDocumentRequest),
  },
  registry: {
    ping: contract<z.infer<typeof pingRequest>, PingResult>('registry.ping', pingRequest),
    createChallenge: contract<CreateChallengeRequest, ChallengeView>('registry.create-challenge', createChallengeRequest),
    register: contract<RegisterRequest, RegisterResult>('registry.register', registerRequest),
    login: contract<LoginRequest, SessionTokens>('registry.login', loginRequest),
    refresh: contract<RefreshRequest, SessionTokens>('registry.refresh', refreshRequest),
    logout: contract<CallerRequest, { ok: true }>('registry.logout', callerRequest),
    getAccount: contract<CallerRequest, AccountView>('registry.get-account', callerRequest),
    updateAccount: contract<UpdateAccountRequest, AccountView>('registry.update-account', updateAccountRequest),
    listCertificates: contract<CallerRequest, CertificateView[]>('registry.list-certificates', callerRequest),
    getCertificate: contract<CertificateRequest, CertificateView>('registry.get-certificate', certificateRequest),
    replaceCertificate: contract<ReplaceRequest, ReplaceResult>('registry.replace-certificate', replaceRequest),
    deleteCertificate: contract<SecondFactorCertificateRequest, { ok: true }>('registry.delete-certificate', secondFactorCertificateRequest),
    lockCertificate: contract<CertificateRequest, CertificateView>('registry.lock-certificate', certificateRequest),
    unlockCertificate: contract<SecondFactorCertificateRequest, CertificateView>('registry.unlock-certificate', secondFactorCertificateRequest),
    reportPasswordChanged: contract<PasswordChangedRequest, CertificateView>('registry.password-changed', passwordChangedRequest),
    enrolTotp: contract<CallerRequest, TotpEnrolment>('registry.totp-enrol', callerRequest),
    confirmTotp: contract<TotpCodeRequest, TotpRecoveryCodes>('registry.totp-confirm', totpCodeRequest),
    disableTotp: contract<TotpCodeRequest, { ok: true }>('registry.totp-disable', totpCodeRequest),
    listSessions: contract<CallerRequest, SessionView[]>('registry.list-sessions', callerRequest),
    endAllSessions: contract<CallerRequest, { ended: number }>('registry.end-all-sessions', callerRequest),
    createTransfer: contract<CreateTransferRequest, TransferCreated>('registry.create-transfer', createTransferRequest),
    claimTransfer: contract<ClaimTransferRequest, TransferEnvelope>('registry.claim-transfer', claimTransferRequest),
    /** The caller's live transfer (is it still waiting?), TRANSFER_NOT_FOUND once claimed, expired or cancelled. */
    currentTransfer: contract<CallerRequest, TransferCreated>('registry.current-transfer', callerRequest),
    cancelTransfer: contract<CallerRequest, { ok: true }>('registry.cancel-transfer', callerRequest),
    /** The unused-certificate notice's deletion link (no session: the signed link is the authority). */
    deleteByLink: contract<DeleteLinkRequest, DeleteLinkView>('registry.delete-by-link', deleteLinkRequest),
  },
  notifier: {
    ping: contract<z.infer<typeof pingRequest>, PingResult>('notifier.ping', pingRequest),
    unsubscribe: contract<UnsubscribeRequest, UnsubscribeView>('notifier.unsubscribe', unsubscribeRequest),
  },
} as const;
