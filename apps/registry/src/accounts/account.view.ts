import type { AccountView } from '@jointcert/contracts';
import type { Account } from '@jointcert/registry-db';

/** The API view of an account (the identity hash never leaves the registry). */
export function accountView(a: Pick<Account, 'id' | 'email' | 'locale' | 'remindersEnabled' | 'reminderDays' | 'passwordReminderEnabled' | 'passwordReminderDays' | 'createdAt'>): AccountView {
  return {
    id: a.id,
    email: a.email,
    locale: a.locale,
    reminders: { enabled: a.remindersEnabled, daysBefore: [...a.reminderDays] },
    passwordReminder: { enabled: a.passwordReminderEnabled, intervalDays: a.passwordReminderDays },
    createdAt: a.createdAt.toISOString(),
  };
}
