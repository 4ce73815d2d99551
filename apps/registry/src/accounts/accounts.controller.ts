import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { Api, type AccountView } from '@jointcert/contracts';
import { callerSchema, clientSchema, parsePayload } from '../shared/validation';
import { SecondFactor } from '../security/second-factor.service';
import { totpCodeSchema } from '../security/second-factor.schemas';
import { AccountsService } from './accounts.service';

/** The password reminder's interval: a week to two years (accounts.password_reminder_days has the same check). */
export const PASSWORD_REMINDER_DAYS = { min: 7, max: 730 } as const;

/** Locales the frontends are translated into. */
export const LOCALES = ['ko', 'en'] as const;

const callerRequestSchema = z.object({ client: clientSchema, caller: callerSchema });

export const updateAccountSchema = callerRequestSchema.extend({
  email: z.email().max(254).nullable().optional(),
  locale: z.enum(LOCALES).optional(),
  reminders: z
    .object({
      enabled: z.boolean().optional(),
      /** 1–10 distinct whole days between 0 and 366, stored largest first. */
      daysBefore: z
        .array(z.int().min(0).max(366))
        .min(1)
        .max(10)
        .refine((days) => new Set(days).size === days.length, 'days must be distinct')
        .transform((days) => [...days].sort((a, b) => b - a))
        .optional(),
    })
    .optional(),
  passwordReminder: z.object({ enabled: z.boolean().optional(), intervalDays: z.int().min(PASSWORD_REMINDER_DAYS.min).max(PASSWORD_REMINDER_DAYS.max).optional() }).optional(),
  totpCode: totpCodeSchema.optional(),
});

/** Message handlers: validate, delegate. */
@Controller()
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly secondFactor: SecondFactor,
  ) {}

  @MessagePattern(Api.registry.getAccount.cmd)
  get(@Payload() envelope: unknown): Promise<AccountView> {
    return this.accounts.get(parsePayload(callerRequestSchema, envelope));
  }

  @MessagePattern(Api.registry.updateAccount.cmd)
  async update(@Payload() envelope: unknown): Promise<AccountView> {
    const request = parsePayload(updateAccountSchema, envelope);
    // changing (or removing) the email — where reminders and lock confirmations go — needs a fresh code once a second factor is enrolled
    if (request.email !== undefined) await this.secondFactor.requireFresh(request.caller.accountId, request.totpCode, request.client, 'account.update');
    return this.accounts.update(request);
  }
}
