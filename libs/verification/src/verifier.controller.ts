import { Controller } from '@nestjs/common';
import { Handles } from '@jointcert/common';
import { Api, type PingResult } from '@jointcert/contracts';

@Controller()
export class VerifierController {
  @Handles(Api.verifier.ping)
  ping(): PingResult {
    return { service: 'verifier', at: new Date().toISOString() };
  }
}
