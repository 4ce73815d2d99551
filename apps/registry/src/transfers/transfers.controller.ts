import { Controller } from '@nestjs/common';
import { Handles } from '@jointcert/common';
import { Api, type CallerRequest, type ClaimTransferRequest, type CreateTransferRequest, type TransferCreated, type TransferEnvelope } from '@jointcert/contracts';
import { SecondFactor } from '../security/second-factor.service';
import { TransfersService } from './transfers.service';

/** Message handlers: delegate (the contract's schema validated the request). */
@Controller()
export class TransfersController {
  constructor(
    private readonly transfers: TransfersService,
    private readonly secondFactor: SecondFactor,
  ) {}

  @Handles(Api.registry.createTransfer)
  async create(request: CreateTransferRequest): Promise<TransferCreated> {
    // sending a certificate away needs a fresh code once a second factor is enrolled
    await this.secondFactor.requireFresh(request.caller.accountId, request.totpCode, request.client, 'transfer.create');
    return this.transfers.create(request);
  }

  @Handles(Api.registry.claimTransfer)
  claim(request: ClaimTransferRequest): Promise<TransferEnvelope> {
    return this.transfers.claim(request);
  }

  @Handles(Api.registry.currentTransfer)
  current(request: CallerRequest): Promise<TransferCreated> {
    return this.transfers.current(request);
  }

  @Handles(Api.registry.cancelTransfer)
  cancel(request: CallerRequest): Promise<{ ok: true }> {
    return this.transfers.cancel(request);
  }
}
