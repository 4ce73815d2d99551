import { Inject, Injectable } from '@nestjs/common';
import { DomainError, LOGGER, type Logger } from '@jointcert/common';
import type { CallerRequest, ClaimTransferRequest, CreateTransferRequest, TransferCreated, TransferEnvelope } from '@jointcert/contracts';
import { AccountRepository } from '@jointcert/registry-db';
import { AuditLog } from '../audit/audit-log';
import { accountUnknown } from '../shared/errors';
import { TransferStore, type ClaimLimit } from './transfer.store';

/**
 * The device-transfer relay (인증서 복사): a signed-in device leaves a sealed
 * envelope under an address, another device takes it once with that address.
 * The relay never sees the code's secret half, so it can neither read nor
 * check the bundle; what it controls is who may look up addresses and how
 * often (TransferStore's budgets). Failed claims are audited; a refusal for a
 * spent budget is logged, not audited, so an attack cannot flood the table.
 */
@Injectable()
export class TransfersService {
  constructor(
    private readonly store: TransferStore,
    private readonly accounts: AccountRepository,
    private readonly audit: AuditLog,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async create(request: CreateTransferRequest): Promise<TransferCreated> {
    const { client, caller } = request;
    if (!(await this.accounts.findById(caller.accountId))) throw accountUnknown();
    const outcome = await this.store.create({
      accountId: caller.accountId,
      ip: client.ip,
      addressHash: request.addressHash,
      ciphertext: request.ciphertext,
      salt: request.salt,
      nonce: request.nonce,
    });
    switch (outcome.kind) {
      case 'created': {
        const details = { transferId: outcome.transferId, bytes: Buffer.byteLength(request.ciphertext, 'base64'), ...(outcome.replaced ? { replaced: outcome.replaced } : {}) };
        await this.audit.success({ action: 'transfer.create', client, accountId: caller.accountId, details });
        return { transferId: outcome.transferId, expiresAt: new Date(outcome.expiresAt).toISOString() };
      }
      case 'address-in-use': {
        const err = new DomainError('TRANSFER_ADDRESS_IN_USE', 'another transfer is waiting under this code; make a new code and send again');
        await this.audit.failure({ action: 'transfer.create', client, accountId: caller.accountId, details: { failures: outcome.failures } }, err);
        throw err;
      }
      case 'limited':
        throw this.limited(outcome.limit, outcome.retryAfterMs, client.ip);
    }
  }

  async claim(request: ClaimTransferRequest): Promise<TransferEnvelope> {
    const { client } = request;
    const outcome = await this.store.claim({ address: request.address, ip: client.ip });
    switch (outcome.kind) {
      case 'claimed': {
        const { transfer } = outcome;
        await this.audit.success({ action: 'transfer.claim', client, accountId: transfer.accountId, details: { transferId: transfer.transferId } });
        // only the sealed envelope: nothing that names the sender's account or the transfer
        return { ciphertext: transfer.ciphertext, salt: transfer.salt, nonce: transfer.nonce };
      }
      case 'miss': {
        const err = notFound();
        await this.audit.failure({ action: 'transfer.claim', client, details: { failures: outcome.failures, ...(outcome.expired ? { expired: true } : {}) } }, err);
        throw err;
      }
      case 'limited':
        throw this.limited(outcome.limit, outcome.retryAfterMs, client.ip);
    }
  }

  /** For the sending device: is its transfer still waiting? (No: it was claimed, expired or cancelled.) */
  async current(request: CallerRequest): Promise<TransferCreated> {
    const transfer = await this.store.current(request.caller.accountId, false);
    if (!transfer) throw notFound();
    return { transferId: transfer.transferId, expiresAt: new Date(transfer.expiresAt).toISOString() };
  }

  /** The sender withdraws its live transfer (the code was seen by someone else, or the user changed their mind); none is fine too. */
  async cancel(request: CallerRequest): Promise<{ ok: true }> {
    const transfer = await this.store.current(request.caller.accountId, true);
    if (transfer) await this.audit.success({ action: 'transfer.cancel', client: request.client, accountId: request.caller.accountId, details: { transferId: transfer.transferId } });
    return { ok: true };
  }

  private limited(limit: ClaimLimit, retryAfterMs: number, ip: string): DomainError {
    const retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000));
    this.logger.warn({ limit, ip, retryAfter }, 'transfer lookups refused: failed-claim budget spent');
    const who = limit === 'ip' ? 'from this address' : 'from all clients together';
    return new DomainError('RATE_LIMITED', `too many failed transfer claims ${who}; retry in ${retryAfter} s`, { retryAfter, limit });
  }
}

/** Wrong code, already claimed, expired: one answer, so a guesser learns nothing from which. */
function notFound(): DomainError {
  return new DomainError('TRANSFER_NOT_FOUND', 'no transfer is waiting under this code: check the digits, or send again (a transfer is taken once and expires after a few minutes)');
}
