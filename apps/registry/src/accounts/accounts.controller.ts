import { Controller } from '@nestjs/common';
import { Handles } from '@jointcert/common';
import { Api, type AccountView, type CallerRequest, type UpdateAccountRequest } from '@jointcert/contracts';
import { SecondFactor } from '../security/second-factor.service';
import { AccountsService } from './accounts.service';

/** Message handlers: delegate (the contract's schema validated the request). */
@Controller()
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly secondFactor: SecondFactor,
  ) {}

  @Handles(Api.registry.getAccount)
  get(request: CallerRequest): Promise<AccountView> {
    return this.accounts.get(request);
  }

  @Handles(Api.registry.updateAccount)
  async update(request: UpdateAccountRequest): Promise<AccountView> {
    // changing (or removing) the email — where reminders and lock confirmations go — needs a fresh code once a second factor is enrolled
    if (request.email !== undefined) await this.secondFactor.requireFresh(request.caller.accountId, request.totpCode, request.client, 'account.update');
    return this.accounts.update(request);
  }
}
