/** An account as the rest of the system sees it (never the entity). */
export interface Account {
  id: string;
  email: string | null;
  locale: string;
  remindersEnabled: boolean;
  reminderDays: number[];
  /** Opt-in reminder to change the certificate password every passwordReminderDays. */
  passwordReminderEnabled: boolean;
  passwordReminderDays: number;
  /** Keyed hash of a verified identity number, hex; null until an identity was verified. */
  identityHash: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewAccount {
  email: string | null;
  locale?: string;
  reminderDays: number[];
  identityHash: string | null;
}

/** Fields an update may change; absent fields stay as they are. */
export interface AccountPatch {
  email?: string | null;
  locale?: string;
  remindersEnabled?: boolean;
  reminderDays?: number[];
  passwordReminderEnabled?: boolean;
  passwordReminderDays?: number;
}
