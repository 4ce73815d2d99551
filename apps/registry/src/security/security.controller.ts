import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { Api, type CertificateView } from '@jointcert/contracts';
import { callerSchema, clientSchema, parsePayload } from '../shared/validation';
import { CertificateLocks } from './certificate-lock.use-case';

const certificateRequestSchema = z.object({ client: clientSchema, caller: callerSchema, certificateId: z.uuid() });
const totpCodeSchema = z.string().regex(/^\d{6}$|^[0-9a-z]{4}-[0-9a-z]{4}$/);
const secondFactorRequestSchema = certificateRequestSchema.extend({ totpCode: totpCodeSchema.optional() });

/** Message handlers of account security: validate, delegate. */
@Controller()
export class SecurityController {
  constructor(private readonly locks: CertificateLocks) {}

  @MessagePattern(Api.registry.lockCertificate.cmd)
  lock(@Payload() envelope: unknown): Promise<CertificateView> {
    return this.locks.lock(parsePayload(certificateRequestSchema, envelope));
  }

  @MessagePattern(Api.registry.unlockCertificate.cmd)
  unlock(@Payload() envelope: unknown): Promise<CertificateView> {
    return this.locks.unlock(parsePayload(secondFactorRequestSchema, envelope));
  }
}
