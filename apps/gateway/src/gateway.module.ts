import { Module } from '@nestjs/common';
import { AccountsController } from './accounts/accounts.controller';
import { BearerGuard, OptionalBearerGuard } from './auth/bearer.guard';
import { CertificatesController } from './certificates/certificates.controller';
import { ChallengesController } from './challenges/challenges.controller';
import { HealthController } from './health/health.controller';
import { Readiness } from './health/readiness';
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

/** The REST API v1. Its shared resources come from GatewayCoreModule (built by createGateway). */
@Module({
  controllers: [ChallengesController, CertificatesController, SessionsController, AccountsController, SignaturesController, TransfersController, HealthController, MetricsController, ServerCertificateController, UnsubscribeController, DeleteLinkController, CertificateLockController, SecondFactorController, AccountSessionsController],
  providers: [Readiness, BearerGuard, OptionalBearerGuard, RateLimitGuard, LinkForms],
})
export class GatewayModule {}
