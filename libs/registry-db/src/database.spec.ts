import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from '@jointcert/common';
import { createTestDatabase, type TestDatabase } from '../test-support/database';
import { RegistryDatabase, TRANSACTION_ATTEMPTS, type Tx } from './database';
import { RegistryDbModule } from './registry-db.module';
import { AccountRepository } from './repositories/account.repository';

// Medium test on a real Postgres: the module migrates at boot, a Tx carries the repositories' work.
describe('RegistryDbModule and RegistryDatabase', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let database: RegistryDatabase;
  let accounts: AccountRepository;
  const logger = { info: jest.fn() } as unknown as Logger;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await NestFactory.createApplicationContext(RegistryDbModule.forRoot({ url: db.url, migrate: true, applicationName: 'jointcert-spec' }, logger), { logger: false });
    database = app.get(RegistryDatabase);
    accounts = app.get(AccountRepository);
  });
  afterAll(async () => {
    await database.close();
    await database.close();
    await app.close();
    await db.drop();
  });

  it('migrates at boot', () => {
    expect(logger.info).toHaveBeenCalledWith({ migrations: expect.arrayContaining([expect.any(String)]) }, 'database migrations applied');
  });

  it('a transaction commits what the repositories did with its Tx', async () => {
    const id = await database.transaction(async (tx) => (await accounts.create({ email: 'kept@example.kr', reminderDays: [30], identityHash: null }, tx)).id);
    expect((await accounts.findById(id))?.email).toBe('kept@example.kr');
  });

  it('a transaction that throws rolls all of it back, and the error passes through', async () => {
    let id = '';
    const boom = new Error('boom');
    await expect(
      database.transaction(async (tx) => {
        id = (await accounts.create({ email: 'gone@example.kr', reminderDays: [30], identityHash: null }, tx)).id;
        expect(await accounts.findById(id, tx)).not.toBeNull();
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await accounts.findById(id)).toBeNull();
  });

  /** A real error with that SQLSTATE from Postgres (as the driver reports a serialization failure or deadlock). */
  const failWith = (tx: Tx, sqlState: string): Promise<unknown> => tx.query(`DO $$ BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '${sqlState}'; END $$`);

  it('a transaction that fails once with a serialization failure (40001) is run again and commits; the failed attempt left nothing', async () => {
    const ids: string[] = [];
    const id = await database.transaction(async (tx) => {
      const created = (await accounts.create({ email: `retried-${ids.length}@example.kr`, reminderDays: [30], identityHash: null }, tx)).id;
      ids.push(created);
      if (ids.length === 1) await failWith(tx, '40001');
      return created;
    });
    expect(ids).toHaveLength(2);
    expect(id).toBe(ids[1]);
    expect(await accounts.findById(ids[0]!)).toBeNull();
    expect((await accounts.findById(id))?.email).toBe('retried-1@example.kr');
  });

  it('a deadlock (40P01) in every attempt stands after TRANSACTION_ATTEMPTS; another error is not retried', async () => {
    let attempts = 0;
    await expect(
      database.transaction(async (tx) => {
        attempts++;
        await failWith(tx, '40P01');
      }),
    ).rejects.toMatchObject({ driverError: { code: '40P01' } });
    expect(attempts).toBe(TRANSACTION_ATTEMPTS);

    attempts = 0;
    await expect(
      database.transaction(async (tx) => {
        attempts++;
        await failWith(tx, '23505');
      }),
    ).rejects.toMatchObject({ driverError: { code: '23505' } });
    expect(attempts).toBe(1);
  });
});
