import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { BEARER_SCHEME } from './api-route.decorator';
import { componentSchemas } from './schemas';

export const DOCS_PATH = '/docs';
export const DOCS_JSON_PATH = '/docs-json';

/** The state-changing routes whose repeats the registry answers with the first result (apps/registry/src/idempotency). */
const IDEMPOTENT_ROUTES: Array<[string, 'post' | 'delete']> = [
  ['/v1/certificates', 'post'],
  ['/v1/sessions', 'post'],
  ['/v1/certificates/{id}/replace', 'post'],
  ['/v1/certificates/{id}', 'delete'],
];

/** The optional Idempotency-Key request header on those routes. */
function documentIdempotencyKey(document: OpenAPIObject): void {
  for (const [path, method] of IDEMPOTENT_ROUTES) {
    const op = document.paths[path]?.[method];
    if (!op) continue;
    op.parameters = [
      ...(op.parameters ?? []),
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'Any unique string (1–255 visible ASCII characters, e.g. a UUID). Retrying the same request with the same key within 24 h (IDEMPOTENCY_TTL_S) returns the first successful answer instead of acting twice; the same key with a different body is a different request.',
        schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
      },
    ];
  }
}

/** The OpenAPI 3.1 document: routes from the controllers' decorators, schemas from zod (openapi/schemas.ts). */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const base = new DocumentBuilder()
    .setTitle('jointcert API')
    .setDescription(
      [
        'Authentication with Korean joint certificates (공동인증서): register a certificate to an account, log in by signing a challenge, manage certificates, verify signed documents.',
        '',
        'Flow: `POST /v1/challenges` → sign the nonce as CMS SignedData with the certificate → `POST /v1/certificates` (sign up) or `POST /v1/sessions` (log in) → use `Authorization: Bearer <accessToken>`; refresh with `POST /v1/sessions/refresh`.',
        '',
        'Device transfer (인증서 복사): the signed-in device seals the certificate files under a 16-digit code and `POST /v1/transfers`; the other device `POST /v1/transfers/claim`s them once with the first 8 digits and opens them with all 16 (protocol in the README).',
        '',
        'Every error is `application/problem+json` (RFC 9457) with a stable `code`. Challenge, login, registration, refresh and replacement requests are limited per client address (429 with Retry-After).',
      ].join('\n'),
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The accessToken of a session' }, BEARER_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, base);
  document.openapi = '3.1.0';
  document.components = { ...document.components, schemas: componentSchemas() };
  documentIdempotencyKey(document);
  return document;
}

const UI_PAGE = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>jointcert API</title><link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="${DOCS_PATH}/swagger-ui-standalone-preset.js"></script>
<script src="${DOCS_PATH}/swagger-initializer.js"></script>
</body>
</html>
`;

const UI_INIT = `window.onload = function () {
  window.ui = SwaggerUIBundle({ url: '${DOCS_JSON_PATH}', dom_id: '#swagger-ui', deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });
};
`;

/** The Swagger UI files served from swagger-ui-dist (nothing else under /docs is reachable). */
const UI_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
};

/**
 * `/docs-json` (the document) and `/docs` (Swagger UI). The UI's few files
 * are read once from swagger-ui-dist, so no static-file plugin is needed; the
 * page has no inline script, so its CSP can stay `script-src 'self'`.
 */
export function setupOpenApi(app: NestFastifyApplication): void {
  const document = JSON.stringify(buildOpenApiDocument(app));
  const fastify = app.getHttpAdapter().getInstance();
  const cache = new Map<string, Buffer>();
  fastify.get(DOCS_JSON_PATH, (_req, reply) => reply.type('application/json; charset=utf-8').send(document));
  fastify.get(DOCS_PATH, (_req, reply) => reply.type('text/html; charset=utf-8').send(UI_PAGE));
  fastify.get(`${DOCS_PATH}/swagger-initializer.js`, (_req, reply) => reply.type('text/javascript; charset=utf-8').send(UI_INIT));
  for (const [file, type] of Object.entries(UI_FILES)) {
    fastify.get(`${DOCS_PATH}/${file}`, (_req, reply) => {
      let body = cache.get(file);
      if (!body) cache.set(file, (body = readFileSync(join(dirname(require.resolve('swagger-ui-dist/package.json')), file))));
      return reply.type(type).header('cache-control', 'public, max-age=86400').send(body);
    });
  }
}
