import { Controller, Post, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Api, type ChallengeView, type ClientInfo } from '@jointcert/contracts';
import { ServiceClient } from '@jointcert/common';
import { Client } from '../auth/client-info.decorator';
import { ApiRoute } from '../openapi/api-route.decorator';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';

@ApiTags('sessions')
@Controller('v1/challenges')
export class ChallengesController {
  constructor(private readonly services: ServiceClient) {}

  @Post()
  @UseGuards(RateLimitGuard)
  @ApiRoute({
    summary: 'Get a single-use challenge to sign (login, registration, replacement)',
    description: 'The nonce (≥ 32 random bytes, base64) is valid until expiresAt and consumed by the first request that presents it.',
    ok: { status: 201, schema: 'ChallengeView' },
    rateLimited: true,
  })
  create(@Client() client: ClientInfo): Promise<ChallengeView> {
    return this.services.send(Api.registry.createChallenge, { client });
  }
}
