import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { type ArgumentsHost, Catch, type DynamicModule, type ExceptionFilter, HttpException, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  type AppConfig,
  codeForStatus,
  createLogger,
  DomainError,
  type Logger,
  PinoLoggerService,
  PROBLEM_CONTENT_TYPE,
  toProblem,
} from '@jointcert/common';
import { type Clock, systemClock } from './clock';
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

@Module({})
export class DevCaModule {
  static forCa(ca: DevCa): DynamicModule {
    return { module: DevCaModule, controllers: [DevCaController, DemoController], providers: [{ provide: DevCa, useValue: ca }] };
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

export interface DevCaOptions {
  clock?: Clock;
  logger?: Logger;
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

/** Open the CA in DEV_CA_DATA_DIR and serve it on DEV_CA_HOST:DEV_CA_PORT (0: any free port). Refused unless DEV_CA_ENABLED, never in production. */
/** The dev CA's LDAP port unless DEV_CA_LDAP_PORT says otherwise (389 needs privileges). */
export const DEFAULT_LDAP_PORT = 3389;

export async function startDevCa(config: AppConfig, options: DevCaOptions = {}): Promise<RunningDevCa> {
  if (!config.DEV_CA_ENABLED) throw new Error('dev-ca: set DEV_CA_ENABLED=true to run the development CA (never in production)');
  if (config.NODE_ENV === 'production') throw new Error('dev-ca: the development CA never runs in production');
  const logger = options.logger ?? createLogger(config, { name: 'dev-ca' });
  const configured = config.DEV_CA_PUBLIC_URL?.replace(/\/+$/, '');
  let listening = '';
  const dataDir = resolve(config.DEV_CA_DATA_DIR);
  const ca = DevCa.open(dataDir, options.clock ?? systemClock, () => configured ?? listening);

  const adapter = new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, loggerInstance: logger, logController: new AccessLog(logger) });
  adapter.getInstance().addContentTypeParser('application/ocsp-request', { parseAs: 'buffer', bodyLimit: BODY_LIMIT_BYTES }, (_req, body, done) => done(null, body));
  const app = await NestFactory.create<NestFastifyApplication>(DevCaModule.forCa(ca), adapter, {
    bodyParser: false,
    logger: config.LOG_LEVEL === 'silent' ? false : new PinoLoggerService(logger),
  });
  app.useGlobalFilters(new DevCaProblemFilter(logger));
  app.enableShutdownHooks();
  await app.listen(config.DEV_CA_PORT, config.DEV_CA_HOST);
  const port = (app.getHttpServer().address() as AddressInfo).port;
  listening = `http://${urlHost(config.DEV_CA_HOST)}:${port}`;
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
  ca.ldapBase = `ldap://${new URL(configured ?? listening).hostname}:${ldap.port}`;
  const km = ensureServerKm(dataDir, material.ca, (options.clock ?? systemClock).now());
  const running: RunningDevCa = {
    app,
    ca,
    url: listening,
    publicUrl: configured ?? listening,
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
