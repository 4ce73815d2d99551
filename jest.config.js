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
    '^@jointcert/pki/testing$': '<rootDir>/libs/pki/src/testing/index.ts',
    '^@jointcert/contracts$': '<rootDir>/libs/contracts/src/index.ts',
    '^@jointcert/common$': '<rootDir>/libs/common/src/index.ts',
    '^@jointcert/registry-db$': '<rootDir>/libs/registry-db/src/index.ts',
    '^@jointcert/client$': '<rootDir>/libs/client/src/index.ts',
  },
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
