import { randomUUID } from 'node:crypto';
import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  codeForStatus,
  DomainError,
  isDependencyOutage,
  PROBLEM_CONTENT_TYPE,
  RemoteInternalError,
  toProblem,
  type Logger,
  type ProblemCode,
} from '@jointcert/common';

/** What an exception becomes: a DomainError to render, plus an errorId when it was unexpected. */
interface Classified {
  error: DomainError;
  errorId?: string;
}

/**
 * The one global exception filter: every error leaving the gateway is an
 * RFC 9457 `application/problem+json` document with a stable code, the
 * request path as `instance`, and the request id. Unexpected errors become an
 * opaque 500 with an `errorId`; the full error is logged under that id.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly bodyLimit: number,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const requestId = String(request.id);
    const { error, errorId } = this.classify(exception, request, requestId);
    const problem = toProblem(error, { instance: request.url.split('?')[0] ?? '/', requestId, ...(errorId ? { errorId } : {}) });

    if (reply.sent) {
      this.logger.warn({ requestId, code: problem.code }, 'error after the response was sent');
      return;
    }
    if (problem.status === 401) void reply.header('www-authenticate', wwwAuthenticate(error));
    const retryAfter = error.extra.retryAfter;
    if (typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter >= 0) {
      void reply.header('retry-after', String(Math.ceil(retryAfter)));
    }
    void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  private classify(exception: unknown, request: FastifyRequest, requestId: string): Classified {
    if (exception instanceof DomainError) {
      if (exception.status >= 500) this.logger.warn({ requestId, code: exception.code, detail: exception.detail }, 'request failed');
      else this.logger.debug({ requestId, code: exception.code }, 'request refused');
      return { error: exception };
    }
    if (exception instanceof RemoteInternalError) {
      const errorId = exception.errorId ?? randomUUID();
      this.logger.error({ requestId, errorId, pattern: exception.pattern }, 'a service failed unexpectedly');
      return internal(errorId);
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      // Nest turns Fastify's own errors (body parsing, content type) into
      // HttpException(message, statusCode) before filters see them.
      const status = exception.getStatus();
      if (status === 413) return { error: this.tooLarge() };
      if (status === 415) return { error: unsupportedMediaType(request) };
      return { error: new DomainError(codeForStatus(status), httpExceptionDetail(exception)) };
    }
    if (exception instanceof HttpException && codeForStatus(exception.getStatus()) === 'SERVICE_UNAVAILABLE') {
      this.logger.warn({ requestId, err: exception }, 'request failed');
      return { error: new DomainError('SERVICE_UNAVAILABLE', 'a required service is unavailable; try again later') };
    }
    const fastify = this.fastifyError(exception, request);
    if (fastify) return { error: fastify };
    if (isDependencyOutage(exception)) {
      this.logger.warn({ requestId, err: exception }, 'dependency unavailable');
      return { error: new DomainError('SERVICE_UNAVAILABLE', 'a required service is unavailable; try again later') };
    }

    const errorId = randomUUID();
    this.logger.error({ requestId, errorId, err: exception, method: request.method, url: request.url }, 'unexpected error');
    return internal(errorId);
  }

  private tooLarge(): DomainError {
    return new DomainError('PAYLOAD_TOO_LARGE', `request body exceeds the limit of ${this.bodyLimit} bytes`);
  }

  /** Errors Fastify raises before a handler runs, should they reach us unwrapped. */
  private fastifyError(exception: unknown, request: FastifyRequest): DomainError | undefined {
    if (typeof exception !== 'object' || exception === null) return undefined;
    const { code, statusCode } = exception as { code?: unknown; statusCode?: unknown };
    if (typeof code !== 'string' || !code.startsWith('FST_')) return undefined;
    switch (code) {
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return unsupportedMediaType(request);
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return this.tooLarge();
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return new DomainError('MALFORMED_INPUT', 'request body is empty but its content type is application/json');
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return new DomainError('MALFORMED_INPUT', 'request body is not valid JSON');
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return new DomainError('MALFORMED_INPUT', 'content-length does not match the body');
      default:
        if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
          const problemCode: ProblemCode = codeForStatus(statusCode);
          return new DomainError(problemCode, 'the request was refused');
        }
        return undefined;
    }
  }
}

/**
 * RFC 9110 asks a 401 to carry a challenge; RFC 6750 names a rejected bearer
 * token `invalid_token`. A missing token gets the bare challenge.
 */
function wwwAuthenticate(error: DomainError): string {
  const reason = error.extra.reason;
  const tokenRefused = reason === 'TOKEN_INVALID' || reason === 'TOKEN_EXPIRED' || reason === 'SESSION_REVOKED';
  return tokenRefused ? 'Bearer realm="jointcert", error="invalid_token"' : 'Bearer realm="jointcert"';
}

function internal(errorId: string): Classified {
  return { error: new DomainError('INTERNAL', `an internal error occurred; quote errorId ${errorId} when reporting it`), errorId };
}

function unsupportedMediaType(request: FastifyRequest): DomainError {
  return new DomainError('UNSUPPORTED_MEDIA_TYPE', `content type '${contentTypeOf(request)}' is not supported; send application/json`);
}

function contentTypeOf(request: FastifyRequest): string {
  const ct = request.headers['content-type'];
  const value = typeof ct === 'string' ? ct.split(';')[0]?.trim() ?? '' : '';
  // Echo only a plain media type, never arbitrary header bytes.
  return /^[\w.+-]{1,64}\/[\w.+-]{1,64}$/.test(value) ? value : 'unknown';
}

/** A 4xx HttpException's message is written for clients; Nest wraps it in `{message}`. */
function httpExceptionDetail(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message) && message.every((m) => typeof m === 'string')) return message.join('; ');
  return exception.message;
}
