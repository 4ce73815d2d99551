import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { Patterns, type PingResult } from '@jointcert/contracts';

@Controller()
export class VerifierController {
  @MessagePattern(Patterns.verifierPing.cmd)
  ping(): PingResult {
    return { service: 'verifier', at: new Date().toISOString() };
  }
}
