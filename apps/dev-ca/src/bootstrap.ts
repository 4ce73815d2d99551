import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { type ArgumentsHost, Catch, type DynamicModule, type ExceptionFilter, HttpException, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  type AppConfig,
  CLOCK,
  type Clock,
  codeForStatus,
  createLogger,
  DomainError,
  type Logger,
  PinoLoggerService,
  PROBLEM_CONTENT_TYPE,
  serviceProviders,
  type ServiceOverrides,
  systemClock,
  toProblem,
} from '@jointcert/common';
import { ldapDnKey, startLdapCrlResponder } from '@jointcert/pki/issuing';
import { ensureServerKm } from './server-km';
import { DevCa, LDAP_CRL_DN } from './dev-ca';
import { DevCaController } from './dev-ca.controller';
import { DemoController } from './demo.controller';

const BODY_LIMIT_BYTES = 64 * 1024;

/** One debug line per request (the dev CA is chatty enough at info). */
class AccessLog extends LogController {
  constructor(private readonly logger: Logger) {
    super({});
  }

  override incomingRequest(): void {}

  override requestCompleted(_error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    this.logger.debug({ method: request.method, path: request.url.split('?')[0], status: reply.statusCode }, 'request completed');
  }
}

/** Where the dev CA is reached: DEV_CA_PUBLIC_URL, or else the address it listens on (known once listening). */
export class DevCaAddress {
  listening = '';

  constructor(private readonly configured: string | undefined) {}

  get publicUrl(): string {
    return this.configured ?? this.listening;
  }
}

/** The dev CA's HTTP API for one configuration: the CA in DEV_CA_DATA_DIR (keys loaded on first use), its controllers. */
@Module({})
export class DevCaModule {
  static forRoot(config: AppConfig, overrides: ServiceOverrides = {}): DynamicModule {
    const address = new DevCaAddress(config.DEV_CA_PUBLIC_URL?.replace(/\/+$/, ''));
    return {
      module: DevCaModule,
      controllers: [DevCaController, DemoController],
      providers: [
        ...serviceProviders('dev-ca', config, overrides),
        { provide: DevCaAddress, useValue: address },
        { provide: DevCa, useFactory: (clock: Clock) => DevCa.open(resolve(config.DEV_CA_DATA_DIR), clock, () => address.publicUrl), inject: [CLOCK] },
      ],
    };
  }
}

/** Every error as application/problem+json, no stack traces. */
@Catch()
class DevCaProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let error: DomainError;
    if (exception instanceof DomainError) error = exception;
    else if (exception instanceof HttpException && exception.getStatus() < 500) error = new DomainError(codeForStatus(exception.getStatus()), exception.message);
    else {
      this.logger.error({ err: exception, url: request.url }, 'unexpected error');
      error = new DomainError('INTERNAL', 'the dev CA failed; see its log');
    }
    void reply
      .status(error.status)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(toProblem(error, { instance: request.url.split('?')[0] ?? '/' })));
  }
}

export interface RunningDevCa {
  app: NestFastifyApplication;
  ca: DevCa;
  /** Where this process listens (loopback form of DEV_CA_HOST). */
  url: string;
  /** The base URL written into certificates. */
  publicUrl: string;
  trustAnchorsDir: string;
  /** The LDAP CRL distribution point (first in issued certificates). */
  ldapUrl: string;
  /** The server KM certificate and key the dev CA issued (KM_CERT_FILE, KM_KEY_FILE; password DEV_KM_PASSWORD). */
  kmCertFile: string;
  kmKeyFile: string;
  intermediatesDir: string;
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** The dev CA's LDAP port unless DEV_CA_LDAP_PORT says otherwise (389 needs privileges). */
export const DEFAULT_LDAP_PORT = 3389;

export interface DevCaApp {
  app: NestFastifyApplication;
  /** Serve on DEV_CA_HOST:DEV_CA_PORT (0: any free port); then, the public URL known, load or create the keys and serve the CRL over LDAP. */
  listen(): Promise<RunningDevCa>;
}

/** The dev CA's application for DevCaModule.forRoot(config, overrides), not yet listening. Refused unless DEV_CA_ENABLED, never in production. */
export async function createDevCa(config: AppConfig, overrides: ServiceOverrides = {}): Promise<DevCaApp> {
  if (!config.DEV_CA_ENABLED) throw new Error('dev-ca: set DEV_CA_ENABLED=true to run the development CA (never in production)');
  if (config.NODE_ENV === 'production') throw new Error('dev-ca: the development CA never runs in production');
  const logger = overrides.logger ?? createLogger(config, { name: 'dev-ca' });
  const clock = overrides.clock ?? systemClock;
  const adapter = new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, loggerInstance: logger, logController: new AccessLog(logger) });
  adapter.getInstance().addContentTypeParser('application/ocsp-request', { parseAs: 'buffer', bodyLimit: BODY_LIMIT_BYTES }, (_req, body, done) => done(null, body));
  const app = await NestFactory.create<NestFastifyApplication>(DevCaModule.forRoot(config, { clock, logger }), adapter, {
    bodyParser: false,
    logger: config.LOG_LEVEL === 'silent' ? false : new PinoLoggerService(logger),
  });
  app.useGlobalFilters(new DevCaProblemFilter(logger));
  return { app, listen: () => listen(app, config, logger, clock) };
}

/** Open the CA in DEV_CA_DATA_DIR and serve it (createDevCa, then listen). */
export async function startDevCa(config: AppConfig, overrides: ServiceOverrides = {}): Promise<RunningDevCa> {
  return (await createDevCa(config, overrides)).listen();
}

async function listen(app: NestFastifyApplication, config: AppConfig, logger: Logger, clock: Clock): Promise<RunningDevCa> {
  await app.listen(config.DEV_CA_PORT, config.DEV_CA_HOST);
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const address = app.get(DevCaAddress);
  address.listening = `http://${urlHost(config.DEV_CA_HOST)}:${port}`;
  const ca = app.get(DevCa);
  const dataDir = resolve(config.DEV_CA_DATA_DIR);
  // load or create the keys now that the public URL is known (writes the trust directories)
  const material = ca.material;
  // the CRL over LDAP too (base-object searches), named first in issued certificates
  const lookup = (dn: string): Buffer | undefined => (dn === ldapDnKey(LDAP_CRL_DN) ? ca.crl().der : undefined);
  const wantedLdapPort = config.DEV_CA_LDAP_PORT ?? (config.DEV_CA_PORT === 0 ? 0 : DEFAULT_LDAP_PORT);
  const ldap = await startLdapCrlResponder({ host: config.DEV_CA_HOST, port: wantedLdapPort, lookup }).catch((e: unknown) => {
    if (config.DEV_CA_LDAP_PORT !== undefined || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    logger.warn({ port: wantedLdapPort }, 'dev CA: LDAP port taken, serving CRLs over LDAP on a free port instead');
    return startLdapCrlResponder({ host: config.DEV_CA_HOST, port: 0, lookup });
  });
  ca.ldapBase = `ldap://${new URL(address.publicUrl).hostname}:${ldap.port}`;
  const km = ensureServerKm(dataDir, material.ca, clock.now());
  const running: RunningDevCa = {
    app,
    ca,
    url: address.listening,
    publicUrl: address.publicUrl,
    trustAnchorsDir: material.trustAnchorsDir,
    intermediatesDir: material.intermediatesDir,
    kmCertFile: km.certFile,
    kmKeyFile: km.keyFile,
    ldapUrl: ca.ldapCrlUrl!,
    close: async () => {
      await ldap.close();
      await app.close();
    },
  };
  logger.info(
    { url: running.url, publicUrl: running.publicUrl, dataDir, trustAnchorsDir: running.trustAnchorsDir, intermediatesDir: running.intermediatesDir, created: material.created },
    'dev CA listening (development only)',
  );
  return running;
}
