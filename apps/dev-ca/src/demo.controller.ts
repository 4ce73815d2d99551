import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Controller, Get, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError } from '@jointcert/common';

/** Where `npm run build:client` writes the browser bundle and the demo page (relative to the working directory, the repository or /app). */
export const DEMO_DIR = resolve('dist', 'client');

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'demo.js': 'text/javascript; charset=utf-8',
  'demo.css': 'text/css; charset=utf-8',
  'jointcert-client.js': 'text/javascript; charset=utf-8',
  'jointcert-client.js.map': 'application/json',
};

/**
 * The @jointcert/client demo page (development only, like the whole dev CA):
 * /demo serves dist/client. The page gets test certificates from this CA
 * (same origin) and talks to the gateway given by ?api= (the gateway must allow
 * this origin in CORS_ORIGINS).
 */
@Controller('demo')
export class DemoController {
  /** The page (it sets <base href="/demo/">, so /demo and /demo/ both work). */
  @Get()
  index(@Res({ passthrough: true }) reply: FastifyReply): Buffer {
    return this.file('index.html', reply);
  }

  @Get(':file')
  file(@Param('file') file: string, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    const type = TYPES[file];
    if (type === undefined) throw new DomainError('NOT_FOUND', `no such demo file: ${file}`);
    let body: Buffer;
    try {
      body = readFileSync(join(DEMO_DIR, file));
    } catch {
      throw new DomainError('NOT_FOUND', `the demo is not built: run \`npm run build:client\` (looked in ${DEMO_DIR})`);
    }
    void reply
      .header('content-type', type)
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src *; frame-ancestors 'none'; base-uri 'self'; form-action 'none'");
    return body;
  }
}
