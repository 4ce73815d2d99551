import { Body, Controller, Get, Patch, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Api, type AccountView, type Caller, type ClientInfo } from '@jointcert/contracts';
import { ServiceClient } from '@jointcert/common';
import { AuthCaller, BearerGuard } from '../auth/bearer.guard';
import { Client } from '../auth/client-info.decorator';
import { ApiRoute } from '../openapi/api-route.decorator';
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
    summary: 'Change the email address, locale or expiry reminders',
    body: 'UpdateAccountRequest',
    ok: { status: 200, schema: 'AccountView' },
    auth: 'required',
  })
  update(@Body(new ZodPipe(updateAccountBody)) body: UpdateAccountBody, @AuthCaller() caller: Caller, @Client() client: ClientInfo): Promise<AccountView> {
    return this.services.send(Api.registry.updateAccount, { client, caller, ...body });
  }
}
