import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { Api, type ChallengeView } from '@jointcert/contracts';
import { clientSchema, parsePayload } from '../shared/validation';
import { ChallengeStore } from './challenge.store';

const createChallengeSchema = z.object({ client: clientSchema });

@Controller()
export class ChallengesController {
  constructor(private readonly challenges: ChallengeStore) {}

  @MessagePattern(Api.registry.createChallenge.cmd)
  create(@Payload() envelope: unknown): Promise<ChallengeView> {
    parsePayload(createChallengeSchema, envelope);
    return this.challenges.create();
  }
}
