import { Module, type DynamicModule } from '@nestjs/common';
import { Redis } from 'ioredis';
import { CLOCK, createLogger, serviceProviders, SessionRevocations, type AppConfig, type Clock, type ServiceCaller, type ServiceOverrides } from '@jointcert/common';
import { RegistryDatabase, RegistryDbModule } from '@jointcert/registry-db';
import { AccountsController } from './accounts/accounts.controller';
import { AccountsService } from './accounts/accounts.service';
import { IdentityHasher } from './accounts/identity-hash';
import { AuditLog } from './audit/audit-log';
import { CertificateQueries } from './certificates/certificate-queries';
import { CertificatesController } from './certificates/certificates.controller';
import { DeleteCertificate } from './certificates/delete.use-case';
import { RegisterCertificate } from './certificates/register.use-case';
import { ReplaceCertificate } from './certificates/replace.use-case';
import { ChallengeStore } from './challenges/challenge.store';
import { ChallengesController } from './challenges/challenges.controller';
import { Idempotency, RequestResultsPurge } from './idempotency/idempotency';
import { recordPendingResult, RequestResults } from './idempotency/request-results';
import { openRedis, openVerifierClient, RegistryResources } from './infrastructure/resources';
import { CertificateRateLimiter } from './proof/certificate-rate-limiter';
import { SignatureProof } from './proof/signature-proof';
import { RegistryController } from './registry.controller';
import { VERIFIER } from './registry.tokens';
import { LogIn } from './sessions/login.use-case';
import { LogOut } from './sessions/logout.use-case';
import { RefreshSession } from './sessions/refresh.use-case';
import { RevocationSync } from './sessions/revocation-sync';
import { AccountSessions } from './security/account-sessions.service';
import { CertificateLocks } from './security/certificate-lock.use-case';
import { DeleteByLink } from './certificates/delete-link.use-case';
import { PasswordHints } from './security/password-hint.use-case';
import { SecondFactor } from './security/second-factor.service';
import { SecurityController } from './security/security.controller';
import { SessionIssuer } from './sessions/session-issuer';
import { SessionsController } from './sessions/sessions.controller';
import { TransferStore } from './transfers/transfer.store';
import { TransfersController } from './transfers/transfers.controller';
import { TransfersService } from './transfers/transfers.service';

export interface RegistryOverrides extends ServiceOverrides {
  /** The verifier to call (a process hosting both: the co-located one); default as VERIFIER_MODE says. */
  verifier?: ServiceCaller;
}

/** The registry's message handlers. */
export const REGISTRY_CONTROLLERS = [ChallengesController, SessionsController, AccountsController, CertificatesController, SecurityController, TransfersController] as const;

/** Transport-level liveness (registry.ping): no dependencies, so it answers even before anything else is wired. The service: RegistryModule.forRoot. */
@Module({ controllers: [RegistryController] })
export class RegistryModule {
  static forRoot(config: AppConfig, overrides: RegistryOverrides = {}): DynamicModule {
    return registryService(config, overrides);
  }
}

/**
 * The registry service for one configuration: Postgres (migrated at boot when
 * DATABASE_MIGRATE), Redis, the verifier client, and the contexts —
 * challenges, sessions, accounts, certificates — each controller → use case →
 * repository (libs/registry-db).
 */
function registryService(config: AppConfig, overrides: RegistryOverrides): DynamicModule {
  const logger = overrides.logger ?? createLogger(config, { name: 'registry' });

  return {
    module: RegistryModule,
    imports: [
      RegistryDbModule.forRoot(
        {
          url: config.DATABASE_URL,
          migrate: config.DATABASE_MIGRATE,
          migrationUrl: config.MIGRATION_DATABASE_URL,
          applicationName: 'jointcert-registry',
          transactionHook: recordPendingResult,
        },
        logger,
      ),
    ],
    controllers: [...REGISTRY_CONTROLLERS],
    providers: [
      ...serviceProviders('registry', config, { ...overrides, logger }),
      // Idempotency: repeats of state-changing messages answer the first result (apps/registry/src/idempotency).
      { provide: RequestResults, useFactory: (db: RegistryDatabase) => new RequestResults(db, config.IDEMPOTENCY_TTL_S), inject: [RegistryDatabase] },
      Idempotency,
      RequestResultsPurge,
      { provide: Redis, useFactory: () => openRedis(config, logger) },
      overrides.verifier ? { provide: VERIFIER, useValue: overrides.verifier } : { provide: VERIFIER, useFactory: (clock: Clock) => openVerifierClient(config, logger, clock), inject: [CLOCK] },
      { provide: SessionRevocations, useFactory: (redis: Redis) => new SessionRevocations(redis, config), inject: [Redis] },
      RegistryResources,
      AuditLog,
      IdentityHasher,
      ChallengeStore,
      CertificateRateLimiter,
      SignatureProof,
      SessionIssuer,
      LogIn,
      RefreshSession,
      LogOut,
      RevocationSync,
      AccountsService,
      RegisterCertificate,
      ReplaceCertificate,
      DeleteCertificate,
      DeleteByLink,
      CertificateQueries,
      CertificateLocks,
      PasswordHints,
      SecondFactor,
      AccountSessions,
      TransferStore,
      TransfersService,
    ],
  };
}
