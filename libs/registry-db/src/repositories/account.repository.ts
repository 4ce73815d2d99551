import { IsNull, type DataSource } from 'typeorm';
import { entityManager, type Tx } from '../database';
import { AccountEntity } from '../entities/account.entity';
import type { Account, AccountPatch, NewAccount } from './account.types';

/** Accounts. Returns plain domain types; pass `tx` to join a transaction. */
export class AccountRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(input: NewAccount, tx?: Tx): Promise<Account> {
    const manager = entityManager(tx, this.dataSource);
    const repo = manager.getRepository(AccountEntity);
    const entity = repo.create({
      email: input.email,
      ...(input.locale !== undefined ? { locale: input.locale } : {}),
      reminderDays: input.reminderDays,
      identityHash: input.identityHash,
    });
    return toDomain(await repo.save(entity, { reload: true }));
  }

  async findById(id: string, tx?: Tx): Promise<Account | null> {
    const manager = entityManager(tx, this.dataSource);
    const row = await manager.getRepository(AccountEntity).findOneBy({ id });
    return row ? toDomain(row) : null;
  }

  /** Apply a patch; null when the account does not exist. */
  async update(id: string, patch: AccountPatch, tx?: Tx): Promise<Account | null> {
    const manager = entityManager(tx, this.dataSource);
    const repo = manager.getRepository(AccountEntity);
    const set: Partial<AccountEntity> = {};
    if (patch.email !== undefined) set.email = patch.email;
    if (patch.locale !== undefined) set.locale = patch.locale;
    if (patch.remindersEnabled !== undefined) set.remindersEnabled = patch.remindersEnabled;
    if (patch.reminderDays !== undefined) set.reminderDays = patch.reminderDays;
    if (patch.passwordReminderEnabled !== undefined) set.passwordReminderEnabled = patch.passwordReminderEnabled;
    if (patch.passwordReminderDays !== undefined) set.passwordReminderDays = patch.passwordReminderDays;
    if (Object.keys(set).length > 0) {
      const result = await repo.update({ id }, set);
      if (result.affected === 0) return null;
    }
    return this.findById(id, manager);
  }

  /** Remember a verified identity's hash unless the account already has one; true when stored. */
  async setIdentityHashIfUnset(id: string, identityHash: string, tx?: Tx): Promise<boolean> {
    const manager = entityManager(tx, this.dataSource);
    const result = await manager.getRepository(AccountEntity).update({ id, identityHash: IsNull() }, { identityHash });
    return (result.affected ?? 0) > 0;
  }
}

function toDomain(e: AccountEntity): Account {
  return {
    id: e.id,
    email: e.email,
    locale: e.locale,
    remindersEnabled: e.remindersEnabled,
    reminderDays: [...e.reminderDays],
    passwordReminderEnabled: e.passwordReminderEnabled,
    passwordReminderDays: e.passwordReminderDays,
    identityHash: e.identityHash,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}
