/**
 * The typed REST client of the gateway. Every operation is listed in
 * API_OPERATIONS (checked against the gateway's /docs-json by a test); the
 * views are libs/contracts' types. A non-2xx answer throws an ApiError with
 * the problem's stable `code`; a network failure throws ClientError NETWORK.
 * Tokens are kept in memory only, on this object.
 */
import type {
  AccountUpdate,
  AccountView,
  ServerCertificateView,
  SessionView,
  TotpEnrolment,
  TotpRecoveryCodes,
  CertificateView,
  ChallengeView,
  IdentityProof,
  RegisterResult,
  ReplaceResult,
  SessionTokens,
  TransferCreated,
  TransferEnvelope,
  ValidationReport,
} from '@jointcert/contracts';
import { toBase64 } from './bytes';
import { ApiError, ClientError, type Problem } from './errors';
import type { NpkiSigner } from './npki';

export type { ServerCertificateView, SessionView, TotpEnrolment, TotpRecoveryCodes };
export type { AccountUpdate, AccountView, CertificateView, ChallengeView, IdentityProof, RegisterResult, ReplaceResult, SessionTokens, ValidationReport };

export const API_OPERATIONS = {
  challenge: { method: 'POST', path: '/v1/challenges' },
  register: { method: 'POST', path: '/v1/certificates' },
  login: { method: 'POST', path: '/v1/sessions' },
  refresh: { method: 'POST', path: '/v1/sessions/refresh' },
  logout: { method: 'DELETE', path: '/v1/sessions/current' },
  account: { method: 'GET', path: '/v1/accounts/me' },
  updateAccount: { method: 'PATCH', path: '/v1/accounts/me' },
  listCertificates: { method: 'GET', path: '/v1/certificates' },
  getCertificate: { method: 'GET', path: '/v1/certificates/{id}' },
  replaceCertificate: { method: 'POST', path: '/v1/certificates/{id}/replace' },
  deleteCertificate: { method: 'DELETE', path: '/v1/certificates/{id}' },
  verifyDocument: { method: 'POST', path: '/v1/signatures/verify' },
  lockCertificate: { method: 'POST', path: '/v1/certificates/{id}/lock' },
  unlockCertificate: { method: 'POST', path: '/v1/certificates/{id}/unlock' },
  reportPasswordChanged: { method: 'PUT', path: '/v1/certificates/{id}/password-changed' },
  listSessions: { method: 'GET', path: '/v1/sessions' },
  endAllSessions: { method: 'DELETE', path: '/v1/sessions' },
  enrolTotp: { method: 'POST', path: '/v1/accounts/me/totp' },
  confirmTotp: { method: 'POST', path: '/v1/accounts/me/totp/confirm' },
  disableTotp: { method: 'DELETE', path: '/v1/accounts/me/totp' },
  serverCertificate: { method: 'GET', path: '/v1/server-certificate' },
  createTransfer: { method: 'POST', path: '/v1/transfers' },
  claimTransfer: { method: 'POST', path: '/v1/transfers/claim' },
  currentTransfer: { method: 'GET', path: '/v1/transfers/current' },
  cancelTransfer: { method: 'DELETE', path: '/v1/transfers/current' },
} as const satisfies Record<string, { method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH'; path: string }>;

export type ApiOperation = keyof typeof API_OPERATIONS;

export interface SignedChallenge {
  challengeId: string;
  signedData: string;
}

export interface JointcertApiOptions {
  /** The gateway's base URL, e.g. https://auth.example.kr (no trailing /v1). */
  baseUrl: string;
  /** fetch to use (default globalThis.fetch). */
  fetch?: typeof fetch;
  /** Tokens from an earlier session. */
  tokens?: SessionTokens;
}

export class JointcertApi {
  readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;
  /** The current session's tokens (set by signUp, logIn, refresh; cleared by logOut). */
  tokens: SessionTokens | undefined;

  constructor(opts: JointcertApiOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.fetchFn = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.tokens = opts.tokens;
  }

  private async call<T>(op: ApiOperation, opts: { id?: string; body?: unknown; auth?: 'required' | 'optional'; totpCode?: string } = {}): Promise<T> {
    const { method, path } = API_OPERATIONS[op];
    const url = this.baseUrl + path.replace('{id}', encodeURIComponent(opts.id ?? ''));
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    // a fresh second-factor code, for the actions an enrolled account guards (TOTP_REQUIRED otherwise)
    if (opts.totpCode !== undefined) headers['x-totp-code'] = opts.totpCode;
    if (opts.auth !== undefined && this.tokens) headers.authorization = `Bearer ${this.tokens.accessToken}`;
    else if (opts.auth === 'required') throw new ClientError('INVALID_ARGUMENT', `${op} needs a session: log in first`);
    let res: Response;
    try {
      res = await this.fetchFn(url, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
    } catch (e) {
      throw new ClientError('NETWORK', `cannot reach ${this.baseUrl}: ${(e as Error).message}`);
    }
    const text = await res.text();
    let json: unknown = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        throw new ClientError('NETWORK', `${method} ${path} answered ${res.status} with a body that is not JSON`, { status: res.status });
      }
    }
    if (!res.ok) {
      const p = (json ?? {}) as Partial<Problem>;
      throw new ApiError({ ...p, type: p.type ?? 'about:blank', title: p.title ?? res.statusText, status: res.status, code: p.code ?? `HTTP_${res.status}` });
    }
    return json as T;
  }

  // ------------------------------------------------------------- raw operations

  challenge(): Promise<ChallengeView> {
    return this.call('challenge');
  }

  /** Sign up (no session) or add a certificate to the logged-in account. */
  async register(body: SignedChallenge & { email?: string; identity?: IdentityProof }): Promise<RegisterResult> {
    const r = await this.call<RegisterResult>('register', { body, auth: 'optional' });
    if (r.session) this.tokens = r.session;
    return r;
  }

  async login(body: SignedChallenge): Promise<SessionTokens> {
    this.tokens = await this.call<SessionTokens>('login', { body });
    return this.tokens;
  }

  async refresh(refreshToken: string | undefined = this.tokens?.refreshToken): Promise<SessionTokens> {
    if (!refreshToken) throw new ClientError('INVALID_ARGUMENT', 'no refresh token');
    this.tokens = await this.call<SessionTokens>('refresh', { body: { refreshToken } });
    return this.tokens;
  }

  async logout(): Promise<void> {
    await this.call('logout', { auth: 'required' });
    this.tokens = undefined;
  }

  account(): Promise<AccountView> {
    return this.call('account', { auth: 'required' });
  }

  /** Change the email, locale or reminders; changing the email needs `totpCode` once the account has a second factor. */
  updateAccount(body: AccountUpdate, totpCode?: string): Promise<AccountView> {
    return this.call('updateAccount', { body, auth: 'required', ...(totpCode !== undefined ? { totpCode } : {}) });
  }

  listCertificates(): Promise<CertificateView[]> {
    return this.call('listCertificates', { auth: 'required' });
  }

  getCertificate(id: string): Promise<CertificateView> {
    return this.call('getCertificate', { id, auth: 'required' });
  }

  replaceCertificate(id: string, body: SignedChallenge & { identity?: IdentityProof }, totpCode?: string): Promise<ReplaceResult> {
    return this.call('replaceCertificate', { id, body, auth: 'required', ...(totpCode !== undefined ? { totpCode } : {}) });
  }

  async deleteCertificate(id: string, totpCode?: string): Promise<void> {
    await this.call('deleteCertificate', { id, auth: 'required', ...(totpCode !== undefined ? { totpCode } : {}) });
  }

  /** A lost certificate: blocked for login at once, its sessions ended. */
  lockCertificate(id: string): Promise<CertificateView> {
    return this.call('lockCertificate', { id, auth: 'required' });
  }

  /** Needs a fresh second-factor code, or a session opened by another certificate of the account. */
  unlockCertificate(id: string, totpCode?: string): Promise<CertificateView> {
    return this.call('unlockCertificate', { id, auth: 'required', ...(totpCode !== undefined ? { totpCode } : {}) });
  }

  /** The certificate password was changed on this device (changeKeyPassword): only the time is sent, for the opt-in password reminder. */
  reportPasswordChanged(id: string, changedAt?: Date): Promise<CertificateView> {
    return this.call('reportPasswordChanged', { id, body: changedAt ? { changedAt: changedAt.toISOString() } : {}, auth: 'required' });
  }

  listSessions(): Promise<SessionView[]> {
    return this.call('listSessions', { auth: 'required' });
  }

  /** Ends every session of the account, this one included. */
  async endAllSessions(): Promise<{ ended: number }> {
    const ended = await this.call<{ ended: number }>('endAllSessions', { auth: 'required' });
    this.tokens = undefined;
    return ended;
  }

  /** TOTP enrolment: the secret and its otpauth:// URI (for a QR code); confirmTotp with a first code turns it on. */
  enrolTotp(): Promise<TotpEnrolment> {
    return this.call('enrolTotp', { auth: 'required' });
  }

  confirmTotp(code: string): Promise<TotpRecoveryCodes> {
    return this.call('confirmTotp', { body: { code }, auth: 'required' });
  }

  async disableTotp(totpCode: string): Promise<void> {
    await this.call('disableTotp', { auth: 'required', totpCode });
  }

  /** The site's key-management certificate, for clients that encrypt the VID random value to it (404 NOT_FOUND when none). */
  serverCertificate(): Promise<ServerCertificateView> {
    return this.call('serverCertificate');
  }

  /** Verify a signed document (CMS, DER bytes or base64); `content` for a detached signature. */
  verifyDocument(signedData: Uint8Array | string, content?: Uint8Array): Promise<ValidationReport> {
    const body = { signedData: typeof signedData === 'string' ? signedData : toBase64(signedData), ...(content ? { content: toBase64(content) } : {}) };
    return this.call('verifyDocument', { body, auth: 'required' });
  }

  /** Device transfer (the sealing and opening are in ./transfer): leave a sealed bundle under an address hash. */
  /** `totpCode`: needed once the account has a second factor (X-TOTP-Code). */
  createTransfer(body: { addressHash: string } & TransferEnvelope, totpCode?: string): Promise<TransferCreated> {
    return this.call('createTransfer', { body, auth: 'required', ...(totpCode !== undefined ? { totpCode } : {}) });
  }

  /** Take the sealed bundle at `address`, once; no session needed. */
  claimTransfer(address: string): Promise<TransferEnvelope> {
    return this.call('claimTransfer', { body: { address } });
  }

  currentTransfer(): Promise<TransferCreated> {
    return this.call('currentTransfer', { auth: 'required' });
  }

  async cancelTransfer(): Promise<void> {
    await this.call('cancelTransfer', { auth: 'required' });
  }

  // ------------------------------------------------------------- flows with a signer

  private async signed(signer: NpkiSigner): Promise<SignedChallenge> {
    const c = await this.challenge();
    return { challengeId: c.challengeId, signedData: await signer.signChallenge(c) };
  }

  /** Sign up with this certificate (or add it to the logged-in account); `idn` adds the VID identity check. */
  async signUp(signer: NpkiSigner, opts: { email?: string; idn?: string } = {}): Promise<RegisterResult> {
    return this.register({ ...(await this.signed(signer)), ...(opts.email ? { email: opts.email } : {}), ...(opts.idn ? { identity: signer.identity(opts.idn) } : {}) });
  }

  async logIn(signer: NpkiSigner): Promise<SessionTokens> {
    return this.login(await this.signed(signer));
  }

  /** Replace certificate `id` with the signer's (its successor). */
  async replaceWith(id: string, signer: NpkiSigner, opts: { idn?: string } = {}): Promise<ReplaceResult> {
    return this.replaceCertificate(id, { ...(await this.signed(signer)), ...(opts.idn ? { identity: signer.identity(opts.idn) } : {}) });
  }
}
