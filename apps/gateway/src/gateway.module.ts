import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { createLogger, type AppConfig, type Logger } from '@jointcert/common';
import { AccountsController } from './accounts/accounts.controller';
import { BearerGuard, RateLimitedBearerGuard, RateLimitedOptionalBearerGuard } from './auth/bearer.guard';
import { CertificatesController } from './certificates/certificates.controller';
import { ChallengesController } from './challenges/challenges.controller';
import { GatewayCoreModule } from './core/gateway-core.module';
import { HealthController } from './health/health.controller';
import { Readiness } from './health/readiness';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { UnsubscribeController } from './notifications/unsubscribe.controller';
import { DeleteLinkController } from './notifications/delete-link.controller';
import { LinkForms } from './notifications/link-page';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';
import { ServerCertificateController } from './server-certificate/server-certificate.controller';
import { CertificateLockController } from './security/certificate-lock.controller';
import { SecondFactorController } from './security/second-factor.controller';
import { AccountSessionsController } from './security/account-sessions.controller';
import { SessionsController } from './sessions/sessions.controller';
import { SignaturesController } from './signatures/signatures.controller';
import { TransfersController } from './transfers/transfers.controller';

export interface GatewayOverrides {
  logger?: Logger;
  /** Default: a registry on METRICS_ENABLED. createGateway passes the one its HTTP hooks observe into. */
  metrics?: GatewayMetrics;
  /** The client to the services; default the transport's (main.ts passes a ColocatedClientProxy with COLOCATE). */
  transport?: ClientProxy;
  /** Modules served beside the API (tests: probe routes). */
  imports?: ModuleMetadata['imports'];
}

/**
 * The REST API v1. `GatewayModule.forRoot(config, overrides)` adds its shared
 * resources (GatewayCoreModule: Redis, the service client, the metrics);
 * createGateway serves it on Fastify.
 */
@Module({
  controllers: [ChallengesController, CertificatesController, SessionsController, AccountsController, SignaturesController, TransfersController, HealthController, MetricsController, ServerCertificateController, UnsubscribeController, DeleteLinkController, CertificateLockController, SecondFactorController, AccountSessionsController],
  providers: [Readiness, BearerGuard, RateLimitGuard, RateLimitedBearerGuard, RateLimitedOptionalBearerGuard, LinkForms],
})
export class GatewayModule {
  static forRoot(config: AppConfig, overrides: GatewayOverrides = {}): DynamicModule {
    const logger = overrides.logger ?? createLogger(config, { name: 'gateway' });
    const metrics = overrides.metrics ?? new GatewayMetrics(config.METRICS_ENABLED);
    return { module: GatewayModule, imports: [GatewayCoreModule.forRoot(config, logger, metrics, overrides.transport), ...(overrides.imports ?? [])] };
  }
}
