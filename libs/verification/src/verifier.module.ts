/**
 * The verifier service.
 *
 * `VerifierModule` alone carries only the ping handler (health). The service
 * proper is `VerifierModule.forRoot(config, overrides)`, which adds the
 * verification handlers and their providers:
 *   config (validated AppConfig) · clock (libs/common Clock, default the
 *   system clock: the only "now" of the service) · trust store (read once at boot; refuses to
 *   start without anchors) · validation policies (one immutable policy per
 *   purpose) · Redis client (revocation cache) · guarded HTTP and LDAP
 *   fetchers · the shared RevocationService · the two use cases.
 * Tests override the clock and the fetchers; nothing else reads the
 * environment.
 */
import { type DynamicModule, Inject, Module, type OnModuleDestroy, type Provider } from '@nestjs/common';
import { Redis } from 'ioredis';
import { closeRedis, openRedisConnection, LOGGER, serviceProviders, type AppConfig, type Logger, type ServiceOverrides } from '@jointcert/common';
import type { HttpFetcher, LdapFetcher } from '@jointcert/pki';
import { createFetchAllow, createGuardedHttpFetcher, createGuardedLdapFetcher } from './revocation/fetch-guard';
import { RevocationService } from './revocation/revocation.service';
import { TrustMetrics, TrustMetricsEndpoint } from './trust/trust-metrics';
import { loadTrustStore, type TrustStore } from './trust/trust-store';
import { ValidationPolicies } from './trust/validation-policies';
import { ServerKmKey } from './verification/server-km-key';
import { VerificationController } from './verification/verification.controller';
import { VerifyChallengeUseCase } from './verification/verify-challenge.use-case';
import { VerifyDocumentUseCase } from './verification/verify-document.use-case';
import { VerifierController } from './verifier.controller';
import { HTTP_FETCHER, LDAP_FETCHER, REDIS, TRUST_METRICS, TRUST_STORE } from './verifier.tokens';

export interface VerifierOverrides extends ServiceOverrides {
  http?: HttpFetcher;
  ldap?: LdapFetcher;
}

/** Closes the Redis connection the module opened. */
class RedisLifecycle implements OnModuleDestroy {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onModuleDestroy(): Promise<void> {
    await closeRedis(this.redis);
  }
}

@Module({ controllers: [VerifierController] })
export class VerifierModule {
  static forRoot(config: AppConfig, overrides: VerifierOverrides = {}): DynamicModule {
    const providers: Provider[] = [
      ...serviceProviders('verifier', config, overrides),
      { provide: TRUST_METRICS, useValue: new TrustMetrics() },
      TrustMetricsEndpoint,
      {
        provide: TRUST_STORE,
        useFactory: (logger: Logger, metrics: TrustMetrics): TrustStore => loadTrustStore(config, logger, metrics),
        inject: [LOGGER, TRUST_METRICS],
      },
      {
        provide: ValidationPolicies,
        useFactory: (trust: TrustStore): ValidationPolicies => new ValidationPolicies(trust, config),
        inject: [TRUST_STORE],
      },
      {
        provide: REDIS,
        // Reconnects forever with backoff; auto-pipelined (concurrent cache reads leave in one write); while down, cache reads fail fast (a miss) and the checker goes to the source.
        // After the trust store: a verifier that cannot read its anchors fails before it opens a connection (Nest closes nothing of a module that failed to build).
        useFactory: (logger: Logger, _trust: TrustStore): Promise<Redis> => openRedisConnection(config, { name: 'verifier', logger, commandTimeoutMs: 1000, autoPipelining: true }),
        inject: [LOGGER, TRUST_STORE],
      },
      RedisLifecycle,
      { provide: HTTP_FETCHER, useValue: overrides.http ?? createGuardedHttpFetcher(config, createFetchAllow(config)) },
      { provide: LDAP_FETCHER, useValue: overrides.ldap ?? createGuardedLdapFetcher(config) },
      RevocationService,
      ServerKmKey,
      VerifyChallengeUseCase,
      VerifyDocumentUseCase,
    ];
    return { module: VerifierModule, controllers: [VerificationController], providers };
  }
}
