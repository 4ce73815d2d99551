import type { LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { AppConfig } from '../config';
import { currentRequestId } from './context';

export type { Logger } from 'pino';

/**
 * Paths never written to a log: credentials, signatures, tokens, identity
 * numbers. pino's wildcards match one level, so the common depths are listed.
 */
const SECRET_KEYS = ['authorization', 'cookie', 'password', 'signedData', 'accessToken', 'refreshToken', 'idn', 'randomNum', 'privateKey', 'bundle'];
export const REDACT_PATHS: string[] = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.*.${k}`),
  'req.headers["set-cookie"]',
  'res.headers["set-cookie"]',
];

/**
 * The process logger: JSON lines, level from config, secrets redacted, and the
 * current request id (from the async context) on every line.
 */
export function createLogger(config: Pick<AppConfig, 'LOG_LEVEL'>, options: { name?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: config.LOG_LEVEL,
      ...(options.name ? { name: options.name } : {}),
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      mixin: () => {
        const requestId = currentRequestId();
        return requestId ? { requestId } : {};
      },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}

/** Nest's LoggerService over pino, so framework messages are JSON lines too. */
export class PinoLoggerService implements LoggerService {
  constructor(readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params, true);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params, true);
  }

  private write(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal', message: unknown, params: unknown[], withStack = false): void {
    if (!this.logger.isLevelEnabled(level)) return;
    // Nest passes (message, [stack], [context]); the context is the last string.
    const rest = [...params];
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const stack = withStack && typeof rest[0] === 'string' ? rest[0] : undefined;
    const fields: Record<string, unknown> = {};
    if (context) fields.context = context;
    if (stack) fields.stack = stack;
    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      this.logger[level](fields, String(message));
    }
  }
}
