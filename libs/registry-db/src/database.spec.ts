import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from '@jointcert/common';
import { createTestDatabase, type TestDatabase } from '../test-support/database';
import { RegistryDatabase } from './database';
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
});
