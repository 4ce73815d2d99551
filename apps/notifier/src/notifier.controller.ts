import { Controller } from '@nestjs/common';
import { Handles } from '@jointcert/common';
import { Api, type PingResult, type UnsubscribeRequest, type UnsubscribeView } from '@jointcert/contracts';
import { Notifier } from './notifier';

@Controller()
export class NotifierController {
  @Handles(Api.notifier.ping)
  ping(): PingResult {
    return { service: 'notifier', at: new Date().toISOString() };
  }
}

/** The unsubscribe link, forwarded by the gateway: delegate (the contract's schema validated the request). */
@Controller()
export class UnsubscribeController {
  constructor(private readonly notifier: Notifier) {}

  @Handles(Api.notifier.unsubscribe)
  unsubscribe(request: UnsubscribeRequest): Promise<UnsubscribeView> {
    return this.notifier.unsubscribe(request.token, request.confirm);
  }
}
