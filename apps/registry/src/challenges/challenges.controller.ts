import { Controller, Inject } from '@nestjs/common';
import { Handles, CONFIG, type AppConfig } from '@jointcert/common';
import { Api, challengeTextToSign, type ChallengeView } from '@jointcert/contracts';
import { ChallengeStore } from './challenge.store';

@Controller()
export class ChallengesController {
  constructor(
    private readonly challenges: ChallengeStore,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  /** The challenge, with its text for string-signing clients derived from the nonce and SITE_NAME (nothing more is stored). */
  @Handles(Api.registry.createChallenge)
  create(): Promise<ChallengeView> {
    return this.challenges
      .create()
      .then((c) => ({ challengeId: c.challengeId, nonce: c.nonce, textToSign: challengeTextToSign(c.nonce, this.config.SITE_NAME), expiresAt: c.expiresAt }));
  }
}
