/**
 * Whether the transport vouches that this handling is the message's first
 * delivery: the Streams server read it as a new entry (not taken over from a
 * silent replica), or it was a call in this process (co-located). A context
 * of any other transport (Nest's built-in Redis one) vouches for nothing.
 * With a key made for the call (RequestMeta.callKey), a first delivery cannot
 * be a repeat of an earlier run.
 */
export function isFirstDelivery(ctx: unknown): boolean {
  const c = ctx as { firstDelivery?: unknown } | null | undefined;
  return typeof c?.firstDelivery === 'function' && (c.firstDelivery as () => unknown).call(c) === true;
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
  const c = ctx as { onlyDelivery?: unknown } | null | undefined;
  return typeof c?.onlyDelivery === 'function' && (c.onlyDelivery as () => unknown).call(c) === true;
}
