import { ApiHeader } from '@nestjs/swagger';
import { malformedField } from '@jointcert/common';
import { fields } from '@jointcert/contracts';

/** The header carrying a fresh second-factor code for guarded actions. */
export const TOTP_HEADER = 'x-totp-code';

/** `{ totpCode }` when the header is present: six digits or a recovery code (xxxx-xxxx); anything else is 400. */
export function totpHeader(value: string | undefined): { totpCode?: string } {
  if (value === undefined || value === '') return {};
  const code = value.trim().toLowerCase();
  if (!fields.totpCode.safeParse(code).success) throw malformedField(TOTP_HEADER, 'must be six digits or a recovery code');
  return { totpCode: code };
}

/** OpenAPI: the optional X-TOTP-Code header of an action a second factor guards. */
export const ApiTotpHeader = ApiHeader({
  name: TOTP_HEADER,
  required: false,
  description: 'Needed once the account has a second factor: a current TOTP code (six digits) or a recovery code; without it 403 TOTP_REQUIRED',
});
