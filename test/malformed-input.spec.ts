import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { z } from 'zod';
import { createLogger, DomainError, fromRpcError, loadConfig, problemType, toProblem, toWireError, type ProblemDocument } from '@jointcert/common';
import { Api, SIGNED_DATA_MAX_BYTES, type Envelope } from '@jointcert/contracts';
import { signedChallengeBody, verifyDocumentBody, registerBody, replaceBody } from '../apps/gateway/src/validation/request.schemas';
import { ZodPipe } from '../apps/gateway/src/validation/zod.pipe';
import { CertificatesController } from '../apps/registry/src/certificates/certificates.controller';
import { SessionsController } from '../apps/registry/src/sessions/sessions.controller';
import { VerificationController } from '../libs/verification/src/verification/verification.controller';

// One signedData, three layers: the gateway's REST body, the registry's
// messages and the verifier's. Each layer refuses the same malformed value with
// the same problem (the message contracts' schema and SIGNED_DATA_MAX_BYTES,
// libs/common's one MALFORMED_INPUT shape), and none accepts what another
// refuses. The services' handlers are the real controllers (@Handles parses
// before anything is delegated); their errors cross the transport as they do
// in production (toWireError → fromRpcError) before they are rendered.

const quiet = createLogger(loadConfig({}), { destination: new Writable({ write: (_c, _e, done) => done() }) });
const CLIENT = { ip: '203.0.113.7', userAgent: 'jest' };
const CALLER = { accountId: randomUUID(), sessionId: randomUUID() };
const CHALLENGE_ID = randomUUID();

/** Every use case answers 'delegated': reaching one means the message was accepted. */
const delegated = new Proxy({}, { get: () => () => Promise.resolve('delegated') }) as never;
/** @Idempotent handlers: no idempotency key in these envelopes, so the handler runs (as Idempotency.handle does without one). */
const runs = { handle: (_pattern: string, _envelope: unknown, _ctx: unknown, run: () => unknown) => Promise.resolve(run()) } as never;
const registry = { sessions: new SessionsController(delegated, delegated, delegated, runs), certificates: new CertificatesController(delegated, delegated, delegated, delegated, delegated, delegated, runs) };
const verifier = new VerificationController(delegated, delegated);

type Outcome = { accepted: true } | { accepted: false; problem: ProblemDocument };

/** A handler called as the transport calls it (with the envelope); a refusal rendered as the gateway renders a service's error. */
async function viaTransport(cmd: string, call: (envelope: Envelope<unknown>) => unknown, data: unknown): Promise<Outcome> {
  try {
    await call({ meta: { requestId: randomUUID() }, data });
    return { accepted: true };
  } catch (e) {
    const mapped = fromRpcError(toWireError(e, quiet), cmd, 1000);
    if (!(mapped instanceof DomainError)) throw mapped;
    return { accepted: false, problem: toProblem(mapped) };
  }
}

/** A REST body through the gateway's pipe, rendered as its problem filter renders it. */
function viaGateway(schema: z.ZodType, body: unknown): Outcome {
  try {
    new ZodPipe(schema).transform(body);
    return { accepted: true };
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    return { accepted: false, problem: toProblem(e) };
  }
}

type Handler = (envelope: Envelope<unknown>) => unknown;
const handler = (target: object, method: string): Handler => (envelope) => (target as Record<string, (e: unknown) => unknown>)[method]!.call(target, envelope);

function everyLayer(signedData: string): Promise<Array<[string, Outcome]>> {
  const nonce = randomBytes(32).toString('base64');
  return Promise.all([
    ['gateway POST /v1/sessions', viaGateway(signedChallengeBody, { challengeId: CHALLENGE_ID, signedData })],
    ['gateway POST /v1/certificates', viaGateway(registerBody, { challengeId: CHALLENGE_ID, signedData })],
    ['gateway POST /v1/certificates/{id}/replace', viaGateway(replaceBody, { challengeId: CHALLENGE_ID, signedData })],
    ['gateway POST /v1/signatures/verify', viaGateway(verifyDocumentBody, { signedData })],
    ['registry login', viaTransport(Api.registry.login.cmd, handler(registry.sessions, 'login'), { client: CLIENT, challengeId: CHALLENGE_ID, signedData })],
    ['registry register', viaTransport(Api.registry.register.cmd, handler(registry.certificates, 'register'), { client: CLIENT, challengeId: CHALLENGE_ID, signedData })],
    ['registry replace', viaTransport(Api.registry.replaceCertificate.cmd, handler(registry.certificates, 'replace'), { client: CLIENT, caller: CALLER, certificateId: randomUUID(), challengeId: CHALLENGE_ID, signedData })],
    ['verifier verifyChallenge', viaTransport(Api.verifier.verifyChallenge.cmd, handler(verifier, 'verifyChallenge'), { signedData, expectedContent: nonce, purpose: 'login' })],
    ['verifier verifyDocument', viaTransport(Api.verifier.verifyDocument.cmd, handler(verifier, 'verifyDocument'), { signedData })],
  ].map(async ([layer, outcome]) => [layer as string, await (outcome as Outcome | Promise<Outcome>)] as [string, Outcome]));
}

describe('one signedData limit and one MALFORMED_INPUT, at the gateway, the registry and the verifier', () => {
  it.each([
    ['one byte over SIGNED_DATA_MAX_BYTES', randomBytes(SIGNED_DATA_MAX_BYTES + 1).toString('base64'), 'must decode to at most 65536 bytes'],
    ['far over it', randomBytes(SIGNED_DATA_MAX_BYTES * 2).toString('base64'), 'must decode to at most 65536 bytes'],
    ['empty', '', 'must not be empty'],
  ])('%s: every layer answers the same 400 problem naming signedData', async (_label, signedData, message) => {
    const outcomes = await everyLayer(signedData);
    const { type, title } = problemType('MALFORMED_INPUT');
    const expected = { type, title, status: 400, code: 'MALFORMED_INPUT', errors: [{ field: 'signedData', message }] };
    for (const [layer, outcome] of outcomes) {
      expect({ layer, accepted: outcome.accepted }).toEqual({ layer, accepted: false });
      if (outcome.accepted) continue;
      const { detail, ...problem } = outcome.problem;
      expect({ layer, problem }).toEqual({ layer, problem: expected });
      expect({ layer, detail }).toEqual({ layer, detail: expect.stringMatching(/ is not valid: signedData$/) as string });
    }
  });

  it('exactly SIGNED_DATA_MAX_BYTES: every layer accepts it (the services go on to their use case)', async () => {
    const outcomes = await everyLayer(randomBytes(SIGNED_DATA_MAX_BYTES).toString('base64'));
    expect(outcomes).toEqual(outcomes.map(([layer]) => [layer, { accepted: true }]));
  });
});
