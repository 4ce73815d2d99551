import { Body, Controller, Delete, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Api, type Caller, type ClientInfo, type SessionTokens } from '@jointcert/contracts';
import { ServiceClient } from '@jointcert/common';
import { AuthCaller, BearerGuard } from '../auth/bearer.guard';
import { Client } from '../auth/client-info.decorator';
import { ApiRoute } from '../openapi/api-route.decorator';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { refreshBody, signedChallengeBody, type RefreshBody, type SignedChallengeBody } from '../validation/request.schemas';
import { ZodPipe } from '../validation/zod.pipe';

@ApiTags('sessions')
@Controller('v1/sessions')
export class SessionsController {
  constructor(private readonly services: ServiceClient) {}

  @Post()
  @UseGuards(RateLimitGuard)
  @ApiRoute({
    summary: 'Log in: a registered certificate signs a challenge',
    description: 'A valid certificate that is not registered → 401 CERT_NOT_REGISTERED: offer registration (POST /v1/certificates).',
    body: 'SignedChallengeRequest',
    ok: { status: 201, schema: 'SessionTokens' },
    errors: ['CHALLENGE_EXPIRED', 'CHALLENGE_UNKNOWN', 'SIGNATURE_INVALID', 'CONTENT_MISMATCH', 'CHAIN_UNTRUSTED', 'CERT_EXPIRED', 'CERT_REVOKED', 'POLICY_NOT_ACCEPTED', 'CERT_NOT_REGISTERED', 'REVOCATION_UNKNOWN', 'CERT_LOCKED'],
    rateLimited: true,
  })
  login(@Body(new ZodPipe(signedChallengeBody)) body: SignedChallengeBody, @Client() client: ClientInfo): Promise<SessionTokens> {
    return this.services.send(Api.registry.login, { client, ...body });
  }

  @Post('refresh')
  @HttpCode(200)
  @UseGuards(RateLimitGuard)
  @ApiRoute({
    summary: 'Exchange a refresh token for a new token pair',
    description:
      '200, not 201: the session already exists; its tokens rotate. Each refresh token works once; presenting a used one ends the whole session family (401).',
    body: 'RefreshRequest',
    ok: { status: 200, schema: 'SessionTokens' },
    rateLimited: true,
  })
  refresh(@Body(new ZodPipe(refreshBody)) body: RefreshBody, @Client() client: ClientInfo): Promise<SessionTokens> {
    return this.services.send(Api.registry.refresh, { client, ...body });
  }

  @Delete('current')
  @HttpCode(204)
  @UseGuards(BearerGuard)
  @ApiRoute({ summary: 'Log out: end the current session (its access and refresh tokens stop working at once)', ok: { status: 204 }, auth: 'required' })
  async logout(@AuthCaller() caller: Caller, @Client() client: ClientInfo): Promise<void> {
    await this.services.send(Api.registry.logout, { client, caller });
  }
}
