import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiSecurity } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, problemType, type ProblemCode } from '@jointcert/common';
import { problemExample } from './examples';
import type { SchemaName } from './schemas';

export interface ApiRouteOptions {
  summary: string;
  description?: string;
  /** Request body schema (from openapi/schemas.ts). */
  body?: SchemaName;
  /** The success response; no schema for 204. */
  ok: { status: number; schema?: SchemaName; description?: string };
  /** Problem codes the route may answer, beyond those implied by body/auth/rateLimited. */
  errors?: ProblemCode[];
  auth?: 'required' | 'optional';
  rateLimited?: boolean;
}

export const BEARER_SCHEME = 'bearer';

const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

/**
 * One decorator per route for the OpenAPI document: operation, body, success
 * response and every problem+json response with an example per code. Schemas
 * are referenced by name; openapi.ts fills `components.schemas` from zod.
 */
export function ApiRoute(options: ApiRouteOptions): MethodDecorator {
  const codes = new Set<ProblemCode>(options.errors ?? []);
  if (options.body) codes.add('MALFORMED_INPUT');
  if (options.auth) codes.add('UNAUTHENTICATED');
  if (options.rateLimited) {
    codes.add('RATE_LIMITED');
    codes.add('SERVICE_UNAVAILABLE');
  }
  if (options.auth === 'required') codes.add('SERVICE_UNAVAILABLE');

  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of codes) {
    const status = problemType(code).status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }

  const decorators: Array<MethodDecorator | ClassDecorator> = [
    ApiOperation({ summary: options.summary, ...(options.description ? { description: options.description } : {}) }),
  ];
  if (options.body) {
    decorators.push(ApiBody({ required: true, schema: ref(options.body) }));
  }
  const ok = options.ok;
  decorators.push(
    ApiResponse({
      status: ok.status,
      description: ok.description ?? (ok.schema ? ok.schema : 'No content'),
      ...(ok.schema ? { content: { 'application/json': { schema: ref(ok.schema) } } } : {}),
    }),
  );
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const headers: Record<string, { description: string; schema: { type: 'string' | 'integer' } }> | undefined =
      status === 401
        ? { 'WWW-Authenticate': { description: 'Bearer challenge (RFC 6750)', schema: { type: 'string' } } }
        : status === 429
          ? { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } }
          : undefined;
    decorators.push(
      ApiResponse({
        status,
        description: list.map((c) => `${c}: ${problemType(c).title}`).join('; '),
        ...(headers ? { headers } : {}),
        content: {
          [PROBLEM_CONTENT_TYPE]: {
            schema: ref('Problem'),
            examples: Object.fromEntries(list.map((c) => [c, { summary: problemType(c).title, value: problemExample(c) }])),
          },
        },
      }),
    );
  }
  if (options.auth === 'required') decorators.push(ApiBearerAuth(BEARER_SCHEME));
  if (options.auth === 'optional') decorators.push(ApiSecurity(BEARER_SCHEME), ApiSecurity({}));
  return applyDecorators(...decorators);
}
