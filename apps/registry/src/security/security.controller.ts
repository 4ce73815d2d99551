import { Controller } from '@nestjs/common';
import { Handles } from '@jointcert/common';
import {
  Api,
  type CallerRequest,
  type CertificateRequest,
  type CertificateView,
  type PasswordChangedRequest,
  type SecondFactorCertificateRequest,
  type SessionView,
  type TotpCodeRequest,
  type TotpEnrolment,
  type TotpRecoveryCodes,
} from '@jointcert/contracts';
import { AccountSessions } from './account-sessions.service';
import { CertificateLocks } from './certificate-lock.use-case';
import { PasswordHints } from './password-hint.use-case';
import { SecondFactor } from './second-factor.service';

/** Message handlers of account security: delegate (the contract's schema validated the request). */
@Controller()
export class SecurityController {
  constructor(
    private readonly locks: CertificateLocks,
    private readonly secondFactor: SecondFactor,
    private readonly accountSessions: AccountSessions,
    private readonly passwordHints: PasswordHints,
  ) {}

  @Handles(Api.registry.lockCertificate)
  lock(request: CertificateRequest): Promise<CertificateView> {
    return this.locks.lock(request);
  }

  @Handles(Api.registry.unlockCertificate)
  unlock(request: SecondFactorCertificateRequest): Promise<CertificateView> {
    return this.locks.unlock(request);
  }

  @Handles(Api.registry.reportPasswordChanged)
  passwordChanged(request: PasswordChangedRequest): Promise<CertificateView> {
    return this.passwordHints.report(request);
  }

  @Handles(Api.registry.enrolTotp)
  enrolTotp(request: CallerRequest): Promise<TotpEnrolment> {
    return this.secondFactor.enrol(request);
  }

  @Handles(Api.registry.confirmTotp)
  confirmTotp(request: TotpCodeRequest): Promise<TotpRecoveryCodes> {
    return this.secondFactor.confirm(request);
  }

  @Handles(Api.registry.disableTotp)
  disableTotp(request: TotpCodeRequest): Promise<{ ok: true }> {
    return this.secondFactor.disable(request);
  }

  @Handles(Api.registry.listSessions)
  listSessions(request: CallerRequest): Promise<SessionView[]> {
    return this.accountSessions.list(request);
  }

  @Handles(Api.registry.endAllSessions)
  endAllSessions(request: CallerRequest): Promise<{ ended: number }> {
    return this.accountSessions.endAll(request);
  }
}
