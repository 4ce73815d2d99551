import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/** The API answers JSON only: nothing to load, frame or script. */
const API_CSP = { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] };
/** Swagger UI (/docs) loads its own scripts and styles (and uses inline styles); still no inline script. */
const DOCS_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
};

/**
 * helmet's headers, computed once. helmet's defaults do not depend on the
 * request, so instead of running the middleware per request (as
 * @fastify/helmet does: about a tenth of a hello-world route's cost) the
 * gateway sets a precomputed header object.
 */
export function helmetHeaders(options: Readonly<HelmetOptions>): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  let finished = false;
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, () => (finished = true));
  if (!finished) throw new Error('helmet did not finish synchronously');
  return Object.freeze(headers);
}

const common: HelmetOptions = { frameguard: { action: 'deny' } };
export const API_SECURITY_HEADERS = helmetHeaders({ ...common, contentSecurityPolicy: { useDefaults: false, directives: API_CSP } });
export const DOCS_SECURITY_HEADERS = helmetHeaders({ ...common, contentSecurityPolicy: { useDefaults: false, directives: DOCS_CSP } });
