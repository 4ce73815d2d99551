import { Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Api, type ClientInfo, type UnsubscribeView } from '@jointcert/contracts';
import { DomainError, ServiceClient } from '@jointcert/common';
import { Client } from '../auth/client-info.decorator';
import { ApiRoute } from '../openapi/api-route.decorator';
import { esc, LINK_PATHS, pageShell, respond } from './link-page';

const PATH = LINK_PATHS[0];

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
export class UnsubscribeController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @ApiRoute({
    summary: 'What an unsubscribe link does (changes nothing)',
    description: 'HTML with a confirmation button for browsers (Accept: text/html), UnsubscribeView JSON otherwise.',
    ok: { status: 200, schema: 'UnsubscribeView' },
    errors: ['UNSUBSCRIBE_TOKEN_INVALID', 'UNSUBSCRIBE_TOKEN_EXPIRED', 'SERVICE_UNAVAILABLE'],
  })
  async show(@Query('token') token: unknown, @Client() client: ClientInfo, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<UnsubscribeView | string> {
    const view = await this.services.send(Api.notifier.unsubscribe, { client, token: tokenOf(token), confirm: false });
    return respond(req, reply, view, () => page(view, tokenOf(token), false));
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
    return respond(req, reply, view, () => page(view, tokenOf(token), true));
  }
}

function tokenOf(token: unknown): string {
  if (typeof token !== 'string' || token.length === 0 || token.length > 200) throw new DomainError('UNSUBSCRIBE_TOKEN_INVALID', 'the unsubscribe link has no valid token');
  return token;
}

function page(view: UnsubscribeView, token: string, done: boolean): string {
  const ko = !view.locale.startsWith('en');
  const who = esc(view.emailHint ?? '');
  // the password reminder's link stops that reminder only
  const password = view.list === 'password';
  const on = password ? view.passwordReminderEnabled === true : view.remindersEnabled;
  const what = ko ? (password ? '인증서 비밀번호 변경 알림' : '인증서 만료 알림') : password ? 'certificate password reminders' : 'certificate expiry reminders';
  const body = done || !on
    ? `<p>${ko ? `${who} 주소로 보내던 ${what}을 더 이상 보내지 않습니다.` : `${password ? 'Password' : 'Expiry'} reminders to ${who} are off.`}</p>`
    : `<p>${ko ? `${who} 주소로 보내는 ${what}을 그만 받으시겠습니까?` : `Stop ${what} to ${who}?`}</p>
<form method="post" action="/${PATH}?token=${encodeURIComponent(token)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${ko ? '수신 거부' : 'Unsubscribe'}</button></form>`;
  return pageShell(ko, body);
}
