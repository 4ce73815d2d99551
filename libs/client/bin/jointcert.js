#!/usr/bin/env node
// `npx jointcert`: the CLI of @jointcert/client (libs/client/cli). From a checkout it runs
// the TypeScript sources through scripts/ts-register.js; without them, the compiled dist/.
'use strict';
const { existsSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..', '..');
const source = path.join(root, 'libs', 'client', 'cli', 'main.ts');
if (existsSync(source)) {
  require(path.join(root, 'scripts', 'ts-register.js'));
  require(source).main();
} else {
  require(path.join(root, 'dist', 'libs', 'client', 'cli', 'main.js')).main();
}
