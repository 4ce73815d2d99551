import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Api, type CertificateView, type SessionView, type TotpEnrolment, type TotpRecoveryCodes } from '@jointcert/contracts';
import { parsePayload } from '../shared/validation';
import { AccountSessions } from './account-sessions.service';
import { CertificateLocks } from './certificate-lock.use-case';
import { PasswordHints } from './password-hint.use-case';
import { callerRequestSchema, certificateRequestSchema, codeRequestSchema, passwordChangedSchema, secondFactorRequestSchema } from './second-factor.schemas';
import { SecondFactor } from './second-factor.service';

/** Message handlers of account security: validate, delegate. */
@Controller()
export class SecurityController {
  constructor(
    private readonly locks: CertificateLocks,
    private readonly secondFactor: SecondFactor,
    private readonly accountSessions: AccountSessions,
    private readonly passwordHints: PasswordHints,
  ) {}

  @MessagePattern(Api.registry.lockCertificate.cmd)
  lock(@Payload() envelope: unknown): Promise<CertificateView> {
    return this.locks.lock(parsePayload(certificateRequestSchema, envelope));
  }

  @MessagePattern(Api.registry.unlockCertificate.cmd)
  unlock(@Payload() envelope: unknown): Promise<CertificateView> {
    return this.locks.unlock(parsePayload(secondFactorRequestSchema, envelope));
  }

  @MessagePattern(Api.registry.reportPasswordChanged.cmd)
  passwordChanged(@Payload() envelope: unknown): Promise<CertificateView> {
    return this.passwordHints.report(parsePayload(passwordChangedSchema, envelope));
  }

  @MessagePattern(Api.registry.enrolTotp.cmd)
  enrolTotp(@Payload() envelope: unknown): Promise<TotpEnrolment> {
    return this.secondFactor.enrol(parsePayload(callerRequestSchema, envelope));
  }

  @MessagePattern(Api.registry.confirmTotp.cmd)
  confirmTotp(@Payload() envelope: unknown): Promise<TotpRecoveryCodes> {
    return this.secondFactor.confirm(parsePayload(codeRequestSchema, envelope));
  }

  @MessagePattern(Api.registry.disableTotp.cmd)
  disableTotp(@Payload() envelope: unknown): Promise<{ ok: true }> {
    return this.secondFactor.disable(parsePayload(codeRequestSchema, envelope));
  }

  @MessagePattern(Api.registry.listSessions.cmd)
  listSessions(@Payload() envelope: unknown): Promise<SessionView[]> {
    return this.accountSessions.list(parsePayload(callerRequestSchema, envelope));
  }

  @MessagePattern(Api.registry.endAllSessions.cmd)
  endAllSessions(@Payload() envelope: unknown): Promise<{ ended: number }> {
    return this.accountSessions.endAll(parsePayload(callerRequestSchema, envelope));
  }
}
