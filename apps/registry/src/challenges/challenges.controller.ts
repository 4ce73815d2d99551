import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import type { AppConfig } from '@jointcert/common';
import { Api, challengeTextToSign, type ChallengeView } from '@jointcert/contracts';
import { CONFIG } from '@jointcert/common';
import { clientSchema, parsePayload } from '../shared/validation';
import { ChallengeStore } from './challenge.store';

const createChallengeSchema = z.object({ client: clientSchema });

@Controller()
export class ChallengesController {
  constructor(
    private readonly challenges: ChallengeStore,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  /** The challenge, with its text for string-signing clients derived from the nonce and SITE_NAME (nothing more is stored). */
  @MessagePattern(Api.registry.createChallenge.cmd)
  async create(@Payload() envelope: unknown): Promise<ChallengeView> {
    parsePayload(createChallengeSchema, envelope);
    const c = await this.challenges.create();
    return { challengeId: c.challengeId, nonce: c.nonce, textToSign: challengeTextToSign(c.nonce, this.config.SITE_NAME), expiresAt: c.expiresAt };
  }
}
