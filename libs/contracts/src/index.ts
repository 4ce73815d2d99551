/**
 * Message patterns and payload/result types shared by the gateway and the
 * services. A pattern constant and its types are declared together so that a
 * gateway call cannot drift from its handler.
 */
export interface Contract<Req, Res> {
  readonly cmd: string;
  /** Phantom fields: carry the types only. */
  readonly _req?: Req;
  readonly _res?: Res;
}

export function contract<Req, Res>(cmd: string): Contract<Req, Res> {
  return { cmd };
}

export interface PingResult {
  service: string;
  at: string;
}

export const Patterns = {
  verifierPing: contract<Record<string, never>, PingResult>('verifier.ping'),
  registryPing: contract<Record<string, never>, PingResult>('registry.ping'),
  notifierPing: contract<Record<string, never>, PingResult>('notifier.ping'),
} as const;
