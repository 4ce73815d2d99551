/**
 * Whether the transport vouches that this handling is the message's first
 * delivery: the Streams server read it as a new entry (not taken over from a
 * silent replica), or it was a call in this process (co-located). A context
 * of any other transport (Nest's built-in Redis one) vouches for nothing.
 * With a key made for the call (RequestMeta.callKey), a first delivery cannot
 * be a repeat of an earlier run.
 */
export function isFirstDelivery(ctx: unknown): boolean {
  return vouches(ctx, 'firstDelivery');
}

/**
 * Whether the transport vouches that this handling is the message's ONLY
 * delivery: nothing will ever deliver it again, whatever happens to this
 * run. A call in this process (co-located) is handed over once, and if this
 * process dies its caller dies with it; a Streams entry can always be taken
 * over by another replica, so it never is. With a key made for the call
 * (RequestMeta.callKey), nothing can ever look up a result stored under it.
 */
export function isOnlyDelivery(ctx: unknown): boolean {
  return vouches(ctx, 'onlyDelivery');
}

/** The context has the method `claim` and it answers exactly `true`. */
function vouches(ctx: unknown, claim: 'firstDelivery' | 'onlyDelivery'): boolean {
  const method = (ctx as Record<string, unknown> | null | undefined)?.[claim];
  return typeof method === 'function' && (method as () => unknown).call(ctx) === true;
}
