import { Injectable } from '@nestjs/common';
import type { AccountView, CallerRequest, UpdateAccountRequest } from '@jointcert/contracts';
import { AccountRepository, RegistryDatabase, type AccountPatch } from '@jointcert/registry-db';
import { AuditLog } from '../audit/audit-log';
import { accountUnknown } from '../shared/errors';
import { accountView } from './account.view';

/** The caller's account: read, and update the settings a user may change (input validated by the controller). */
@Injectable()
export class AccountsService {
  constructor(
    private readonly db: RegistryDatabase,
    private readonly accounts: AccountRepository,
    private readonly audit: AuditLog,
  ) {}

  async get(request: CallerRequest): Promise<AccountView> {
    const account = await this.accounts.findById(request.caller.accountId);
    if (!account) throw accountUnknown();
    return accountView(account);
  }

  async update(request: UpdateAccountRequest): Promise<AccountView> {
    const patch: AccountPatch = {};
    if (request.email !== undefined) patch.email = request.email;
    if (request.locale !== undefined) patch.locale = request.locale;
    if (request.reminders?.enabled !== undefined) patch.remindersEnabled = request.reminders.enabled;
    if (request.reminders?.daysBefore !== undefined) patch.reminderDays = request.reminders.daysBefore;
    if (request.passwordReminder?.enabled !== undefined) patch.passwordReminderEnabled = request.passwordReminder.enabled;
    if (request.passwordReminder?.intervalDays !== undefined) patch.passwordReminderDays = request.passwordReminder.intervalDays;
    return this.db.transaction(async (tx) => {
      const account = await this.accounts.update(request.caller.accountId, patch, tx);
      if (!account) throw accountUnknown();
      await this.audit.success({ action: 'account.update', client: request.client, accountId: account.id, details: { fields: Object.keys(patch) } }, tx);
      return accountView(account);
    });
  }
}
