/**
 * Run the TypeScript sources without a build: `node -r ./scripts/ts-register.js scripts/start-all.ts`.
 * Compiles each .ts file with swc (the .swcrc jest uses) as it is required and
 * resolves the @jointcert/* path aliases of tsconfig.json. start-all passes it
 * on to the services it spawns (process.execArgv), so the whole system runs
 * from source; the e2e test of `npm start` uses it.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '..');
const swcrc = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;
const tsconfig = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
const aliases = new Map(Object.entries(tsconfig.compilerOptions.paths).map(([k, [v]]) => [k, path.join(root, v)]));

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, aliases.get(request) ?? request, ...rest);
};

require.extensions['.ts'] = function (module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, { ...swcrc, filename, sourceMaps: 'inline', swcrc: false, configFile: false });
  module._compile(code, filename);
};
