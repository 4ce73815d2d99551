import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DomainError, CONFIG, CLOCK, type AppConfig, type Clock } from '@jointcert/common';
import type { CallerRequest, ClientInfo, TotpCodeRequest, TotpEnrolment, TotpRecoveryCodes } from '@jointcert/contracts';
import { SecondFactorRepository, type StoredSecondFactor } from '@jointcert/registry-db';
import { AuditLog, type AuditAction } from '../audit/audit-log';
import { newTotpSecret, totpTimeStep, totpUri } from './otp';
import { newRecoveryCodes, TotpCipher } from './totp-cipher';

/** Wrong codes allowed per account in FAILURE_WINDOW_S before RATE_LIMITED. */
export const MAX_CODE_FAILURES = 5;
const FAILURE_WINDOW_S = 15 * 60;
const ISSUER = 'jointcert';
/** One 30-second step either side, for clock drift. */
const EPOCH_TOLERANCE_S = 30;

/**
 * The TOTP second factor (RFC 6238, otplib — see ./otp): enrol (secret + otpauth URI),
 * confirm with a first code (→ ten recovery codes, stored hashed), disable
 * (needs a code). Once confirmed, guarded actions — deleting, replacing and
 * unlocking a certificate — need a fresh code: `requireFresh`.
 *
 * A code is accepted once: the accepted time step is stored and only later
 * steps pass (conditional UPDATE, so two concurrent uses cannot both win).
 * Wrong codes count per account in Redis; past MAX_CODE_FAILURES in 15 min
 * every code is refused with RATE_LIMITED. Every wrong code is audited.
 */
@Injectable()
export class SecondFactor {
  private readonly cipher: TotpCipher;

  constructor(
    private readonly factors: SecondFactorRepository,
    private readonly redis: Redis,
    private readonly audit: AuditLog,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.cipher = new TotpCipher(config);
  }

  async enrol(request: CallerRequest): Promise<TotpEnrolment> {
    const { accountId } = request.caller;
    return this.audited('totp.enrol', request.client, accountId, async () => {
      const secret = newTotpSecret();
      if (!(await this.factors.startEnrolment(accountId, this.cipher.encrypt(accountId, secret)))) {
        throw new DomainError('TOTP_ALREADY_ENABLED', 'a second factor is already enabled; disable it first');
      }
      return { secret, otpauthUri: totpUri(ISSUER, accountId, secret) };
    });
  }

  async confirm(request: TotpCodeRequest): Promise<TotpRecoveryCodes> {
    const { accountId } = request.caller;
    return this.audited('totp.confirm', request.client, accountId, async () => {
      const stored = await this.factors.find(accountId);
      if (!stored) throw new DomainError('NOT_FOUND', 'no second-factor enrolment; start one first');
      if (stored.confirmedAt) throw new DomainError('TOTP_ALREADY_ENABLED', 'the second factor is already confirmed');
      const step = await this.checkTotp(stored, request.totpCode, request.client, 'totp.confirm');
      const codes = newRecoveryCodes();
      const confirmed = await this.factors.confirm(accountId, step, codes.map((c) => this.cipher.hashRecoveryCode(accountId, c)), new Date(this.clock.now()));
      if (!confirmed) throw new DomainError('TOTP_ALREADY_ENABLED', 'the second factor is already confirmed');
      return { recoveryCodes: codes };
    });
  }

  async disable(request: TotpCodeRequest): Promise<{ ok: true }> {
    const { accountId } = request.caller;
    return this.audited('totp.disable', request.client, accountId, async () => {
      if (!(await this.requireFresh(accountId, request.totpCode, request.client, 'totp.disable'))) {
        throw new DomainError('NOT_FOUND', 'no second factor is enabled');
      }
      await this.factors.remove(accountId);
      return { ok: true as const };
    });
  }

  /** Whether the account has a confirmed second factor (guarded actions will ask for a code). */
  async isEnabled(accountId: string): Promise<boolean> {
    return (await this.factors.find(accountId))?.confirmedAt != null;
  }

  /**
   * For a guarded action: false when the account has no confirmed second
   * factor (nothing to ask); true when `code` is a fresh TOTP code or an unused
   * recovery code (used up now); otherwise TOTP_REQUIRED (no code) or
   * TOTP_INVALID / RATE_LIMITED.
   */
  async requireFresh(accountId: string, code: string | undefined, client: ClientInfo, action: AuditAction): Promise<boolean> {
    const stored = await this.factors.find(accountId);
    if (!stored?.confirmedAt) return false;
    if (code === undefined) {
      throw new DomainError('TOTP_REQUIRED', 'this action needs a current code from your authenticator app (X-TOTP-Code header) or a recovery code');
    }
    if (/^\d{6}$/.test(code)) {
      await this.checkTotp(stored, code, client, action);
      return true;
    }
    await this.assertNotLimited(accountId);
    if (await this.factors.useRecoveryCode(accountId, this.cipher.hashRecoveryCode(accountId, code))) return true;
    return this.wrongCode(accountId, client, action, 'RECOVERY_CODE_UNKNOWN');
  }

  /** A TOTP code for `stored`, accepted once; returns its time step. */
  private async checkTotp(stored: StoredSecondFactor, code: string | undefined, client: ClientInfo, action: AuditAction): Promise<number> {
    const { accountId } = stored;
    if (code === undefined) throw new DomainError('TOTP_REQUIRED', 'a current code from your authenticator app is needed');
    await this.assertNotLimited(accountId);
    const secret = this.cipher.decrypt(accountId, stored.secretEnc);
    const epoch = Math.floor(this.clock.now() / 1000);
    const step = totpTimeStep(secret, code, epoch, EPOCH_TOLERANCE_S);
    if (step === null) return this.wrongCode(accountId, client, action, 'CODE_WRONG');
    if (stored.lastTimeStep !== null && step <= stored.lastTimeStep) return this.wrongCode(accountId, client, action, 'CODE_REPLAYED');
    if (stored.confirmedAt && !(await this.factors.useTimeStep(accountId, step))) return this.wrongCode(accountId, client, action, 'CODE_REPLAYED');
    return step;
  }

  private failureKey(accountId: string): string {
    return `${this.config.REDIS_PREFIX}totp-failures:${accountId}`;
  }

  private async assertNotLimited(accountId: string): Promise<void> {
    const failures = Number((await this.redis.get(this.failureKey(accountId))) ?? 0);
    if (failures >= MAX_CODE_FAILURES) {
      const ttl = await this.redis.ttl(this.failureKey(accountId));
      throw new DomainError('RATE_LIMITED', 'too many wrong codes; try again later', { retryAfter: Math.max(1, ttl) });
    }
  }

  private async wrongCode(accountId: string, client: ClientInfo, action: AuditAction, reason: string): Promise<never> {
    const key = this.failureKey(accountId);
    await this.redis.multi().incr(key).expire(key, FAILURE_WINDOW_S, 'NX').exec();
    const err = new DomainError('TOTP_INVALID', reason === 'CODE_REPLAYED' ? 'this code was already used; wait for the next one' : 'the code is not valid', { reason });
    await this.audit.failure({ action: 'totp.verify', client, accountId, details: { for: action } }, err);
    throw err;
  }

  private async audited<T>(action: AuditAction, client: ClientInfo, accountId: string, work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      await this.audit.success({ action, client, accountId });
      return result;
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'TOTP_INVALID')) await this.audit.failure({ action, client, accountId }, err);
      throw err;
    }
  }
}
