import { Controller, Headers, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import { Api, type Caller, type CertificateView, type ClientInfo } from '@jointcert/contracts';
import { ServiceClient } from '@jointcert/common';
import { AuthCaller, BearerGuard, RateLimitedBearerGuard } from '../auth/bearer.guard';
import { Client } from '../auth/client-info.decorator';
import { ApiRoute } from '../openapi/api-route.decorator';
import { certificateId } from '../validation/request.schemas';
import { ZodPipe } from '../validation/zod.pipe';
import { ApiTotpHeader, totpHeader, TOTP_HEADER } from './totp-header';

const idParam = new ZodPipe(certificateId, 'id');
const ApiId = ApiParam({ name: 'id', description: 'Certificate id (UUID)', schema: { type: 'string', format: 'uuid' } });

/** Lost certificates: lock one at once from any session, unlock it from another certificate. */
@ApiTags('certificates')
@Controller('v1/certificates')
export class CertificateLockController {
  constructor(private readonly services: ServiceClient) {}

  @Post(':id/lock')
  @HttpCode(200)
  @UseGuards(BearerGuard)
  @ApiId
  @ApiRoute({
    summary: 'Lock a lost certificate: refused at login (CERT_LOCKED) at once, every session it opened ended',
    description: 'Any session of the account may lock any of its certificates (also the one that opened the session: that session ends too). Locking again changes nothing. Audited.',
    ok: { status: 200, schema: 'CertificateView' },
    errors: ['MALFORMED_INPUT', 'NOT_FOUND'],
    auth: 'required',
  })
  lock(@Param('id', idParam) id: string, @AuthCaller() caller: Caller, @Client() client: ClientInfo): Promise<CertificateView> {
    return this.services.send(Api.registry.lockCertificate, { client, caller, certificateId: id });
  }

  @Post(':id/unlock')
  @HttpCode(200)
  @UseGuards(RateLimitedBearerGuard)
  @ApiId
  @ApiTotpHeader
  @ApiRoute({
    summary: 'Unlock a certificate locked as lost',
    description:
      'With a second factor enrolled: needs a fresh code (X-TOTP-Code; 403 TOTP_REQUIRED without). Otherwise: a session opened by ANOTHER registered (active, unlocked) certificate of the account, else 403 FORBIDDEN, reason UNLOCK_NEEDS_OTHER_CERTIFICATE. Audited.',
    ok: { status: 200, schema: 'CertificateView' },
    errors: ['MALFORMED_INPUT', 'NOT_FOUND', 'FORBIDDEN', 'TOTP_REQUIRED', 'TOTP_INVALID'],
    auth: 'required',
    rateLimited: true,
  })
  unlock(@Param('id', idParam) id: string, @Headers(TOTP_HEADER) code: string | undefined, @AuthCaller() caller: Caller, @Client() client: ClientInfo): Promise<CertificateView> {
    return this.services.send(Api.registry.unlockCertificate, { client, caller, certificateId: id, ...totpHeader(code) });
  }
}
