import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, CONFIG, DeleteLinks, DomainError, linkSecret, type AppConfig, type Clock } from '@jointcert/common';
import type { DeleteLinkRequest, DeleteLinkView } from '@jointcert/contracts';
import { CertificateSecurityRepository } from '@jointcert/registry-db';
import { SecondFactor } from '../security/second-factor.service';
import { DeleteCertificate, linkOutdated } from './delete.use-case';

/**
 * The one-click deletion link of the unused-certificate notice
 * (GET/POST /v1/notifications/delete-certificate?token=…). The signed link
 * (libs/common DeleteLinks, issued by the notifier) names the account, the
 * certificate and the last use the notice reported; it works until it expires
 * and only while the certificate is active and unused since.
 *
 * GET (`confirm` false) only reads: mail scanners prefetch links.
 * POST deletes through DeleteCertificate (audited as a delete via email-link).
 *
 * Security choices:
 * - The link is a bearer credential for one action, and the mailbox is not a
 *   second factor: an account that enrolled TOTP has asked for a code on every
 *   delete, so the link asks for one too (the page shows a code field; wrong
 *   codes are rate-limited and audited by SecondFactor). Without TOTP the link
 *   alone deletes, as the DELETE route does with a session alone.
 * - The account's last active certificate is never deleted by link: it would
 *   leave the account with no way to log in (registering the certificate again
 *   makes a new account), on the strength of an email alone. The page says to
 *   log in to delete it (FORBIDDEN, reason LAST_CERTIFICATE).
 */
@Injectable()
export class DeleteByLink {
  private readonly links: DeleteLinks;

  constructor(
    private readonly security: CertificateSecurityRepository,
    private readonly secondFactor: SecondFactor,
    private readonly deleteCertificate: DeleteCertificate,
    @Inject(CONFIG) config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.links = new DeleteLinks(linkSecret(config));
  }

  async handle(request: DeleteLinkRequest): Promise<DeleteLinkView> {
    const link = this.links.verify(request.token, this.clock.now());
    const state = await this.security.linkState(link.certificateId, link.accountId);
    if (!state) throw new DomainError('DELETE_LINK_INVALID', 'the deletion link is for no certificate of this account');
    if (state.status === 'deleted') throw linkOutdated('DELETED');
    if (state.status !== 'active') throw linkOutdated('NOT_ACTIVE');
    if (state.lastUsedAt.getTime() !== link.lastUsedAt) throw linkOutdated('USED_AGAIN');
    const view: DeleteLinkView = {
      certificate: { id: link.certificateId, subject: state.subjectDn, serialHex: state.serialHex, notAfter: state.notAfter.toISOString(), lastUsedAt: state.lastUsedAt.toISOString() },
      locale: state.locale,
      totpRequired: await this.secondFactor.isEnabled(link.accountId),
      lastCertificate: state.activeCertificates <= 1,
      deleted: false,
    };
    if (!request.confirm) return view;
    if (view.lastCertificate) {
      throw new DomainError('FORBIDDEN', 'this is the only certificate of the account: log in to delete it (a link in an email does not close an account)', { reason: 'LAST_CERTIFICATE' });
    }
    await this.secondFactor.requireFresh(link.accountId, request.totpCode, request.client, 'delete');
    await this.deleteCertificate.delete({ client: request.client, accountId: link.accountId, certificateId: link.certificateId, link: { lastUsedAt: link.lastUsedAt } });
    return { ...view, deleted: true };
  }
}
