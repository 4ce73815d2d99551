import { Controller } from '@nestjs/common';
import { Handles } from '@jointcert/common';
import { Api, type ValidationReport, type VerifyChallengeRequest, type VerifyChallengeResult, type VerifyDocumentRequest } from '@jointcert/contracts';
import { VerifyChallengeUseCase } from './verify-challenge.use-case';
import { VerifyDocumentUseCase } from './verify-document.use-case';

/** The verifier's message handlers: one line of delegation each (the contract's schema validated the request; transport-agnostic use cases). */
@Controller()
export class VerificationController {
  constructor(
    private readonly challenge: VerifyChallengeUseCase,
    private readonly document: VerifyDocumentUseCase,
  ) {}

  @Handles(Api.verifier.verifyChallenge)
  verifyChallenge(request: VerifyChallengeRequest): Promise<VerifyChallengeResult> {
    return this.challenge.execute(request);
  }

  // the report as a value when it was built without waiting (Nest's handler proxy awaits either)
  @Handles(Api.verifier.verifyDocument)
  verifyDocument(request: VerifyDocumentRequest): ValidationReport | Promise<ValidationReport> {
    return this.document.report(request);
  }
}
