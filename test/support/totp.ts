/** A confirmed TOTP second factor for a test account (test/transfer-cli, test/browser/demo-transfer, test/delete-link). */
import type { TotpEnrolment } from '@jointcert/contracts';
import { totpCode } from '../../apps/registry/src/security/otp';
import type { System } from './system';

export interface EnrolledTotp {
  secret: string;
  /** A code of the next 30-second step (the registry's clock is moved one step: a code is accepted once). */
  nextCode(): string;
}

/** Enrol and confirm a second factor for the account of the session `token`. */
export async function enrolTotp(sys: System, token: string): Promise<EnrolledTotp> {
  const started = await sys.api<TotpEnrolment>('POST', '/v1/accounts/me/totp', { token });
  if (started.status !== 201) throw new Error(`TOTP enrolment answered ${started.status}`);
  const { secret } = started.body;
  const nextCode = (): string => {
    sys.clock.offsetMs += 30_000;
    return totpCode(secret, Math.floor(sys.clock.now() / 1000));
  };
  const confirmed = await sys.api('POST', '/v1/accounts/me/totp/confirm', { token, body: { code: nextCode() } });
  if (confirmed.status !== 200) throw new Error(`TOTP confirmation answered ${confirmed.status}`);
  return { secret, nextCode };
}
