import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import { Api, type Caller, type CertificateView, type ClientInfo, type RegisterResult, type ReplaceResult } from '@jointcert/contracts';
import { ServiceClient } from '@jointcert/common';
import { AuthCaller, BearerGuard, OptionalCaller, RateLimitedBearerGuard, RateLimitedOptionalBearerGuard } from '../auth/bearer.guard';
import { Client } from '../auth/client-info.decorator';
import { ApiRoute } from '../openapi/api-route.decorator';
import { certificateId, passwordChangedBody, registerBody, replaceBody, type PasswordChangedBody, type RegisterBody, type ReplaceBody } from '../validation/request.schemas';
import { ZodPipe } from '../validation/zod.pipe';
import { ApiTotpHeader, totpHeader, TOTP_HEADER } from '../security/totp-header';

const VERIFY_ERRORS = ['CHALLENGE_EXPIRED', 'CHALLENGE_UNKNOWN', 'SIGNATURE_INVALID', 'CONTENT_MISMATCH', 'CHAIN_UNTRUSTED', 'CERT_EXPIRED', 'CERT_REVOKED', 'POLICY_NOT_ACCEPTED', 'VID_MISMATCH', 'DECRYPTION_FAILED', 'REVOCATION_UNKNOWN'] as const;
const idParam = new ZodPipe(certificateId, 'id');
const ApiId = ApiParam({ name: 'id', description: 'Certificate id (UUID)', schema: { type: 'string', format: 'uuid' } });

@ApiTags('certificates')
@Controller('v1/certificates')
export class CertificatesController {
  constructor(private readonly services: ServiceClient) {}

  @Post()
  @UseGuards(RateLimitedOptionalBearerGuard)
  @ApiRoute({
    summary: 'Register a certificate: sign up (no token) or add it to your account (bearer token)',
    description:
      'The certificate signs a challenge. Without Authorization: creates an account owning it → {account, certificate, session}. ' +
      'With a valid bearer token: adds it to that account → {certificate}. An Authorization header that does not authenticate is 401, never a sign-up.',
    body: 'RegisterRequest',
    ok: { status: 201, schema: 'RegisterResult' },
    errors: [...VERIFY_ERRORS, 'CERT_ALREADY_REGISTERED'],
    auth: 'optional',
    rateLimited: true,
  })
  register(@Body(new ZodPipe(registerBody)) body: RegisterBody, @OptionalCaller() caller: Caller | undefined, @Client() client: ClientInfo): Promise<RegisterResult> {
    return this.services.send(Api.registry.register, { client, ...(caller ? { caller } : {}), ...body });
  }

  @Get()
  @UseGuards(BearerGuard)
  @ApiRoute({ summary: "The caller's certificates, with status, type, CA, validity and days left", ok: { status: 200, schema: 'CertificateList' }, auth: 'required' })
  list(@AuthCaller() caller: Caller, @Client() client: ClientInfo): Promise<CertificateView[]> {
    return this.services.send(Api.registry.listCertificates, { client, caller });
  }

  @Get(':id')
  @UseGuards(BearerGuard)
  @ApiId
  @ApiRoute({ summary: 'One of the caller’s certificates', ok: { status: 200, schema: 'CertificateView' }, errors: ['MALFORMED_INPUT', 'NOT_FOUND'], auth: 'required' })
  get(@Param('id', idParam) certificateId: string, @AuthCaller() caller: Caller, @Client() client: ClientInfo): Promise<CertificateView> {
    return this.services.send(Api.registry.getCertificate, { client, caller, certificateId });
  }

  @Post(':id/replace')
  @HttpCode(200)
  @UseGuards(RateLimitedBearerGuard)
  @ApiId
  @ApiRoute({
    summary: 'Replace a certificate with its successor (인증서 변경)',
    description:
      '200: an action on an existing registration. The new certificate signs a fresh challenge; it must belong to the same person and expire later. The old one becomes replaced.',
    body: 'ReplaceRequest',
    ok: { status: 200, schema: 'ReplaceResult' },
    errors: [...VERIFY_ERRORS, 'CERT_ALREADY_REGISTERED', 'NOT_FOUND', 'TOTP_REQUIRED', 'TOTP_INVALID'],
    auth: 'required',
    rateLimited: true,
  })
  @ApiTotpHeader
  replace(@Param('id', idParam) certificateId: string, @Body(new ZodPipe(replaceBody)) body: ReplaceBody, @AuthCaller() caller: Caller, @Client() client: ClientInfo, @Headers(TOTP_HEADER) code?: string): Promise<ReplaceResult> {
    return this.services.send(Api.registry.replaceCertificate, { client, caller, certificateId, ...body, ...totpHeader(code) });
  }

  @Put(':id/password-changed')
  @UseGuards(BearerGuard)
  @ApiId
  @ApiRoute({
    summary: 'Report that the certificate password was changed (the password itself never leaves the client)',
    description:
      'Called by the client after re-encrypting signPri.key (changeKeyPassword, `jointcert npki passwd --api`). Sets passwordChangedAt ' +
      '(never moves it back); the opt-in password reminder (PATCH /v1/accounts/me passwordReminder) counts from it, or from registration when never reported. Idempotent.',
    body: 'PasswordChangedRequest',
    ok: { status: 200, schema: 'CertificateView' },
    errors: ['MALFORMED_INPUT', 'NOT_FOUND'],
    auth: 'required',
  })
  passwordChanged(@Param('id', idParam) certificateId: string, @Body(new ZodPipe(passwordChangedBody)) body: PasswordChangedBody, @AuthCaller() caller: Caller, @Client() client: ClientInfo): Promise<CertificateView> {
    return this.services.send(Api.registry.reportPasswordChanged, { client, caller, certificateId, ...body });
  }

  @Delete(':id')
  @HttpCode(204)
  @UseGuards(BearerGuard)
  @ApiId
  @ApiRoute({ summary: 'Delete a certificate (kept for audit, never usable to log in again)', ok: { status: 204 }, errors: ['MALFORMED_INPUT', 'NOT_FOUND', 'TOTP_REQUIRED', 'TOTP_INVALID'], auth: 'required' })
  @ApiTotpHeader
  async remove(@Param('id', idParam) certificateId: string, @AuthCaller() caller: Caller, @Client() client: ClientInfo, @Headers(TOTP_HEADER) code?: string): Promise<void> {
    await this.services.send(Api.registry.deleteCertificate, { client, caller, certificateId, ...totpHeader(code) });
  }
}
