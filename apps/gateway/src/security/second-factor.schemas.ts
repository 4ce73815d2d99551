import { z } from 'zod';

/** POST /v1/accounts/me/totp/confirm */
export const totpConfirmBody = z.strictObject({
  code: z.string().regex(/^\d{6}$/, { message: 'must be the six digits your authenticator app shows' }),
});
export type TotpConfirmBody = z.infer<typeof totpConfirmBody>;

export const totpEnrolmentView = z
  .object({
    secret: z.string().meta({ description: 'Base32 secret, for manual entry' }),
    otpauthUri: z.string().meta({ description: 'otpauth://totp/… URI: render it as a QR code' }),
  })
  .meta({ description: 'A started TOTP enrolment; confirm it with a first code', example: { secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', otpauthUri: 'otpauth://totp/jointcert:0b7f3c2a?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=jointcert' } });

export const totpRecoveryCodesView = z
  .object({ recoveryCodes: z.array(z.string()).meta({ description: 'Ten single-use codes (xxxx-xxxx), shown only now' }) })
  .meta({ description: 'Recovery codes for when the authenticator app is lost', example: { recoveryCodes: ['7k2m-q9x4', 'a3bc-d4ef'] } });
