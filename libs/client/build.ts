/**
 * The browser bundle of @jointcert/client: one ESM file, minified, with the
 * shared libs/pki code (DER, SEED, key-file format, certificate parser,
 * Korean profile) and a Buffer shim; node:crypto is replaced by a stub that
 * fails loudly. The size is printed against a budget (gzip), and a bundle over
 * the budget fails the build.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** The repository root (this file runs from source, or compiled under dist/libs/client). */
const ROOT = resolve(__dirname, ...(__filename.endsWith('.js') ? ['..', '..', '..'] : ['..', '..']));
/** gzip size budget of the browser bundle: 32 KiB for login and management, +8 KiB for device transfer (scrypt of @noble/hashes, ~7 KiB). */
export const CLIENT_BUNDLE_BUDGET_GZIP = 40 * 1024;

export interface ClientBundle {
  file: string;
  bytes: number;
  gzipBytes: number;
  budget: number;
}

export async function buildClientBundle(outdir = join(ROOT, 'dist', 'client')): Promise<ClientBundle> {
  mkdirSync(outdir, { recursive: true });
  const file = join(outdir, 'jointcert-client.js');
  const result = await build({
    entryPoints: [join(ROOT, 'libs/client/src/index.ts')],
    outfile: file,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    tsconfig: join(ROOT, 'tsconfig.json'),
    inject: [join(ROOT, 'libs/client/src/browser/buffer-shim.ts')],
    alias: { 'node:crypto': join(ROOT, 'libs/client/src/browser/node-crypto-shim.ts') },
    logLevel: 'warning',
    metafile: true,
  });
  const nodeInputs = Object.keys(result.metafile.inputs).filter((p) => /^node:|(^|\/)node_modules\/(?!buffer\/|base64-js\/|ieee754\/|@noble\/hashes\/)/.test(p));
  if (nodeInputs.length > 0) throw new Error(`the browser bundle pulls in ${nodeInputs.join(', ')}`);
  // the demo page beside the bundle
  for (const f of ['index.html', 'demo.js', 'demo.css']) writeFileSync(join(outdir, f), readFileSync(join(ROOT, 'libs/client/demo', f)));
  const code = readFileSync(file);
  return { file, bytes: code.length, gzipBytes: gzipSync(code).length, budget: CLIENT_BUNDLE_BUDGET_GZIP };
}
