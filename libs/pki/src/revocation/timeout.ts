/** A fetch that outlived its time limit. */
export class FetchTimeout extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'FetchTimeout';
  }
}

/**
 * Race `p` against a timer, so an injected fetcher that ignores its own
 * timeout cannot hang a revocation check.
 */
export async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FetchTimeout(ms)), ms);
    timer.unref?.();
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
    // a late rejection of the fetcher must not become an unhandled rejection
    p.catch(() => undefined);
  }
}
