/** The `jointcert` CLI run in this process with a captured terminal (test/cli and test/transfer-cli). */
import type { Io } from '../../libs/client/cli/io';
import { run } from '../../libs/client/cli/main';

export interface Ran {
  code: number;
  out: string;
  err: string;
  json<T = Record<string, unknown>>(): T;
}

/** A terminal whose output lines land in `out` / `err` as they are printed; `stdin` lines feed --password-stdin. */
export function capturedIo(stdin: string[] = []): { io: Io; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (l = '') => void out.push(l),
    err: (l = '') => void err.push(l),
    stdinLines: () => Promise.resolve(stdin),
    promptHidden: () => Promise.reject(new Error('no terminal in tests')),
    stdinIsTty: false,
    stderrIsTty: false,
  };
  return { io, out, err };
}

/** run() to its end. */
export async function cli(args: string[], stdin: string[] = []): Promise<Ran> {
  const { io, out, err } = capturedIo(stdin);
  const code = await run(args, io);
  const o = out.join('\n');
  return { code, out: o, err: err.join('\n'), json: <T>() => JSON.parse(o) as T };
}
