/** Shared timing helpers for the benchmarks. */

export interface Rate {
  ops: number;
  seconds: number;
  perSecond: number;
  /** microseconds per operation */
  usPerOp: number;
}

/** Run `fn` repeatedly for about `ms` milliseconds (after a warm-up) and report the rate. */
export function measure(fn: () => unknown, ms = 1000, warmupMs = 200): Rate {
  const warmEnd = performance.now() + warmupMs;
  while (performance.now() < warmEnd) fn();
  let ops = 0;
  const start = performance.now();
  const end = start + ms;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 16; i++) fn();
    ops += 16;
    now = performance.now();
  }
  const seconds = (now - start) / 1000;
  return { ops, seconds, perSecond: ops / seconds, usPerOp: (seconds * 1e6) / ops };
}

/** Async variant: awaits each call. */
export async function measureAsync(fn: () => Promise<unknown>, ms = 1000, warmupMs = 200): Promise<Rate> {
  const warmEnd = performance.now() + warmupMs;
  while (performance.now() < warmEnd) await fn();
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now < start + ms) {
    await fn();
    ops++;
    now = performance.now();
  }
  const seconds = (now - start) / 1000;
  return { ops, seconds, perSecond: ops / seconds, usPerOp: (seconds * 1e6) / ops };
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Print a table row: name, rate, µs/op, ratio against a baseline rate. */
export function report(name: string, r: Rate, baseline?: Rate): void {
  const ratio = baseline ? `  ${(r.perSecond / baseline.perSecond).toFixed(2)}× baseline` : '';
  console.log(`${name.padEnd(44)} ${fmt(r.perSecond).padStart(12)} /s  ${r.usPerOp.toFixed(2).padStart(9)} µs/op${ratio}`);
}
