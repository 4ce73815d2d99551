/**
 * The README's "Try it" flow, as scripts/try-it.sh runs it (curl + openssl),
 * against a real `npm start` (scripts/start-all.ts from source) on free ports
 * with its own database and REDIS_PREFIX: a dev CA certificate, a challenge
 * signed with `openssl cms`, sign-up with the identity check, login, the
 * account's certificates, and a revoked certificate refused over OCSP.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, scratchInstance } from './support/start-all-process';

const run = promisify(execFile);

describe('scripts/try-it.sh against npm start', () => {
  const inst = scratchInstance('try');
  afterAll(() => inst.cleanup());

  it('runs every step of the frontend flow', async () => {
    const { s, gatewayPort, devCaPort } = await inst.start();
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
