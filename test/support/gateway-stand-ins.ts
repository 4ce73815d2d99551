import { Controller, Inject, Module, type INestMicroservice } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { Api, type Envelope, type PingResult, type RegisterRequest, type RequestMeta, type ValidationReport } from '@jointcert/contracts';
import { createMicroservice, SessionRevocations, type AppConfig, type DomainError } from '@jointcert/common';
import * as ex from '../../apps/gateway/src/openapi/examples';

/**
 * Stand-in registry and verifier for the gateway's own tests: real
 * microservices on the real Redis transport (under the test's REDIS_PREFIX)
 * that record every envelope they receive and answer canned results — or the
 * DomainError a test scripts for a pattern.
 */
export class StandInState {
  readonly calls: Array<{ cmd: string; meta: RequestMeta; data: unknown }> = [];
  readonly failures = new Map<string, DomainError>();
  /** The next verify-document report. */
  report: ValidationReport = ex.reportExample;

  answer<T>(cmd: string, env: Envelope<unknown>, result: T): T {
    this.calls.push({ cmd, meta: env.meta, data: env.data });
    const failure = this.failures.get(cmd);
    if (failure) throw failure;
    return result;
  }

  callsTo(cmd: string): Array<{ meta: RequestMeta; data: unknown }> {
    return this.calls.filter((c) => c.cmd === cmd);
  }

  reset(): void {
    this.calls.length = 0;
    this.failures.clear();
    this.report = ex.reportExample;
  }
}

const STATE = Symbol('stand-in state');
const R = Api.registry;
const V = Api.verifier;
const ok = { ok: true as const };

@Controller()
class RegistryStandIn {
  constructor(@Inject(STATE) private readonly s: StandInState) {}

  @MessagePattern(Api.registry.ping.cmd)
  ping(): PingResult {
    return { service: 'registry', at: new Date().toISOString() };
  }

  @MessagePattern(R.createChallenge.cmd)
  createChallenge(@Payload() e: Envelope<unknown>) {
    return this.s.answer(R.createChallenge.cmd, e, ex.challengeExample);
  }

  @MessagePattern(R.register.cmd)
  register(@Payload() e: Envelope<RegisterRequest>) {
    return this.s.answer(R.register.cmd, e, e.data.caller ? { certificate: ex.certificateExample } : ex.signUpExample);
  }

  @MessagePattern(R.login.cmd)
  login(@Payload() e: Envelope<unknown>) {
    return this.s.answer(R.login.cmd, e, ex.sessionExample);
  }

  @MessagePattern(R.refresh.cmd)
  refresh(@Payload() e: Envelope<unknown>) {
    return this.s.answer(R.refresh.cmd, e, ex.sessionExample);
  }

  @MessagePattern(R.logout.cmd)
  logout(@Payload() e: Envelope<unknown>) {
    return this.s.answer(R.logout.cmd, e, ok);
  }

  @MessagePattern(R.getAccount.cmd)
  getAccount(@Payload() e: Envelope<unknown>) {
    return this.s.answer(R.getAccount.cmd, e, ex.accountExample);
  }

  @MessagePattern(R.updateAccount.cmd)
  updateAccount(@Payload() e: Envelope<unknown>) {
    return this.s.answer(R.updateAccount.cmd, e, { ...ex.accountExample, locale: 'en' });
  }

  @MessagePattern(R.listCertificates.cmd)
  listCertificates(@Payload() e: Envelope<unknown>) {
    return this.s.answer(R.listCertificates.cmd, e, [ex.certificateExample]);
  }

  @MessagePattern(R.getCertificate.cmd)
  getCertificate(@Payload() e: Envelope<unknown>) {
    return this.s.answer(R.getCertificate.cmd, e, ex.certificateExample);
  }

  @MessagePattern(R.replaceCertificate.cmd)
  replaceCertificate(@Payload() e: Envelope<unknown>) {
    return this.s.answer(R.replaceCertificate.cmd, e, ex.replaceExample);
  }

  @MessagePattern(R.deleteCertificate.cmd)
  deleteCertificate(@Payload() e: Envelope<unknown>) {
    return this.s.answer(R.deleteCertificate.cmd, e, ok);
  }
}

@Controller()
class VerifierStandIn {
  constructor(@Inject(STATE) private readonly s: StandInState) {}

  @MessagePattern(Api.verifier.ping.cmd)
  ping(): PingResult {
    return { service: 'verifier', at: new Date().toISOString() };
  }

  @MessagePattern(V.verifyDocument.cmd)
  verifyDocument(@Payload() e: Envelope<unknown>) {
    return this.s.answer(V.verifyDocument.cmd, e, this.s.report);
  }
}

export interface StandIns {
  state: StandInState;
  /** Stop the verifier stand-in (a service that is down). */
  stopVerifier(): Promise<void>;
  close(): Promise<void>;
}

async function start(controller: new (...args: never[]) => unknown, state: StandInState, config: AppConfig): Promise<INestMicroservice> {
  @Module({ controllers: [controller], providers: [{ provide: STATE, useValue: state }] })
  class StandInModule {}
  const app = await createMicroservice(StandInModule, config);
  await app.listen();
  return app;
}

export async function startStandIns(config: AppConfig): Promise<StandIns> {
  const state = new StandInState();
  // What the registry does at boot (RevocationSync): the revocation set is complete, so tokens can be checked.
  const redis = new Redis(config.REDIS_URL);
  await new SessionRevocations(redis, config).markLoaded();
  await redis.quit();
  const running = new Set([await start(RegistryStandIn, state, config), await start(VerifierStandIn, state, config)]);
  const [, verifier] = [...running];
  const stop = async (app: INestMicroservice | undefined): Promise<void> => {
    if (app && running.delete(app)) await app.close();
  };
  return {
    state,
    stopVerifier: () => stop(verifier),
    close: async () => {
      await Promise.all([...running].map(stop));
    },
  };
}
