/**
 * @jointcert/verification: the verifier service's code — trust store,
 * validation policies, revocation, the verifyChallenge / verifyDocument use
 * cases and their Nest module. apps/verifier runs it as a microservice; the
 * registry can run the challenge use case in its own process
 * (VERIFIER_MODE=in-process, see in-process.ts).
 */
export { VerifierModule, type VerifierOverrides } from './verifier.module';
export { HTTP_FETCHER, LDAP_FETCHER, REDIS, TRUST_STORE } from './verifier.tokens';
export { VerifyChallengeUseCase } from './verification/verify-challenge.use-case';
export { VerifyDocumentUseCase } from './verification/verify-document.use-case';
export { ValidationPolicies, PURPOSES, type Purpose } from './trust/validation-policies';
export { createInProcessVerifier } from './in-process';
