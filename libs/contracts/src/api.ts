/**
 * The services' API, typed once: message patterns with their request and
 * result types. Everything here is JSON on the wire: binary values are base64
 * strings, times are ISO-8601 strings. Errors travel as WireError (index.ts)
 * with a ProblemCode from libs/common's problem table.
 */
import { contract } from './contract';

// ---------------------------------------------------------------- shared views

/** Who is calling, as the gateway saw it (audit and rate limiting). */
export interface ClientInfo {
  ip: string;
  userAgent?: string;
}

/** The authenticated caller (from a verified access token). */
export interface Caller {
  accountId: string;
  sessionId: string;
}

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

/** Identity proof for the VID check (본인확인): never stored. Exactly one of randomNum and encryptedRandom. */
export interface IdentityProof {
  /** Resident or business registration number, digits (hyphens tolerated). */
  idn: string;
  /** The 20-byte randomNum R from the private key file, base64. */
  randomNum?: string;
  /** R encrypted to the server KM certificate (GET /v1/server-certificate): CMS EnvelopedData or a vidMsg, base64. */
  encryptedRandom?: string;
}

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

export interface VerifyChallengeRequest {
  /** CMS SignedData, base64 (DER or BER). */
  signedData: string;
  /** The content the signature must cover: the challenge nonce, base64. */
  expectedContent: string;
  identity?: IdentityProof;
  /** Which flow asks: selects the revocation mode (login/register: hard-fail by default). */
  purpose: 'register' | 'login' | 'replace';
  /** Registered certificates (DER, base64) matching the signer's issuer and serial, for a CMS that carries none (login). */
  signerCertificates?: string[];
}

export interface VerifyChallengeResult {
  certificate: SignerCertificate;
  /** True when an IdentityProof was given and the VID matched. */
  identityVerified: boolean;
  signingTime: string | null;
  revocation: RevocationCheckView[];
}

export interface VerifyDocumentRequest {
  /** CMS SignedData, base64. */
  signedData: string;
  /** Detached content, base64. */
  content?: string;
}

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

export interface RegisterRequest {
  client: ClientInfo;
  /** Present when the caller is authenticated: add to this account; absent: sign up. */
  caller?: Caller;
  challengeId: string;
  signedData: string;
  email?: string;
  identity?: IdentityProof;
}

export interface RegisterResult {
  certificate: CertificateView;
  /** Sign-up only: the new account and its first session. */
  account?: AccountView;
  session?: SessionTokens;
}

export interface LoginRequest {
  client: ClientInfo;
  challengeId: string;
  signedData: string;
}

export interface RefreshRequest {
  client: ClientInfo;
  refreshToken: string;
}

export interface CallerRequest {
  client: ClientInfo;
  caller: Caller;
}

/** What PATCH /v1/accounts/me changes (each field optional). */
export interface AccountUpdate {
  email?: string | null;
  locale?: string;
  reminders?: Partial<RemindersSettings>;
  passwordReminder?: Partial<PasswordReminderSettings>;
}

export interface UpdateAccountRequest extends CallerRequest, AccountUpdate {
  /** Needed to change the email once the account has a second factor (X-TOTP-Code at the gateway). */
  totpCode?: string;
}

export interface CertificateRequest extends CallerRequest {
  certificateId: string;
}

export interface ReplaceRequest extends CertificateRequest {
  challengeId: string;
  signedData: string;
  identity?: IdentityProof;
}

export interface ReplaceResult {
  previous: CertificateView;
  certificate: CertificateView;
}

/** The client changed the certificate password (a hint: the password itself never reaches the server). */
export interface PasswordChangedRequest extends CertificateRequest {
  /** When, ISO-8601; default now. A time in the future is refused. */
  changedAt?: string;
}

/** An action that a second factor guards, when the account has one (X-TOTP-Code header at the gateway). */
export interface SecondFactorCertificateRequest extends CertificateRequest {
  totpCode?: string;
}

export interface TotpCodeRequest extends CallerRequest {
  totpCode?: string;
}

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

/** Access-token check for the gateway: is the session behind a token still live? */
export interface SessionCheckRequest {
  sessionId: string;
}

// ---------------------------------------------------------------- device transfer (인증서 복사)

/**
 * The wire format of a device transfer, shared by the gateway, the registry
 * and the client halves (libs/client/src/transfer). The code is 16 digits:
 * the first ADDRESS_DIGITS address the transfer, the rest never leave the
 * devices. Binary fields are standard base64.
 */
export const TRANSFER_FORMAT = {
  CODE_DIGITS: 16,
  ADDRESS_DIGITS: 8,
  /** scrypt salt, chosen by the sender for each transfer. */
  SALT_BYTES: 16,
  /** AES-256-GCM nonce (IV). */
  NONCE_BYTES: 12,
  /** Largest ciphertext the relay accepts (an NPKI pair or a PFX is a few KiB). */
  CIPHERTEXT_MAX_BYTES: 64 * 1024,
} as const;

export interface TransferEnvelope {
  /** AES-256-GCM ciphertext with its 16-byte tag, base64. */
  ciphertext: string;
  /** KDF salt, base64 (16 bytes). */
  salt: string;
  /** AES-GCM nonce, base64 (12 bytes). */
  nonce: string;
}

export interface CreateTransferRequest extends CallerRequest, TransferEnvelope {
  /** SHA-256 of the address digits (ASCII), lowercase hex: the server keeps only a keyed hash of it. */
  addressHash: string;
  /** Needed once the account has a second factor (X-TOTP-Code at the gateway). */
  totpCode?: string;
}

export interface TransferCreated {
  transferId: string;
  expiresAt: string;
}

export interface ClaimTransferRequest {
  client: ClientInfo;
  /** The first ADDRESS_DIGITS digits of the code. */
  address: string;
}

// ---------------------------------------------------------------- patterns

export const Api = {
  verifier: {
    verifyChallenge: contract<VerifyChallengeRequest, VerifyChallengeResult>('verifier.verify-challenge'),
    verifyDocument: contract<VerifyDocumentRequest, ValidationReport>('verifier.verify-document'),
  },
  registry: {
    createChallenge: contract<{ client: ClientInfo }, ChallengeView>('registry.create-challenge'),
    register: contract<RegisterRequest, RegisterResult>('registry.register'),
    login: contract<LoginRequest, SessionTokens>('registry.login'),
    refresh: contract<RefreshRequest, SessionTokens>('registry.refresh'),
    logout: contract<CallerRequest, { ok: true }>('registry.logout'),
    getAccount: contract<CallerRequest, AccountView>('registry.get-account'),
    updateAccount: contract<UpdateAccountRequest, AccountView>('registry.update-account'),
    listCertificates: contract<CallerRequest, CertificateView[]>('registry.list-certificates'),
    getCertificate: contract<CertificateRequest, CertificateView>('registry.get-certificate'),
    replaceCertificate: contract<ReplaceRequest, ReplaceResult>('registry.replace-certificate'),
    deleteCertificate: contract<CertificateRequest, { ok: true }>('registry.delete-certificate'),
    lockCertificate: contract<CertificateRequest, CertificateView>('registry.lock-certificate'),
    unlockCertificate: contract<SecondFactorCertificateRequest, CertificateView>('registry.unlock-certificate'),
    reportPasswordChanged: contract<PasswordChangedRequest, CertificateView>('registry.password-changed'),
    enrolTotp: contract<CallerRequest, TotpEnrolment>('registry.totp-enrol'),
    confirmTotp: contract<TotpCodeRequest, TotpRecoveryCodes>('registry.totp-confirm'),
    disableTotp: contract<TotpCodeRequest, { ok: true }>('registry.totp-disable'),
    listSessions: contract<CallerRequest, SessionView[]>('registry.list-sessions'),
    endAllSessions: contract<CallerRequest, { ended: number }>('registry.end-all-sessions'),
    createTransfer: contract<CreateTransferRequest, TransferCreated>('registry.create-transfer'),
    claimTransfer: contract<ClaimTransferRequest, TransferEnvelope>('registry.claim-transfer'),
    /** The caller's live transfer (is it still waiting?), TRANSFER_NOT_FOUND once claimed, expired or cancelled. */
    currentTransfer: contract<CallerRequest, TransferCreated>('registry.current-transfer'),
    cancelTransfer: contract<CallerRequest, { ok: true }>('registry.cancel-transfer'),
    /** The unused-certificate notice's deletion link (no session: the signed link is the authority). */
    deleteByLink: contract<DeleteLinkRequest, DeleteLinkView>('registry.delete-by-link'),
  },
} as const;

// ---------------------------------------------------------------- notifier

/** An unsubscribe link followed: `confirm` false shows what it would do (GET), true turns reminders off (POST, RFC 8058 one-click). */
export interface UnsubscribeRequest {
  client: ClientInfo;
  token: string;
  confirm: boolean;
}

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
export interface DeleteLinkRequest {
  client: ClientInfo;
  token: string;
  confirm: boolean;
  totpCode?: string;
}

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

export const NotifierApi = {
  unsubscribe: contract<UnsubscribeRequest, UnsubscribeView>('notifier.unsubscribe'),
} as const;
