import { Body, Controller, Delete, Headers, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import { Api, type Caller, type ClientInfo, type TotpEnrolment, type TotpRecoveryCodes } from '@jointcert/contracts';
import { ServiceClient } from '@jointcert/common';
import { AuthCaller, BearerGuard, RateLimitedBearerGuard } from '../auth/bearer.guard';
import { Client } from '../auth/client-info.decorator';
import { ApiRoute } from '../openapi/api-route.decorator';
import { ZodPipe } from '../validation/zod.pipe';
import { totpConfirmBody, type TotpConfirmBody } from './second-factor.schemas';
import { totpHeader, TOTP_HEADER } from './totp-header';

/** The account's TOTP second factor (RFC 6238). */
@ApiTags('accounts')
@Controller('v1/accounts/me/totp')
export class SecondFactorController {
  constructor(private readonly services: ServiceClient) {}

  @Post()
  @UseGuards(BearerGuard)
  @ApiRoute({
    summary: 'Start enrolling a TOTP second factor: a new secret and its otpauth:// URI (for a QR code)',
    description: 'Until confirmed nothing is guarded; starting again replaces a pending enrolment. 409 TOTP_ALREADY_ENABLED once confirmed.',
    ok: { status: 201, schema: 'TotpEnrolment' },
    errors: ['TOTP_ALREADY_ENABLED'],
    auth: 'required',
  })
  enrol(@AuthCaller() caller: Caller, @Client() client: ClientInfo): Promise<TotpEnrolment> {
    return this.services.send(Api.registry.enrolTotp, { client, caller });
  }

  @Post('confirm')
  @HttpCode(200)
  @UseGuards(RateLimitedBearerGuard)
  @ApiRoute({
    summary: 'Confirm the enrolment with a first code → ten single-use recovery codes (shown once)',
    description:
      'From now on deleting, replacing and unlocking a certificate, and disabling the factor, need a fresh code in the X-TOTP-Code header (six digits, or a recovery code); without it 403 TOTP_REQUIRED, a wrong or reused one 403 TOTP_INVALID, too many wrong ones 429.',
    body: 'TotpConfirmRequest',
    ok: { status: 200, schema: 'TotpRecoveryCodes' },
    errors: ['NOT_FOUND', 'TOTP_INVALID', 'TOTP_ALREADY_ENABLED'],
    auth: 'required',
    rateLimited: true,
  })
  confirm(@Body(new ZodPipe(totpConfirmBody)) body: TotpConfirmBody, @AuthCaller() caller: Caller, @Client() client: ClientInfo): Promise<TotpRecoveryCodes> {
    return this.services.send(Api.registry.confirmTotp, { client, caller, totpCode: body.code });
  }

  @Delete()
  @HttpCode(204)
  @UseGuards(RateLimitedBearerGuard)
  @ApiHeader({ name: TOTP_HEADER, required: true, description: 'A current TOTP code or a recovery code' })
  @ApiRoute({ summary: 'Disable the second factor (needs a fresh code)', ok: { status: 204 }, errors: ['MALFORMED_INPUT', 'NOT_FOUND', 'TOTP_REQUIRED', 'TOTP_INVALID'], auth: 'required', rateLimited: true })
  async disable(@Headers(TOTP_HEADER) code: string | undefined, @AuthCaller() caller: Caller, @Client() client: ClientInfo): Promise<void> {
    await this.services.send(Api.registry.disableTotp, { client, caller, ...totpHeader(code) });
  }
}
