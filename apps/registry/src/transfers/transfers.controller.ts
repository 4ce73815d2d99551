import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { Api, TRANSFER_FORMAT, type TransferCreated, type TransferEnvelope } from '@jointcert/contracts';
import { base64, callerSchema, clientSchema, parsePayload } from '../shared/validation';
import { SecondFactor } from '../security/second-factor.service';
import { totpCodeSchema } from '../security/second-factor.schemas';
import { TransfersService } from './transfers.service';

const b64Chars = (bytes: number) => Math.ceil(bytes / 3) * 4;
const envelope = {
  ciphertext: base64(b64Chars(TRANSFER_FORMAT.CIPHERTEXT_MAX_BYTES)),
  salt: base64(b64Chars(TRANSFER_FORMAT.SALT_BYTES)),
  nonce: base64(b64Chars(TRANSFER_FORMAT.NONCE_BYTES)),
};
const createSchema = z.object({
  client: clientSchema,
  caller: callerSchema,
  addressHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256, lowercase hex'),
  ...envelope,
  totpCode: totpCodeSchema.optional(),
});
const callerRequestSchema = z.object({ client: clientSchema, caller: callerSchema });
const claimSchema = z.object({
  client: clientSchema,
  address: z.string().regex(new RegExp(`^[0-9]{${TRANSFER_FORMAT.ADDRESS_DIGITS}}$`), `must be ${TRANSFER_FORMAT.ADDRESS_DIGITS} digits`),
});

/** Message handlers: validate, delegate. */
@Controller()
export class TransfersController {
  constructor(
    private readonly transfers: TransfersService,
    private readonly secondFactor: SecondFactor,
  ) {}

  @MessagePattern(Api.registry.createTransfer.cmd)
  async create(@Payload() envelope: unknown): Promise<TransferCreated> {
    const request = parsePayload(createSchema, envelope);
    // sending a certificate away needs a fresh code once a second factor is enrolled
    await this.secondFactor.requireFresh(request.caller.accountId, request.totpCode, request.client, 'transfer.create');
    return this.transfers.create(request);
  }

  @MessagePattern(Api.registry.claimTransfer.cmd)
  claim(@Payload() envelope: unknown): Promise<TransferEnvelope> {
    return this.transfers.claim(parsePayload(claimSchema, envelope));
  }

  @MessagePattern(Api.registry.currentTransfer.cmd)
  current(@Payload() envelope: unknown): Promise<TransferCreated> {
    return this.transfers.current(parsePayload(callerRequestSchema, envelope));
  }

  @MessagePattern(Api.registry.cancelTransfer.cmd)
  cancel(@Payload() envelope: unknown): Promise<{ ok: true }> {
    return this.transfers.cancel(parsePayload(callerRequestSchema, envelope));
  }
}
