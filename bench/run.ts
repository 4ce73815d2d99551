/**
 * `npm run bench [name]`: runs every bench/<name>.bench.ts (compiled to
 * dist/bench). Each benchmark prints its figures and a ratio against a
 * baseline measured in the same run, because these machines are shared and noisy.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

interface BenchModule {
  run(): Promise<void>;
}

async function main(): Promise<void> {
  const only = process.argv[2];
  const files = readdirSync(__dirname).filter((f) => f.endsWith('.bench.js')).sort();
  for (const file of files) {
    const name = file.replace(/\.bench\.js$/, '');
    if (only && only !== name) continue;
    console.log(`\n== ${name} ==`);
    const mod = (await import(join(__dirname, file))) as BenchModule;
    await mod.run();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
