/**
 * What the gateway's email-link routes share (the unsubscribe link and the
 * unused certificate's deletion link): a small HTML page for browsers,
 * JSON for everything else, and form-urlencoded bodies on these routes only.
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The routes whose pages post forms (application/x-www-form-urlencoded) to themselves. */
export const LINK_PATHS = ['v1/notifications/unsubscribe', 'v1/notifications/delete-certificate'] as const;

/** The confirmation pages post their form to the same URL (the API's CSP otherwise forbids forms and styles). */
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * Form-urlencoded bodies (RFC 8058 one-click, the pages' forms) as an opaque
 * string, on the link routes only (no other route takes a string body).
 */
@Injectable()
export class LinkForms implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    if (fastify.hasContentTypeParser('application/x-www-form-urlencoded')) return;
    fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (req, body, done) => {
      // only the link routes: everywhere else it stays 415 like any non-JSON body
      if (LINK_PATHS.some((p) => req.url.startsWith(`/${p}`))) done(null, body);
      else done(Object.assign(new Error('unsupported media type'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }), undefined);
    });
  }
}

/** A browser (Accept: text/html) gets the page, with its CSP and no caching; anything else the view. */
export function respond<V>(req: FastifyRequest, reply: FastifyReply, view: V, html: () => string): V | string {
  if (!(req.headers.accept ?? '').includes('text/html')) return view;
  void reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', PAGE_CSP).header('cache-control', 'no-store');
  return html();
}

export function pageShell(ko: boolean, body: string): string {
  return `<!doctype html><html lang="${ko ? 'ko' : 'en'}"><head><meta charset="utf-8"><title>jointcert</title></head><body style="font-family:sans-serif">${body}</body></html>`;
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
