import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { DomainError } from '@jointcert/common';
import { NotifierApi, Patterns, type PingResult, type UnsubscribeView } from '@jointcert/contracts';
import { Notifier } from './notifier';

@Controller()
export class NotifierController {
  @MessagePattern(Patterns.notifierPing.cmd)
  ping(): PingResult {
    return { service: 'notifier', at: new Date().toISOString() };
  }
}

/** The unsubscribe link, forwarded by the gateway: validate, delegate. */
@Controller()
export class UnsubscribeController {
  constructor(private readonly notifier: Notifier) {}

  @MessagePattern(NotifierApi.unsubscribe.cmd)
  unsubscribe(@Payload() envelope: unknown): Promise<UnsubscribeView> {
    const data = (envelope as { data?: { token?: unknown; confirm?: unknown } } | null)?.data;
    if (typeof data?.token !== 'string' || typeof data.confirm !== 'boolean') throw new DomainError('MALFORMED_INPUT', 'token (string) and confirm (boolean) are required');
    return this.notifier.unsubscribe(data.token, data.confirm);
  }
}
