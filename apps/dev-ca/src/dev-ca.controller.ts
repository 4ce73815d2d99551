import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError, fieldErrorsOf, malformedInput } from '@jointcert/common';
import { DevCa, DevCaInputError, type IssueResult } from './dev-ca';
import { REVOCATION_REASON_NAMES } from './store';

export const issueSchema = z.strictObject({
  /** The holder's real name (Korean), written into the CN and identifyData. */
  name: z.string().trim().min(1).max(40).optional(),
  /** Resident or business registration number, digits (hyphens are dropped). */
  idn: z.string().regex(/^[0-9][0-9-]{0,23}$/, 'digits').optional(),
  /** Encrypts signPri.key. */
  password: z.string().min(8).max(256),
  /** A policy OID or holder/usage (personal/general, corporate/general, ...). */
  policy: z.string().min(1).max(64).optional(),
  /** ≤ 0 issues an already expired certificate. */
  validityDays: z.number().int().min(-3650).max(3650).optional(),
  email: z.email().max(254).optional(),
});

export const revokeSchema = z.strictObject({
  serialHex: z.string().regex(/^(0x)?[0-9a-fA-F:]{1,100}$/, 'hex'),
  reason: z.enum(REVOCATION_REASON_NAMES).optional(),
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw malformedInput('the request body', fieldErrorsOf(r.error, [], '(body)'));
  return r.data;
}

const PEM = 'application/x-pem-file';

@Controller()
export class DevCaController {
  constructor(@Inject(DevCa) private readonly ca: DevCa) {}

  @Get('health')
  health(): { status: 'ok'; crlUrl: string; ocspUrl: string } {
    return { status: 'ok', crlUrl: this.ca.crlUrl, ocspUrl: this.ca.ocspUrl };
  }

  @Post('issue')
  @HttpCode(201)
  issue(@Body() body: unknown): IssueResult {
    const input = parse(issueSchema, body);
    try {
      return this.ca.issue(input);
    } catch (e) {
      if (e instanceof DevCaInputError) throw new DomainError('MALFORMED_INPUT', e.message);
      throw e;
    }
  }

  @Post('revoke')
  @HttpCode(200)
  revoke(@Body() body: unknown): { serialHex: string; status: 'revoked'; revokedAt: string; reason: string; alreadyRevoked: boolean; crlNumber: string } {
    const input = parse(revokeSchema, body);
    const r = this.ca.revoke(input.serialHex, input.reason);
    if (!r) throw new DomainError('NOT_FOUND', `no certificate with serial ${input.serialHex} was issued here`);
    return {
      serialHex: r.entry.serialHex,
      status: 'revoked',
      revokedAt: r.entry.revokedAt!,
      reason: r.entry.reason ?? 'unspecified',
      alreadyRevoked: !r.changed,
      crlNumber: r.crlNumber.toString(),
    };
  }

  @Get('crl/ca.crl')
  crl(@Res({ passthrough: true }) reply: FastifyReply): Buffer {
    void reply.header('content-type', 'application/pkix-crl').header('cache-control', 'no-cache');
    return this.ca.crl().der;
  }

  @Get('crl/root.crl')
  rootCrl(@Res({ passthrough: true }) reply: FastifyReply): Buffer {
    void reply.header('content-type', 'application/pkix-crl').header('cache-control', 'no-cache');
    return this.ca.rootCrl().der;
  }

  @Post('ocsp')
  @HttpCode(200)
  ocspPost(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    if (!Buffer.isBuffer(body)) throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'send the DER OCSPRequest as application/ocsp-request');
    return this.ocsp(body, reply);
  }

  /** RFC 6960 appendix A.1: GET {url}/{url-encoding of base64 of the DER OCSPRequest}. */
  @Get('ocsp/*')
  ocspGet(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    const raw = (request.url.split('?')[0] ?? '').replace(/^\/ocsp\//, '');
    let der: Buffer;
    try {
      der = Buffer.from(decodeURIComponent(raw), 'base64');
    } catch {
      der = Buffer.alloc(0);
    }
    return this.ocsp(der, reply);
  }

  @Get('ca/root.pem')
  rootPem(@Res({ passthrough: true }) reply: FastifyReply): string {
    void reply.header('content-type', PEM);
    return this.ca.rootPem;
  }

  @Get('ca/chain.pem')
  chainPem(@Res({ passthrough: true }) reply: FastifyReply): string {
    void reply.header('content-type', PEM);
    return this.ca.chainPem;
  }

  private ocsp(der: Buffer, reply: FastifyReply): Buffer {
    void reply.header('content-type', 'application/ocsp-response').header('cache-control', 'no-cache');
    return this.ca.ocsp(der).der;
  }
}
