import { Body, Controller, Get, Headers, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Api, type ClientInfo, type DeleteLinkView } from '@jointcert/contracts';
import { DomainError, ServiceClient } from '@jointcert/common';
import { Client } from '../auth/client-info.decorator';
import { ApiRoute } from '../openapi/api-route.decorator';
import { ApiTotpHeader, totpHeader, TOTP_HEADER } from '../security/totp-header';
import { esc, LINK_PATHS, pageShell, respond } from './link-page';

const PATH = LINK_PATHS[1];

/**
 * The one-click deletion link of the unused-certificate notice (the registry
 * checks the signed link, see DeleteByLink):
 *  - GET shows which certificate the link deletes and a button (HTML for
 *    browsers, DeleteLinkView JSON otherwise); it changes nothing, so mail
 *    scanners that prefetch links delete nothing;
 *  - POST deletes (the page's form, or any client). An account with a second
 *    factor needs a code: the page shows a field (form field `totpCode`), API
 *    clients send X-TOTP-Code.
 */
@ApiTags('notifications')
@Controller(PATH)
export class DeleteLinkController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @ApiRoute({
    summary: 'What a deletion link of an unused-certificate notice deletes (changes nothing)',
    description: 'HTML with a confirmation button (and a code field when the account has a second factor) for browsers (Accept: text/html), DeleteLinkView JSON otherwise.',
    ok: { status: 200, schema: 'DeleteLinkView' },
    errors: ['DELETE_LINK_INVALID', 'DELETE_LINK_EXPIRED', 'DELETE_LINK_OUTDATED', 'SERVICE_UNAVAILABLE'],
  })
  async show(@Query('token') token: unknown, @Client() client: ClientInfo, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<DeleteLinkView | string> {
    const view = await this.services.send(Api.registry.deleteByLink, { client, token: tokenOf(token), confirm: false });
    return respond(req, reply, view, () => page(view, tokenOf(token)));
  }

  @Post()
  @HttpCode(200)
  @ApiRoute({
    summary: 'Delete the certificate of an unused-certificate notice by its link',
    description:
      'Works once, until the link expires (DELETE_LINK_TTL_S), and only while the certificate is unused since the notice (DELETE_LINK_OUTDATED otherwise). ' +
      "An account with a second factor needs a code (X-TOTP-Code, or the page form's `totpCode`). The account's only active certificate is not deleted by link " +
      '(FORBIDDEN, reason LAST_CERTIFICATE): log in to do that. Audited as a delete via email-link.',
    ok: { status: 200, schema: 'DeleteLinkView' },
    errors: ['DELETE_LINK_INVALID', 'DELETE_LINK_EXPIRED', 'DELETE_LINK_OUTDATED', 'FORBIDDEN', 'TOTP_REQUIRED', 'TOTP_INVALID', 'RATE_LIMITED', 'SERVICE_UNAVAILABLE'],
  })
  @ApiTotpHeader
  async confirm(
    @Query('token') token: unknown,
    @Body() body: unknown,
    @Client() client: ClientInfo,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers(TOTP_HEADER) header?: string,
  ): Promise<DeleteLinkView | string> {
    const code = totpHeader(header ?? formCode(body));
    const view = await this.services.send(Api.registry.deleteByLink, { client, token: tokenOf(token), confirm: true, ...code });
    return respond(req, reply, view, () => page(view, tokenOf(token)));
  }
}

function tokenOf(token: unknown): string {
  if (typeof token !== 'string' || token.length === 0 || token.length > 300) throw new DomainError('DELETE_LINK_INVALID', 'the deletion link has no valid token');
  return token;
}

/** `totpCode` of the page's form (form-urlencoded) or of a JSON body. */
function formCode(body: unknown): string | undefined {
  if (typeof body === 'string') return new URLSearchParams(body).get('totpCode') ?? undefined;
  if (typeof body === 'object' && body !== null && typeof (body as { totpCode?: unknown }).totpCode === 'string') return (body as { totpCode: string }).totpCode;
  return undefined;
}

function page(view: DeleteLinkView, token: string): string {
  const ko = !view.locale.startsWith('en');
  const c = view.certificate;
  const facts = `<p><code>${esc(c.subject)}</code><br>${ko ? '일련번호' : 'Serial'} ${esc(c.serialHex)} · ${ko ? '마지막 사용' : 'last used'} ${esc(c.lastUsedAt.slice(0, 10))}</p>`;
  let body: string;
  if (view.deleted) {
    body = `<p>${ko ? '인증서를 삭제했습니다. 이 인증서로는 더 이상 로그인할 수 없습니다.' : 'The certificate was deleted. It can no longer log in.'}</p>${facts}`;
  } else if (view.lastCertificate) {
    body = `<p>${ko ? '계정에 남은 유일한 인증서라서 이 링크로는 삭제할 수 없습니다. 삭제하려면 로그인하세요.' : 'This is the only certificate of your account, so this link does not delete it. Log in to delete it.'}</p>${facts}`;
  } else {
    const code = view.totpRequired
      ? `<p><label>${ko ? '인증 앱 코드 (6자리 또는 복구 코드)' : 'Authenticator code (6 digits, or a recovery code)'} <input name="totpCode" inputmode="numeric" autocomplete="one-time-code" required></label></p>`
      : '';
    body = `<p>${ko ? '사용하지 않는 이 공동인증서를 계정에서 삭제하시겠습니까?' : 'Delete this unused joint certificate from your account?'}</p>${facts}
<form method="post" action="/${PATH}?token=${encodeURIComponent(token)}">${code}<button type="submit">${ko ? '인증서 삭제' : 'Delete the certificate'}</button></form>`;
  }
  return pageShell(ko, body);
}
