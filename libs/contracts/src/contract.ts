import type { z } from 'zod';

/** A message: its pattern, the one schema its request is parsed with, and the type of its result. */
export interface Contract<Req, Res> {
  readonly cmd: string;
  /** The request's schema: every handler parses with it (libs/common parseMessage); the request type is its output. */
  readonly schema: z.ZodType<Req>;
  /** Phantom field: carries the result type only. */
  readonly _res?: Res;
}

export function contract<Req, Res>(cmd: string, schema: z.ZodType<Req>): Contract<Req, Res> {
  return { cmd, schema };
}

/** Types carried by a contract. */
export type RequestOf<C> = C extends Contract<infer Req, unknown> ? Req : never;
export type ResultOf<C> = C extends Contract<unknown, infer Res> ? Res : never;
