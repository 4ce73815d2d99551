export interface Contract<Req, Res> {
  readonly cmd: string;
  /** Phantom fields: carry the types only. */
  readonly _req?: Req;
  readonly _res?: Res;
}

export function contract<Req, Res>(cmd: string): Contract<Req, Res> {
  return { cmd };
}

/** Types carried by a contract. */
export type RequestOf<C> = C extends Contract<infer Req, unknown> ? Req : never;
export type ResultOf<C> = C extends Contract<unknown, infer Res> ? Res : never;
