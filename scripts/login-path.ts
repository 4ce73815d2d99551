/**
 * How many of our source files a login reaches: esbuild bundles the files the
 * login runs through (gateway sessions controller → registry sessions
 * controller and login use case → the verification lib) with every npm
 * package external, and the metafile lists each of our files reached through
 * imports. Run: `node -r ./scripts/ts-register.js scripts/login-path.ts [root] [--list]`
 * (root: another checkout of the repository, default this one).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

export const LOGIN_ENTRY_POINTS = [
  'apps/gateway/src/sessions/sessions.controller.ts',
  'apps/registry/src/sessions/sessions.controller.ts',
  'apps/registry/src/sessions/login.use-case.ts',
  'libs/verification/src/index.ts',
];

function tsconfigPaths(root: string): Record<string, string[]> {
  const tsconfig = JSON.parse(readFileSync(path.join(root, 'tsconfig.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } };
  return tsconfig.compilerOptions.paths;
}

/** Our files (under apps/ and libs/) reached from the entry points, relative to root, sorted. */
export async function loginPathFiles(root: string): Promise<string[]> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: LOGIN_ENTRY_POINTS,
    bundle: true,
    platform: 'node',
    packages: 'external',
    // the @jointcert/* paths of tsconfig.json; imports kept as written (verbatimModuleSyntax), as tsc with
    // emitDecoratorMetadata keeps them: a class injected by type is a runtime import in Nest, which esbuild
    // would otherwise drop as type-only
    tsconfigRaw: { compilerOptions: { baseUrl: '.', paths: tsconfigPaths(root), verbatimModuleSyntax: true, experimentalDecorators: true } },
    metafile: true,
    write: false,
    outdir: 'out',
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs)
    .filter((file) => /^(apps|libs)\//.test(file))
    .sort();
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const root = path.resolve(args.find((a) => !a.startsWith('--')) ?? path.join(__dirname, '..'));
  const files = await loginPathFiles(root);
  if (args.includes('--list')) for (const file of files) console.log(file);
  const byArea = new Map<string, number>();
  for (const file of files) {
    const area = file.split('/').slice(0, 2).join('/');
    byArea.set(area, (byArea.get(area) ?? 0) + 1);
  }
  console.log(`${files.length} files on the login path (${[...byArea].map(([area, n]) => `${area} ${n}`).join(', ')})`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
