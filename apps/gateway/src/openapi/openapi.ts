import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { BEARER_SCHEME } from './api-route.decorator';
import { componentSchemas } from './schemas';

export const DOCS_PATH = 'docs';

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
        'Every error is `application/problem+json` (RFC 9457) with a stable `code`. Challenge, login, registration, refresh and replacement requests are limited per client address (429 with Retry-After).',
      ].join('\n'),
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The accessToken of a session' }, BEARER_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, base);
  document.openapi = '3.1.0';
  document.components = { ...document.components, schemas: componentSchemas() };
  return document;
}

export function setupOpenApi(app: NestFastifyApplication): void {
  SwaggerModule.setup(DOCS_PATH, app, buildOpenApiDocument(app), {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
    raw: ['json'],
    customSiteTitle: 'jointcert API',
  });
}
