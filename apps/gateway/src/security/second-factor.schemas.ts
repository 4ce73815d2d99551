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

const iso = z.iso.datetime({ offset: true });

export const sessionView = z
  .object({
    id: z.uuid(),
    certificateId: z.uuid().meta({ description: 'The certificate that logged in' }),
    createdAt: iso.meta({ description: 'Login time' }),
    lastRefreshAt: iso.nullable().meta({ description: 'Last token refresh; null if never refreshed' }),
    expiresAt: iso,
    ip: z.string().nullable().meta({ description: 'Client address at the last login or refresh' }),
    userAgent: z.string().nullable(),
    current: z.boolean().meta({ description: 'The session of this request' }),
  })
  .meta({
    description: 'One of the account’s live sessions',
    example: {
      id: '5e1a2b3c-4d5e-4f6a-8b9c-0d1e2f3a4b5c',
      certificateId: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f',
      createdAt: '2026-11-29T03:00:12.345Z',
      lastRefreshAt: null,
      expiresAt: '2026-12-29T03:00:12.345Z',
      ip: '203.0.113.7',
      userAgent: 'Mozilla/5.0',
      current: true,
    },
  });

export const endedSessionsView = z.object({ ended: z.int().meta({ description: 'Sessions ended' }) }).meta({ description: 'Sessions ended', example: { ended: 3 } });
