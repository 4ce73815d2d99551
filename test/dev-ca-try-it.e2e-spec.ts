/**
 * The README's "Try it" flow, as scripts/try-it.sh runs it (curl + openssl),
 * against a real `npm start` (scripts/start-all.ts from source) on free ports
 * with its own database and REDIS_PREFIX: a dev CA certificate, a challenge
 * signed with `openssl cms`, sign-up with the identity check, login, the
 * account's certificates, and a revoked certificate refused over OCSP.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort, PG, ROOT, startAll } from './support/start-all-process';

const run = promisify(execFile);

describe('scripts/try-it.sh against npm start', () => {
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const database = `jc_try_${tag}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'jc-try-'));

  afterAll(async () => {
    const admin = new Client({ connectionString: `${PG}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs every step of the frontend flow', async () => {
    const [gatewayPort, devCaPort] = [await freePort(), await freePort()];
    const s = startAll({
      DATABASE_URL: `${PG}/${database}`,
      REDIS_PREFIX: `jc-try-${tag}:`,
      GATEWAY_PORT: String(gatewayPort),
      GATEWAY_HOST: '127.0.0.1',
      DEV_CA_PORT: String(devCaPort),
      DEV_CA_DATA_DIR: dataDir,
    });
    try {
      await s.waitFor(/jointcert is up/);
      const { stdout } = await run('bash', [join(ROOT, 'scripts', 'try-it.sh')], {
        env: { PATH: process.env.PATH ?? '', GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`, DEV_CA_URL: `http://127.0.0.1:${devCaPort}` },
        maxBuffer: 16 * 1024 * 1024,
      }).catch((e: Error & { stdout?: string; stderr?: string }) => {
        throw new Error(`try-it.sh failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}\n--- services ---\n${s.output().slice(-4000)}`);
      });
      expect(stdout).toContain('all steps answered as expected');
      expect(stdout.match(/-> HTTP /g)).toHaveLength(10);
    } finally {
      s.child.kill('SIGTERM');
      await s.exited;
    }
  }, 30_000);
});
