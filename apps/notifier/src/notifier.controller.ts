import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { Patterns, type PingResult } from '@jointcert/contracts';

@Controller()
export class NotifierController {
  @MessagePattern(Patterns.notifierPing.cmd)
  ping(): PingResult {
    return { service: 'notifier', at: new Date().toISOString() };
  }
}
