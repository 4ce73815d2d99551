import { Body, Controller, Get, Headers, Patch, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Api, type AccountView, type Caller, type ClientInfo } from '@jointcert/contracts';
import { ServiceClient } from '@jointcert/common';
import { AuthCaller, BearerGuard } from '../auth/bearer.guard';
import { Client } from '../auth/client-info.decorator';
import { ApiRoute } from '../openapi/api-route.decorator';
import { ApiTotpHeader, totpHeader, TOTP_HEADER } from '../security/totp-header';
import { updateAccountBody, type UpdateAccountBody } from '../validation/request.schemas';
import { ZodPipe } from '../validation/zod.pipe';

@ApiTags('accounts')
@Controller('v1/accounts')
@UseGuards(BearerGuard)
export class AccountsController {
  constructor(private readonly services: ServiceClient) {}

  @Get('me')
  @ApiRoute({ summary: "The caller's account", ok: { status: 200, schema: 'AccountView' }, auth: 'required' })
  get(@AuthCaller() caller: Caller, @Client() client: ClientInfo): Promise<AccountView> {
    return this.services.send(Api.registry.getAccount, { client, caller });
  }

  @Patch('me')
  @ApiRoute({
    summary: 'Change the email address, locale, expiry reminders or the password reminder',
    body: 'UpdateAccountRequest',
    description: 'Once the account has a second factor, changing the email needs X-TOTP-Code.',
    ok: { status: 200, schema: 'AccountView' },
    errors: ['TOTP_REQUIRED', 'TOTP_INVALID'],
    auth: 'required',
  })
  @ApiTotpHeader
  update(@Body(new ZodPipe(updateAccountBody)) body: UpdateAccountBody, @AuthCaller() caller: Caller, @Client() client: ClientInfo, @Headers(TOTP_HEADER) code?: string): Promise<AccountView> {
    return this.services.send(Api.registry.updateAccount, { client, caller, ...body, ...totpHeader(code) });
  }
}
