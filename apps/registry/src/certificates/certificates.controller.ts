import { Controller } from '@nestjs/common';
import { Handles } from '@jointcert/common';
import {
  Api,
  type CallerRequest,
  type CertificateRequest,
  type CertificateView,
  type DeleteLinkRequest,
  type DeleteLinkView,
  type RegisterRequest,
  type RegisterResult,
  type ReplaceRequest,
  type ReplaceResult,
  type SecondFactorCertificateRequest,
} from '@jointcert/contracts';
import { Idempotency, Idempotent } from '../idempotency/idempotency';
import { CertificateQueries } from './certificate-queries';
import { DeleteByLink } from './delete-link.use-case';
import { DeleteCertificate } from './delete.use-case';
import { RegisterCertificate } from './register.use-case';
import { ReplaceCertificate } from './replace.use-case';
import { SecondFactor } from '../security/second-factor.service';

/** Message handlers: delegate (the contract's schema validated the request). */
@Controller()
export class CertificatesController {
  constructor(
    private readonly registerCertificate: RegisterCertificate,
    private readonly replaceCertificate: ReplaceCertificate,
    private readonly deleteCertificate: DeleteCertificate,
    private readonly queries: CertificateQueries,
    private readonly secondFactor: SecondFactor,
    private readonly deleteByLink: DeleteByLink,
    readonly idempotency: Idempotency,
  ) {}

  @Idempotent()
  @Handles(Api.registry.register)
  register(request: RegisterRequest): Promise<RegisterResult> {
    return this.registerCertificate.execute(request);
  }

  @Handles(Api.registry.listCertificates)
  list(request: CallerRequest): Promise<CertificateView[]> {
    return this.queries.list(request.caller.accountId);
  }

  @Handles(Api.registry.getCertificate)
  get(request: CertificateRequest): Promise<CertificateView> {
    return this.queries.get(request.caller.accountId, request.certificateId);
  }

  @Idempotent()
  @Handles(Api.registry.replaceCertificate)
  async replace(request: ReplaceRequest): Promise<ReplaceResult> {
    await this.guard(request, 'replace');
    return this.replaceCertificate.execute(request);
  }

  @Idempotent()
  @Handles(Api.registry.deleteCertificate)
  async delete(request: SecondFactorCertificateRequest): Promise<{ ok: true }> {
    await this.guard(request, 'delete');
    return this.deleteCertificate.execute(request);
  }

  @Handles(Api.registry.deleteByLink)
  deleteLink(request: DeleteLinkRequest): Promise<DeleteLinkView> {
    return this.deleteByLink.handle(request);
  }

  /** With a second factor enrolled, a fresh code (totpCode) first. */
  private async guard(request: SecondFactorCertificateRequest, action: 'replace' | 'delete'): Promise<void> {
    await this.secondFactor.requireFresh(request.caller.accountId, request.totpCode, request.client, action);
  }
}
