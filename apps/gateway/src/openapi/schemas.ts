import { z } from 'zod';
import type {
  AccountView,
  CertificateView,
  ChallengeView,
  DeleteLinkView,
  SessionView,
  RegisterResult,
  ServerCertificateView,
  ReplaceResult,
  SessionTokens,
  TransferCreated,
  TransferEnvelope,
  ValidationReport,
} from '@jointcert/contracts';
import { PROBLEM_TYPES, type ProblemCode } from '@jointcert/common';
import {
  claimTransferBody,
  createTransferBody,
  passwordChangedBody,
  refreshBody,
  registerBody,
  replaceBody,
  signedChallengeBody,
  updateAccountBody,
  verifyDocumentBody,
} from '../validation/request.schemas';
import * as ex from './examples';
import { endedSessionsView, sessionView, totpConfirmBody, totpEnrolmentView, totpRecoveryCodesView } from '../security/second-factor.schemas';

/**
 * Every schema of the OpenAPI document, as zod: the request bodies are the
 * very schemas the gateway validates with; the response views mirror the
 * contract types of libs/contracts, and a compile-time check below fails when
 * a view and its contract type disagree. `z.toJSONSchema` renders them all.
 */

const iso = z.iso.datetime({ offset: true }).meta({ description: 'ISO-8601 time' });
const nullableString = z.string().nullable();

const account = z
  .object({
    id: z.uuid(),
    email: z.email().nullable(),
    locale: z.string(),
    reminders: z.object({ enabled: z.boolean(), daysBefore: z.array(z.int()) }),
    passwordReminder: z
      .object({ enabled: z.boolean(), intervalDays: z.int() })
      .meta({ description: 'Opt-in reminder to change the certificate password (off by default; 90 days unless changed)' }),
    createdAt: iso,
  })
  .meta({ description: 'An account', example: ex.accountExample });

const certificate = z
  .object({
    id: z.uuid(),
    status: z.enum(['active', 'replaced', 'revoked', 'deleted', 'expired']),
    subject: z.string(),
    issuer: z.string(),
    serialHex: z.string(),
    fingerprintSha256: z.string().regex(/^[0-9a-f]{64}$/),
    ca: nullableString.meta({ description: 'Issuing CA family (yessign, KICA, ...), null when unknown' }),
    type: nullableString.meta({ description: 'Certificate type, e.g. personal/general' }),
    typeLabel: nullableString,
    policyOid: nullableString,
    notBefore: iso,
    notAfter: iso,
    daysLeft: z.int().meta({ description: 'Whole days until notAfter (negative when expired)' }),
    registeredAt: iso,
    replacedBy: z.uuid().nullable(),
    revokedAt: iso.nullable(),
    revocationReason: nullableString,
    locked: z.boolean().meta({ description: 'Locked as lost: refused at login until unlocked' }),
    lockedAt: iso.nullable(),
    lastUsedAt: iso.nullable().meta({ description: 'Last login (or sign-up) with this certificate; null if never' }),
    passwordChangedAt: iso.nullable().meta({ description: "When the holder's client last reported changing the certificate password; null if never" }),
  })
  .meta({ description: 'A registered certificate', example: ex.certificateExample });

const challenge = z
  .object({
    challengeId: z.string(),
    nonce: z.string().meta({ description: '≥ 32 random bytes, base64: the content to sign' }),
    textToSign: z.string().meta({
      description:
        'The same challenge as text, for clients that sign strings: "[<site>] 공동인증서 로그인 (certificate login)\\nnonce=<nonce>". Sign exactly the raw nonce bytes, or this text in UTF-8 or EUC-KR, or (when the site configures one) its vendor template; nothing else is accepted.',
    }),
    expiresAt: iso,
  })
  .meta({ description: 'A single-use login/registration challenge', example: ex.challengeExample });

const serverCertificate = z
  .object({
    certificate: z.string().meta({ description: 'The KM certificate, DER in base64' }),
    subject: z.string(),
    serialHex: z.string(),
    notAfter: iso,
    fingerprintSha256: z.string(),
  })
  .meta({ description: 'The server key-management certificate (identity.encryptedRandom is encrypted to it)' });

const session = z
  .object({
    tokenType: z.literal('Bearer'),
    accessToken: z.string(),
    expiresIn: z.int().meta({ description: 'Access-token lifetime in seconds' }),
    refreshToken: z.string(),
    refreshExpiresIn: z.int().meta({ description: 'Refresh-token lifetime in seconds' }),
    account,
  })
  .meta({ description: 'A session: access token and rotating refresh token', example: ex.sessionExample });

const registerResult = z
  .object({
    certificate,
    account: account.optional().meta({ description: 'Sign-up only' }),
    session: session.optional().meta({ description: 'Sign-up only' }),
  })
  .meta({ description: 'The registered certificate; on sign-up also the new account and its first session', example: ex.signUpExample });

const replaceResult = z.object({ previous: certificate, certificate }).meta({ description: 'The replaced certificate and its successor', example: ex.replaceExample });

const summary = z.object({ subject: z.string(), issuer: z.string(), serialHex: z.string(), fingerprintSha256: z.string(), notBefore: iso, notAfter: iso });

const revocationCheck = z.object({
  subject: z.string(),
  serialHex: z.string(),
  status: z.enum(['good', 'revoked', 'unknown']),
  source: z.enum(['ocsp', 'crl']).nullable(),
  url: nullableString,
  thisUpdate: iso.nullable(),
  nextUpdate: iso.nullable(),
  producedAt: iso.nullable(),
  cached: z.boolean(),
  revokedAt: iso.nullable(),
  reason: nullableString,
  unknownReason: nullableString,
  detail: nullableString,
});

const verdict = z.enum(['valid', 'invalid', 'indeterminate']);

const signerReport = z.object({
  verdict,
  reasons: z.array(z.string()),
  certificate: summary.nullable(),
  signingTime: iso.nullable(),
  digestAlgorithm: nullableString,
  signatureAlgorithm: nullableString,
  signedAttributes: z.boolean(),
  path: z.array(summary).meta({ description: 'Signer first, trust anchor last' }),
  checks: z.array(z.object({ check: z.string(), ok: z.boolean(), cert: z.int().optional(), reason: z.string().optional(), detail: z.string().optional() })),
  revocation: z.array(revocationCheck),
  policyOid: nullableString,
  type: nullableString,
});

const report = z
  .object({
    verdict,
    reasons: z.array(z.string()),
    validationTime: iso,
    contentType: nullableString,
    contentDigest: nullableString,
    contentLength: z.int().nullable(),
    signers: z.array(signerReport),
  })
  .meta({ description: 'The validation report (in the spirit of EU DSS simple report); returned with 200 whatever the verdict', example: ex.reportExample });

const problem = z
  .object({
    type: z.url(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    code: z.enum(Object.keys(PROBLEM_TYPES) as [ProblemCode, ...ProblemCode[]]),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errorId: z.string().optional().meta({ description: 'Only on 500: quote it when reporting' }),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional().meta({ description: 'MALFORMED_INPUT: every bad field' }),
    retryAfter: z.int().optional().meta({ description: 'RATE_LIMITED: seconds to wait (also the Retry-After header)' }),
  })
  .catchall(z.unknown())
  .meta({ description: 'RFC 9457 problem details with a stable code', example: ex.problemExample('CERT_NOT_REGISTERED') });

const transferCreated = z
  .object({ transferId: z.uuid(), expiresAt: iso.meta({ description: 'After this the transfer is gone (TRANSFER_TTL_S, default 180 s)' }) })
  .meta({ description: 'A transfer waiting for its one claim', example: ex.transferCreatedExample });

const transferEnvelope = z
  .object({
    ciphertext: z.string().meta({ description: 'AES-256-GCM ciphertext and tag, base64' }),
    salt: z.string().meta({ description: 'scrypt salt, base64' }),
    nonce: z.string().meta({ description: 'AES-GCM nonce, base64' }),
  })
  .meta({ description: 'The sealed bundle, and nothing about the sender', example: ex.transferEnvelopeExample });

const deleteLinkView = z
  .object({
    certificate: z.object({ id: z.uuid(), subject: z.string(), serialHex: z.string(), notAfter: iso, lastUsedAt: iso }),
    locale: z.string(),
    totpRequired: z.boolean().meta({ description: 'The account has a second factor: POST needs a code' }),
    lastCertificate: z.boolean().meta({ description: "The account's only active certificate: not deleted by link (log in)" }),
    deleted: z.boolean(),
  })
  .meta({ description: 'What a deletion link of an unused-certificate notice deletes, and whether it did' });

const checkStatus = z.enum(['up', 'down']);

/** Schema name → zod schema, in the order the document lists them. */
export const SCHEMAS = {
  RegisterRequest: registerBody,
  SignedChallengeRequest: signedChallengeBody,
  ReplaceRequest: replaceBody,
  RefreshRequest: refreshBody,
  UpdateAccountRequest: updateAccountBody,
  PasswordChangedRequest: passwordChangedBody,
  VerifyDocumentRequest: verifyDocumentBody,
  CreateTransferRequest: createTransferBody,
  ClaimTransferRequest: claimTransferBody,
  ChallengeView: challenge,
  ServerCertificateView: serverCertificate,
  AccountView: account,
  CertificateView: certificate,
  CertificateList: z.array(certificate),
  SessionTokens: session,
  RegisterResult: registerResult,
  ReplaceResult: replaceResult,
  ValidationReport: report,
  TransferCreated: transferCreated,
  TransferEnvelope: transferEnvelope,
  Problem: problem,
  Liveness: z.object({ status: z.literal('ok') }),
  UnsubscribeView: z
    .object({
      emailHint: z.string().nullable(),
      locale: z.string(),
      remindersEnabled: z.boolean().meta({ description: 'Expiry reminders (and the notices sent with them)' }),
      list: z.literal('password').optional().meta({ description: "Present for the password reminder's link" }),
      passwordReminderEnabled: z.boolean().optional(),
    })
    .meta({ description: 'What an unsubscribe link is for (masked address) and whether reminders are on', example: { emailHint: 'h***@example.kr', locale: 'ko', remindersEnabled: false } }),
  DeleteLinkView: deleteLinkView,
  Readiness: z.object({ status: z.literal('ready'), checks: z.object({ redis: checkStatus, registry: checkStatus, verifier: checkStatus }) }),
  TotpConfirmRequest: totpConfirmBody,
  TotpEnrolment: totpEnrolmentView,
  TotpRecoveryCodes: totpRecoveryCodesView,
  SessionList: z.array(sessionView),
  EndedSessions: endedSessionsView,
} as const;

export type SchemaName = keyof typeof SCHEMAS;

// ---- the views must describe exactly the contract types
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
function agree<_T extends true>(): void {}
agree<Same<z.infer<typeof account>, AccountView>>();
agree<Same<z.infer<typeof certificate>, CertificateView>>();
agree<Same<z.infer<typeof challenge>, ChallengeView>>();
agree<Same<z.infer<typeof serverCertificate>, ServerCertificateView>>();
agree<Same<z.infer<typeof session>, SessionTokens>>();
agree<Same<z.infer<typeof registerResult>, RegisterResult>>();
agree<Same<z.infer<typeof replaceResult>, ReplaceResult>>();
agree<Same<z.infer<typeof report>, ValidationReport>>();
agree<Same<z.infer<typeof sessionView>, SessionView>>();
agree<Same<z.infer<typeof transferCreated>, TransferCreated>>();
agree<Same<z.infer<typeof transferEnvelope>, TransferEnvelope>>();
agree<Same<z.infer<typeof deleteLinkView>, DeleteLinkView>>();

/** `components.schemas` of the document, with cross-references as $ref. */
export function componentSchemas(): Record<string, Record<string, unknown>> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(SCHEMAS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { target: 'draft-2020-12', io: 'input', uri: (id) => `#/components/schemas/${id}`, unrepresentable: 'any' });
  const out: Record<string, Record<string, unknown>> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $id: _id, $schema: _schema, ...rest } = schema as Record<string, unknown>;
    out[id] = rest;
  }
  return out;
}
