import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Api, type Envelope, type ValidationReport, type VerifyChallengeRequest, type VerifyChallengeResult, type VerifyDocumentRequest } from '@jointcert/contracts';
import { VerifyChallengeUseCase } from './verify-challenge.use-case';
import { VerifyDocumentUseCase } from './verify-document.use-case';

/** The verifier's message handlers: one line of delegation each (transport-agnostic use cases). */
@Controller()
export class VerificationController {
  constructor(
    private readonly challenge: VerifyChallengeUseCase,
    private readonly document: VerifyDocumentUseCase,
  ) {}

  @MessagePattern(Api.verifier.verifyChallenge.cmd)
  verifyChallenge(@Payload() env: Envelope<VerifyChallengeRequest>): Promise<VerifyChallengeResult> {
    return this.challenge.execute(env?.data);
  }

  @MessagePattern(Api.verifier.verifyDocument.cmd)
  verifyDocument(@Payload() env: Envelope<VerifyDocumentRequest>): Promise<ValidationReport> {
    return this.document.execute(env?.data);
  }
}
