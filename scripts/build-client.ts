/** `npm run build:client`: the browser bundle of @jointcert/client and the demo page into dist/client/, size against the budget. */
import { buildClientBundle } from '../libs/client/build';

buildClientBundle().then(
  (b) => {
    const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
    const over = b.gzipBytes > b.budget;
    console.log(`${b.file}: ${kib(b.bytes)} minified, ${kib(b.gzipBytes)} gzip — budget ${kib(b.budget)} gzip${over ? ' — OVER BUDGET' : ' (ok)'}`);
    if (over) process.exitCode = 1;
  },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
