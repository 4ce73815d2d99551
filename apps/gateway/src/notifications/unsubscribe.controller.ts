import { Controller, Get, HttpCode, Inject, type OnModuleInit, Post, Query, Req, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Api, type ClientInfo, type UnsubscribeView } from '@jointcert/contracts';
import { DomainError, ServiceClient } from '@jointcert/common';
import { Client } from '../auth/client-info.decorator';
import { ApiRoute } from '../openapi/api-route.decorator';

const PATH = 'v1/notifications/unsubscribe';
/** The confirmation page posts its form to this same URL (the API's CSP otherwise forbids forms and styles). */
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * The unsubscribe link of reminder emails (RFC 8058):
 *  - GET shows what the link does and a button (HTML for browsers, JSON
 *    otherwise); it changes nothing, so link scanners cannot unsubscribe;
 *  - POST turns reminders off: the mail client's one-click request
 *    (`List-Unsubscribe=One-Click`, form-urlencoded) or the page's button.
 * The signed token is checked by the notifier: malformed or expired →
 * 400 problem+json and nothing changes.
 */
@ApiTags('notifications')
@Controller(PATH)
export class UnsubscribeController implements OnModuleInit {
  constructor(
    private readonly services: ServiceClient,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** RFC 8058 one-click requests are form-urlencoded: accept them as an opaque string (no other route takes a string body). */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    if (!fastify.hasContentTypeParser('application/x-www-form-urlencoded')) {
      fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (req, body, done) => {
        // only the unsubscribe route: everywhere else it stays 415 like any non-JSON body
        if (req.url.startsWith(`/${PATH}`)) done(null, body);
        else done(Object.assign(new Error('unsupported media type'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }), undefined);
      });
    }
  }

  @Get()
  @ApiRoute({
    summary: 'What an unsubscribe link does (changes nothing)',
    description: 'HTML with a confirmation button for browsers (Accept: text/html), UnsubscribeView JSON otherwise.',
    ok: { status: 200, schema: 'UnsubscribeView' },
    errors: ['UNSUBSCRIBE_TOKEN_INVALID', 'UNSUBSCRIBE_TOKEN_EXPIRED', 'SERVICE_UNAVAILABLE'],
  })
  async show(@Query('token') token: unknown, @Client() client: ClientInfo, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<UnsubscribeView | string> {
    const view = await this.services.send(Api.notifier.unsubscribe, { client, token: tokenOf(token), confirm: false });
    return respond(req, reply, view, page(view, tokenOf(token), false));
  }

  @Post()
  @HttpCode(200)
  @ApiRoute({
    summary: 'Stop expiry reminders (RFC 8058 one-click)',
    description: 'Body `List-Unsubscribe=One-Click` (application/x-www-form-urlencoded) or none. Idempotent.',
    ok: { status: 200, schema: 'UnsubscribeView' },
    errors: ['UNSUBSCRIBE_TOKEN_INVALID', 'UNSUBSCRIBE_TOKEN_EXPIRED', 'SERVICE_UNAVAILABLE'],
  })
  async confirm(@Query('token') token: unknown, @Client() client: ClientInfo, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<UnsubscribeView | string> {
    const view = await this.services.send(Api.notifier.unsubscribe, { client, token: tokenOf(token), confirm: true });
    return respond(req, reply, view, page(view, tokenOf(token), true));
  }
}

function tokenOf(token: unknown): string {
  if (typeof token !== 'string' || token.length === 0 || token.length > 200) throw new DomainError('UNSUBSCRIBE_TOKEN_INVALID', 'the unsubscribe link has no valid token');
  return token;
}

function respond(req: FastifyRequest, reply: FastifyReply, view: UnsubscribeView, html: string): UnsubscribeView | string {
  if (!(req.headers.accept ?? '').includes('text/html')) return view;
  void reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', PAGE_CSP).header('cache-control', 'no-store');
  return html;
}

function page(view: UnsubscribeView, token: string, done: boolean): string {
  const ko = !view.locale.startsWith('en');
  const who = esc(view.emailHint ?? '');
  const body = done || !view.remindersEnabled
    ? `<p>${ko ? `${who} 주소로 보내던 인증서 만료 알림을 더 이상 보내지 않습니다.` : `Expiry reminders to ${who} are off.`}</p>`
    : `<p>${ko ? `${who} 주소로 보내는 인증서 만료 알림을 그만 받으시겠습니까?` : `Stop certificate expiry reminders to ${who}?`}</p>
<form method="post" action="/${PATH}?token=${encodeURIComponent(token)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${ko ? '수신 거부' : 'Unsubscribe'}</button></form>`;
  return `<!doctype html><html lang="${ko ? 'ko' : 'en'}"><head><meta charset="utf-8"><title>jointcert</title></head><body style="font-family:sans-serif">${body}</body></html>`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
