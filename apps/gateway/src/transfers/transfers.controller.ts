import { Body, Controller, Delete, Get, Headers, HttpCode, Post, UseGuards, type PipeTransform } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Api, TRANSFER_FORMAT, type Caller, type ClientInfo, type TransferCreated, type TransferEnvelope } from '@jointcert/contracts';
import { DomainError, ServiceClient } from '@jointcert/common';
import { AuthCaller, BearerGuard, RateLimitedBearerGuard } from '../auth/bearer.guard';
import { Client } from '../auth/client-info.decorator';
import { ApiRoute } from '../openapi/api-route.decorator';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { ApiTotpHeader, totpHeader, TOTP_HEADER } from '../security/totp-header';
import { claimTransferBody, createTransferBody, type ClaimTransferBody, type CreateTransferBody } from '../validation/request.schemas';
import { ZodPipe } from '../validation/zod.pipe';

/** A bundle over the relay's limit is 413 (what it is), before the field-by-field validation. */
class BundleSizePipe implements PipeTransform<unknown, unknown> {
  transform(value: unknown): unknown {
    const ciphertext = (value as { ciphertext?: unknown } | null)?.ciphertext;
    // decoded size from the length and padding alone (nothing is decoded)
    if (typeof ciphertext === 'string' && Buffer.byteLength(ciphertext, 'base64') > TRANSFER_FORMAT.CIPHERTEXT_MAX_BYTES) {
      throw new DomainError('PAYLOAD_TOO_LARGE', `the bundle exceeds the transfer limit of ${TRANSFER_FORMAT.CIPHERTEXT_MAX_BYTES} bytes (an NPKI key pair or a PFX is a few KiB)`);
    }
    return value;
  }
}

@ApiTags('transfers')
@Controller('v1/transfers')
export class TransfersController {
  constructor(private readonly services: ServiceClient) {}

  @Post()
  @UseGuards(RateLimitedBearerGuard)
  @ApiRoute({
    summary: 'Send a certificate to another device (인증서 복사 / 내보내기): leave the sealed bundle for one claim',
    description:
      'The sending device makes a 16-digit code (shown 4×4). The first 8 digits are the address: their SHA-256 is sent here. ' +
      'The other 8 never leave the devices: scrypt(code, salt) keys AES-256-GCM over the bundle (signCert.der + signPri.key as they are, or a PFX). ' +
      'The relay keeps the envelope for TRANSFER_TTL_S (default 180 s) under a keyed hash of the address; one live transfer per account (a new one replaces it).',
    body: 'CreateTransferRequest',
    ok: { status: 201, schema: 'TransferCreated' },
    errors: ['PAYLOAD_TOO_LARGE', 'TRANSFER_ADDRESS_IN_USE', 'TOTP_REQUIRED', 'TOTP_INVALID'],
    auth: 'required',
    rateLimited: true,
  })
  @ApiTotpHeader
  create(@Body(new BundleSizePipe(), new ZodPipe(createTransferBody)) body: CreateTransferBody, @AuthCaller() caller: Caller, @Client() client: ClientInfo, @Headers(TOTP_HEADER) code?: string): Promise<TransferCreated> {
    return this.services.send(Api.registry.createTransfer, { client, caller, ...body, ...totpHeader(code) });
  }

  @Post('claim')
  @HttpCode(200)
  @UseGuards(RateLimitGuard)
  @ApiRoute({
    summary: 'Receive a certificate on this device (인증서 가져오기): take the sealed bundle, once',
    description:
      'No session needed (the phone is not signed in yet). The first claim takes the bundle and deletes it; a wrong, used or expired address is 404 TRANSFER_NOT_FOUND and counts against ' +
      'a budget of failed claims per client address and one for all clients together (429 with Retry-After when spent, even for the right address). ' +
      'The answer holds only the envelope: decrypt it with the whole code, then register the certificate with POST /v1/certificates.',
    body: 'ClaimTransferRequest',
    ok: { status: 200, schema: 'TransferEnvelope' },
    errors: ['TRANSFER_NOT_FOUND'],
    rateLimited: true,
  })
  claim(@Body(new ZodPipe(claimTransferBody)) body: ClaimTransferBody, @Client() client: ClientInfo): Promise<TransferEnvelope> {
    return this.services.send(Api.registry.claimTransfer, { client, address: body.address });
  }

  @Get('current')
  @UseGuards(BearerGuard)
  @ApiRoute({
    summary: 'Is my transfer still waiting? (the sending device polls this to stop showing the code)',
    description: '200 while it waits; 404 TRANSFER_NOT_FOUND once it was claimed, expired or cancelled.',
    ok: { status: 200, schema: 'TransferCreated' },
    errors: ['TRANSFER_NOT_FOUND'],
    auth: 'required',
  })
  current(@AuthCaller() caller: Caller, @Client() client: ClientInfo): Promise<TransferCreated> {
    return this.services.send(Api.registry.currentTransfer, { client, caller });
  }

  @Delete('current')
  @HttpCode(204)
  @UseGuards(BearerGuard)
  @ApiRoute({
    summary: 'Withdraw my transfer before it is claimed (the code was seen, or plans changed); 204 also when none is waiting',
    ok: { status: 204 },
    auth: 'required',
  })
  async cancel(@AuthCaller() caller: Caller, @Client() client: ClientInfo): Promise<void> {
    await this.services.send(Api.registry.cancelTransfer, { client, caller });
  }
}
