import { Module, type Type } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { createLogger, SessionRevocations, type AppConfig, type Logger } from '@jointcert/common';
import { AccountRepository, AuditRepository, CertificateRepository, AccountSessionsRepository, CertificateSecurityRepository, LoginRepository, SecondFactorRepository, SessionRepository } from '@jointcert/registry-db';
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
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { recordInTransaction, RequestResults } from './idempotency/request-results';
import { openDatabase, openRedis, openVerifierClient, RegistryResources } from './infrastructure/resources';
import { CertificateRateLimiter } from './proof/certificate-rate-limiter';
import { SignatureProof } from './proof/signature-proof';
import { RegistryController } from './registry.controller';
import { APP_CONFIG, CLOCK, LOGGER, systemClock, VERIFIER, type Clock } from './registry.tokens';
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

/** Transport-level liveness (registry.ping): no dependencies, so it answers even before anything else is wired. */
@Module({ controllers: [RegistryController] })
export class RegistryModule {}

export interface RegistryOptions {
  /** Default: the system clock. Tests move time instead of sleeping. */
  clock?: Clock;
  logger?: Logger;
}

/**
 * The registry service for one configuration: Postgres (migrated at boot when
 * DATABASE_MIGRATE), Redis, the verifier client, and the contexts —
 * challenges, sessions, accounts, certificates — each controller → use case →
 * repository (libs/registry-db).
 */
export function registryModule(config: AppConfig, options: RegistryOptions = {}): Type<unknown> {
  const logger = options.logger ?? createLogger(config, { name: 'registry' });
  const repository = <T>(cls: new (ds: DataSource) => T) => ({ provide: cls, useFactory: (ds: DataSource) => new cls(ds), inject: [DataSource] });

  @Module({
    imports: [RegistryModule],
    controllers: [ChallengesController, SessionsController, AccountsController, CertificatesController, SecurityController, TransfersController],
    providers: [
      { provide: APP_CONFIG, useValue: config },
      { provide: CLOCK, useValue: options.clock ?? systemClock },
      { provide: LOGGER, useValue: logger },
      { provide: DataSource, useFactory: () => openDatabase(config, logger) },
      // Idempotency: repeats of state-changing messages answer the first result (apps/registry/src/idempotency).
      {
        provide: RequestResults,
        useFactory: (ds: DataSource) => {
          const results = new RequestResults(ds, config.IDEMPOTENCY_TTL_S);
          recordInTransaction(ds, results);
          return results;
        },
        inject: [DataSource],
      },
      { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      { provide: Redis, useFactory: () => openRedis(config, logger) },
      { provide: VERIFIER, useFactory: (clock: Clock) => openVerifierClient(config, logger, clock), inject: [CLOCK] },
      { provide: SessionRevocations, useFactory: (redis: Redis) => new SessionRevocations(redis, config), inject: [Redis] },
      repository(AccountRepository),
      repository(CertificateRepository),
      repository(SessionRepository),
      repository(AuditRepository),
      repository(LoginRepository),
      repository(CertificateSecurityRepository),
      repository(SecondFactorRepository),
      repository(AccountSessionsRepository),
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
  })
  class RegistryServiceModule {}
  return RegistryServiceModule;
}
