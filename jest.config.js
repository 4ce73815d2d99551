/** @type {import('jest').Config} */
const fs = require('node:fs');
const swc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swc.$schema;

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
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
  testTimeout: 30000,
  // A test that leaves a reconnect-forever Redis client or a BullMQ worker open must not hang CI
  // after every result is in; jest still prints "did not exit one second after" so the leak shows.
  forceExit: true,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
