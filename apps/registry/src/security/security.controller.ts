import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Api, type CertificateView, type TotpEnrolment, type TotpRecoveryCodes } from '@jointcert/contracts';
import { parsePayload } from '../shared/validation';
import { CertificateLocks } from './certificate-lock.use-case';
import { callerRequestSchema, certificateRequestSchema, codeRequestSchema, secondFactorRequestSchema } from './second-factor.schemas';
import { SecondFactor } from './second-factor.service';

/** Message handlers of account security: validate, delegate. */
@Controller()
export class SecurityController {
  constructor(
    private readonly locks: CertificateLocks,
    private readonly secondFactor: SecondFactor,
  ) {}

  @MessagePattern(Api.registry.lockCertificate.cmd)
  lock(@Payload() envelope: unknown): Promise<CertificateView> {
    return this.locks.lock(parsePayload(certificateRequestSchema, envelope));
  }

  @MessagePattern(Api.registry.unlockCertificate.cmd)
  unlock(@Payload() envelope: unknown): Promise<CertificateView> {
    return this.locks.unlock(parsePayload(secondFactorRequestSchema, envelope));
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
}
