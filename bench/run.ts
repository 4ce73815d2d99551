/**
 * `npm run bench`: every benchmark prints its figures and a ratio against a
 * baseline measured in the same run (these machines are shared and noisy).
 */
async function main(): Promise<void> {
  const only = process.argv[2];
  const suites: Array<[string, () => Promise<void>]> = [];
  for (const [name, run] of suites) {
    if (only && only !== name) continue;
    console.log(`\n== ${name} ==`);
    await run();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
