import { Controller, Delete, Get, HttpCode, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Api, type Caller, type ClientInfo, type SessionView } from '@jointcert/contracts';
import { ServiceClient } from '@jointcert/common';
import { AuthCaller, BearerGuard } from '../auth/bearer.guard';
import { Client } from '../auth/client-info.decorator';
import { ApiRoute } from '../openapi/api-route.decorator';

/** Where the account is logged in, and "log out everywhere". */
@ApiTags('sessions')
@Controller('v1/sessions')
export class AccountSessionsController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @UseGuards(BearerGuard)
  @ApiRoute({ summary: 'The account’s live sessions: login time, last refresh, address and user agent, the certificate used', ok: { status: 200, schema: 'SessionList' }, auth: 'required' })
  list(@AuthCaller() caller: Caller, @Client() client: ClientInfo): Promise<SessionView[]> {
    return this.services.send(Api.registry.listSessions, { client, caller });
  }

  @Delete()
  @HttpCode(200)
  @UseGuards(BearerGuard)
  @ApiRoute({ summary: 'End every session of the account (this one too): their access and refresh tokens stop working at once', ok: { status: 200, schema: 'EndedSessions' }, auth: 'required' })
  endAll(@AuthCaller() caller: Caller, @Client() client: ClientInfo): Promise<{ ended: number }> {
    return this.services.send(Api.registry.endAllSessions, { client, caller });
  }
}
