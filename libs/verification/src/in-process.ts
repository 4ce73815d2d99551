import { NestFactory } from '@nestjs/core';
import { createLogger, LocalServiceClient, parseMessage, type AppConfig } from '@jointcert/common';
import { Api } from '@jointcert/contracts';
import { VerifierModule, type VerifierOverrides } from './verifier.module';
import { VerifyChallengeUseCase } from './verification/verify-challenge.use-case';
import { VerifyDocumentUseCase } from './verification/verify-document.use-case';

/**
 * The verifier inside the caller's process (VERIFIER_MODE=in-process): the
 * same module (trust store loaded once, validation policies, revocation with
 * its Redis cache) as a Nest application context without a transport, its
 * use cases behind a LocalServiceClient with the verifier's contracts (each
 * request parsed by its contract's schema, as @Handles does). What
 * the caller saves per call: the request's JSON and Redis publish, the
 * verifier's message dispatch, the reply's JSON and publish.
 */
export async function createInProcessVerifier(config: AppConfig, overrides: VerifierOverrides = {}): Promise<LocalServiceClient> {
  const logger = overrides.logger ?? createLogger(config, { name: 'verifier' });
  const app = await NestFactory.createApplicationContext(VerifierModule.forRoot(config, { ...overrides, logger }), { logger: false });
  const challenge = app.get(VerifyChallengeUseCase);
  const document = app.get(VerifyDocumentUseCase);
  return new LocalServiceClient(config.SERVICE_TIMEOUT_MS, logger, () => app.close())
    .handle(Api.verifier.verifyChallenge, (data) => challenge.execute(parseMessage(Api.verifier.verifyChallenge, data)))
    .handle(Api.verifier.verifyDocument, (data) => document.execute(parseMessage(Api.verifier.verifyDocument, data)));
}
