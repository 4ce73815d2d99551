import { z } from 'zod';
import { callerSchema, clientSchema } from '../shared/validation';

/** Six TOTP digits, or a recovery code (xxxx-xxxx). */
export const totpCodeSchema = z.string().regex(/^\d{6}$|^[0-9a-z]{4}-[0-9a-z]{4}$/);
export const callerRequestSchema = z.object({ client: clientSchema, caller: callerSchema });
export const codeRequestSchema = callerRequestSchema.extend({ totpCode: totpCodeSchema.optional() });
export const certificateRequestSchema = callerRequestSchema.extend({ certificateId: z.uuid() });
/** A reported certificate-password change: when (default now). */
export const passwordChangedSchema = certificateRequestSchema.extend({ changedAt: z.iso.datetime({ offset: true }).optional() });
/** A certificate action a second factor guards (delete, replace, unlock). */
export const secondFactorRequestSchema = certificateRequestSchema.extend({ totpCode: totpCodeSchema.optional() });
