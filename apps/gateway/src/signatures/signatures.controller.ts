import { Body, Controller, Header, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Api } from '@jointcert/contracts';
import { ServiceClient } from '@jointcert/common';
import { RateLimitedBearerGuard } from '../auth/bearer.guard';
import { ApiRoute } from '../openapi/api-route.decorator';
import { plainVerifyDocumentBody, verifyDocumentBody, type VerifyDocumentBody } from '../validation/request.schemas';
import { ZodPipe } from '../validation/zod.pipe';
import { reportJson } from './report-json';

@ApiTags('signatures')
@Controller('v1/signatures')
export class SignaturesController {
  constructor(private readonly services: ServiceClient) {}

  @Post('verify')
  @HttpCode(200)
  @Header('content-type', 'application/json; charset=utf-8')
  // rate-limited like the login routes, before authentication: a document can
  // carry up to 32 certificates for path building, so each request buys work
  @UseGuards(RateLimitedBearerGuard)
  @ApiRoute({
    summary: 'Verify a signed document (CMS SignedData, attached or detached) and get its validation report',
    description: '200 whatever the verdict: the request was fine even when the signature is not (verdict invalid or indeterminate, with reasons).',
    body: 'VerifyDocumentRequest',
    ok: { status: 200, schema: 'ValidationReport' },
    auth: 'required',
    rateLimited: true,
  })
  verify(@Body(new ZodPipe(verifyDocumentBody, undefined, plainVerifyDocumentBody)) body: VerifyDocumentBody): Promise<Buffer> {
    // the ValidationReport's JSON as Fastify would send it, from remembered signers (report-json.ts); one promise, not an async function's two
    return this.services.send(Api.verifier.verifyDocument, body).then(reportJson);
  }
}
