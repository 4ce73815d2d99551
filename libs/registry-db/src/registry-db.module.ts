import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from '@jointcert/common';
import { openDataSource, RegistryDatabase, type RegistryDatabaseOptions } from './database';
import { AccountSessionsRepository } from './repositories/account-sessions.repository';
import { AccountRepository } from './repositories/account.repository';
import { AuditRepository } from './repositories/audit.repository';
import { CertificateSecurityRepository } from './repositories/certificate-security.repository';
import { CertificateRepository } from './repositories/certificate.repository';
import { LoginRepository } from './repositories/login.repository';
import { SecondFactorRepository } from './repositories/second-factor.repository';
import { SessionRepository } from './repositories/session.repository';

/** The ORM's DataSource: a provider of this module only, never exported. */
const DATA_SOURCE = Symbol('registry-db.data-source');

const REPOSITORIES = [
  AccountRepository,
  CertificateRepository,
  SessionRepository,
  AuditRepository,
  LoginRepository,
  CertificateSecurityRepository,
  SecondFactorRepository,
  AccountSessionsRepository,
] as const;

/**
 * The registry's Postgres for Nest: opens (and migrates) the database at boot
 * and provides `RegistryDatabase` and the repositories. Closing the pool is
 * the app's (`RegistryDatabase.close`, after its transport stopped).
 */
@Module({})
export class RegistryDbModule {
  static forRoot(options: RegistryDatabaseOptions, logger: Logger): DynamicModule {
    const providers: Provider[] = [
      { provide: DATA_SOURCE, useFactory: () => openDataSource(options, logger) },
      { provide: RegistryDatabase, useFactory: (ds: DataSource) => new RegistryDatabase(ds, options.transactionHook), inject: [DATA_SOURCE] },
      ...REPOSITORIES.map((cls) => ({ provide: cls, useFactory: (ds: DataSource) => new cls(ds), inject: [DATA_SOURCE] })),
    ];
    return { module: RegistryDbModule, providers, exports: [RegistryDatabase, ...REPOSITORIES] };
  }
}
