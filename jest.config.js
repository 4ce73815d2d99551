/**
 * Two projects (README "Tests"):
 *   unit         no external process: no Postgres, Redis, openssl, slapd,
 *                chromium, docker or child server (test/support/unit-guard.ts
 *                makes a test that tries fail loudly);
 *   integration  everything else: every *.e2e-spec.ts and the *.spec.ts files
 *                listed in INTEGRATION.
 * `npm run test:unit` / `npm run test:integration` run one; `npx jest` both.
 */
/** @type {import('jest').Config} */
const fs = require('node:fs');
const swc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swc.$schema;

/** *.spec.ts files that start a process or reach Postgres/Redis (what each uses). */
const INTEGRATION = [
  'apps/gateway/src/rate-limit/client-rate-limiter.spec.ts', // Redis
  'apps/registry/src/challenges/challenge.store.spec.ts', // Redis
  'libs/client/src/client.spec.ts', // openssl
  'libs/client/src/passwd.spec.ts', // openssl
  'libs/client/src/transfer/transfer.spec.ts', // esbuild (a child process) bundles the client
  'libs/common/src/auth/auth.spec.ts', // Redis
  'libs/common/src/redis/connection.spec.ts', // Redis (CLIENT KILL, restarts)
  'libs/common/src/redis/script.spec.ts', // Redis
  'libs/pki/src/cert/parse.spec.ts', // openssl
  'libs/pki/src/cms/verify.spec.ts', // openssl, iconv
  'libs/pki/src/crypto/pss.spec.ts', // openssl
  'libs/pki/src/crypto/signature.spec.ts', // openssl
  'libs/pki/src/der/encoding.spec.ts', // openssl
  'libs/pki/src/der/reader.spec.ts', // openssl
  'libs/pki/src/der/writer.spec.ts', // openssl
  'libs/pki/src/npki/folder.spec.ts', // openssl
  'libs/pki/src/npki/keyfile.spec.ts', // openssl
  'libs/pki/src/npki/km.spec.ts', // openssl
  'libs/pki/src/npki/pkcs12.spec.ts', // openssl
  'libs/pki/src/npki/seed.spec.ts', // openssl
  'libs/pki/src/revocation/checker.openssl.spec.ts', // openssl ocsp responder
  'libs/pki/src/revocation/crl/check.spec.ts', // openssl ca
  'libs/pki/src/revocation/crl/fetch.spec.ts', // openssl ca, slapd
  'libs/pki/src/revocation/crl/parse.spec.ts', // openssl
  'libs/pki/src/revocation/ocsp/openssl-responder.spec.ts', // openssl ocsp responder
  'libs/pki/src/revocation/ocsp/parse.spec.ts', // openssl
  'libs/pki/src/issuing/certificate.spec.ts', // openssl
  'libs/pki/src/issuing/keys.spec.ts', // openssl
  'libs/pki/src/issuing/korean.spec.ts', // openssl
  'libs/pki/src/issuing/npki-folder.spec.ts', // openssl
  'libs/registry-db/src/app-role.spec.ts', // Postgres
  'libs/registry-db/src/database.spec.ts', // Postgres (RegistryDbModule migrates; transaction retry on real SQLSTATEs)
  'libs/registry-db/src/repositories/certificate.repository.spec.ts', // Postgres
  'libs/registry-db/src/repositories/login.repository.spec.ts', // Postgres
  'libs/registry-db/src/schema.spec.ts', // Postgres
  'libs/verification/src/revocation/redis-revocation-cache.spec.ts', // Redis
  'libs/verification/src/trust/trust-store.spec.ts', // Redis (a booted verifier)
];

const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  moduleNameMapper: {
    '^@jointcert/pki$': '<rootDir>/libs/pki/src/index.ts',
    '^@jointcert/pki/der$': '<rootDir>/libs/pki/src/der/index.ts',
    '^@jointcert/pki/issuing$': '<rootDir>/libs/pki/src/issuing/index.ts',
    '^@jointcert/contracts$': '<rootDir>/libs/contracts/src/index.ts',
    '^@jointcert/contracts/formats$': '<rootDir>/libs/contracts/src/formats.ts',
    '^@jointcert/common$': '<rootDir>/libs/common/src/index.ts',
    '^@jointcert/registry-db$': '<rootDir>/libs/registry-db/src/index.ts',
    '^@jointcert/verification$': '<rootDir>/libs/verification/src/index.ts',
    '^@jointcert/client$': '<rootDir>/libs/client/src/index.ts',
  },
};

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...INTEGRATION.map((p) => `^${escape(`${__dirname}/${p}`)}$`)],
      setupFilesAfterEnv: ['<rootDir>/test/support/unit-guard.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['**/*.e2e-spec.ts', ...INTEGRATION.map((p) => `<rootDir>/${p}`)],
    },
  ],
  // global, not per project: jest reads testTimeout from the global config
  testTimeout: 30000,
  // No forceExit: every project exits on its own (each run in band with --detectOpenHandles). A test
  // that leaves a reconnect-forever Redis client, a worker or a server open shows as "Jest did not
  // exit one second after the test run"; find it with `npx jest -i --detectOpenHandles <files>`.
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
