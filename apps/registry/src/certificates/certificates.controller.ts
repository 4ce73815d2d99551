import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { Api, type CertificateView, type DeleteLinkView, type RegisterResult, type ReplaceResult } from '@jointcert/contracts';
import { callerSchema, challengeIdSchema, clientSchema, identitySchema, parsePayload, signedDataSchema } from '../shared/validation';
import { CertificateQueries } from './certificate-queries';
import { DeleteByLink } from './delete-link.use-case';
import { DeleteCertificate } from './delete.use-case';
import { RegisterCertificate } from './register.use-case';
import { ReplaceCertificate } from './replace.use-case';
import { SecondFactor } from '../security/second-factor.service';
import { secondFactorRequestSchema, totpCodeSchema } from '../security/second-factor.schemas';

const registerSchema = z.object({
  client: clientSchema,
  caller: callerSchema.optional(),
  challengeId: challengeIdSchema,
  signedData: signedDataSchema,
  email: z.email().max(254).optional(),
  identity: identitySchema.optional(),
});
const callerRequestSchema = z.object({ client: clientSchema, caller: callerSchema });
const certificateRequestSchema = callerRequestSchema.extend({ certificateId: z.uuid() });
const deleteLinkSchema = z.object({ client: clientSchema, token: z.string().min(1).max(300), confirm: z.boolean(), totpCode: totpCodeSchema.optional() });
const replaceSchema = certificateRequestSchema.extend({
  challengeId: challengeIdSchema,
  signedData: signedDataSchema,
  identity: identitySchema.optional(),
});

/** Message handlers: validate, delegate. */
@Controller()
export class CertificatesController {
  constructor(
    private readonly registerCertificate: RegisterCertificate,
    private readonly replaceCertificate: ReplaceCertificate,
    private readonly deleteCertificate: DeleteCertificate,
    private readonly queries: CertificateQueries,
    private readonly secondFactor: SecondFactor,
    private readonly deleteByLink: DeleteByLink,
  ) {}

  @MessagePattern(Api.registry.register.cmd)
  register(@Payload() envelope: unknown): Promise<RegisterResult> {
    return this.registerCertificate.execute(parsePayload(registerSchema, envelope));
  }

  @MessagePattern(Api.registry.listCertificates.cmd)
  list(@Payload() envelope: unknown): Promise<CertificateView[]> {
    return this.queries.list(parsePayload(callerRequestSchema, envelope).caller.accountId);
  }

  @MessagePattern(Api.registry.getCertificate.cmd)
  get(@Payload() envelope: unknown): Promise<CertificateView> {
    const request = parsePayload(certificateRequestSchema, envelope);
    return this.queries.get(request.caller.accountId, request.certificateId);
  }

  @MessagePattern(Api.registry.replaceCertificate.cmd)
  async replace(@Payload() envelope: unknown): Promise<ReplaceResult> {
    await this.guard(envelope, 'replace');
    return this.replaceCertificate.execute(parsePayload(replaceSchema, envelope));
  }

  @MessagePattern(Api.registry.deleteCertificate.cmd)
  async delete(@Payload() envelope: unknown): Promise<{ ok: true }> {
    await this.guard(envelope, 'delete');
    return this.deleteCertificate.execute(parsePayload(certificateRequestSchema, envelope));
  }

  @MessagePattern(Api.registry.deleteByLink.cmd)
  deleteLink(@Payload() envelope: unknown): Promise<DeleteLinkView> {
    return this.deleteByLink.handle(parsePayload(deleteLinkSchema, envelope));
  }

  /** With a second factor enrolled, a fresh code (totpCode) first. */
  private async guard(envelope: unknown, action: 'replace' | 'delete'): Promise<void> {
    const request = parsePayload(secondFactorRequestSchema, envelope);
    await this.secondFactor.requireFresh(request.caller.accountId, request.totpCode, request.client, action);
  }
}
