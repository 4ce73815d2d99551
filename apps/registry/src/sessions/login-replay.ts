import type { AccountRepository } from '@jointcert/registry-db';
import { accountView } from '../accounts/account.view';
import type { StoredResult } from '../idempotency/request-results';
import { accountUnknown } from '../shared/errors';
import type { SessionDraft, SessionIssuer } from './session-issuer';

/** What a login's idempotency record seals: the draft's part of the tokens (the statement adds the account id). */
export type LoginRecord = Pick<SessionDraft, 'id' | 'refreshToken' | 'now'>;

export function loginRecord(draft: SessionDraft): LoginRecord {
  return { id: draft.id, refreshToken: draft.refreshToken, now: draft.now };
}

/**
 * The answer to a repeated login: the same tokens, rebuilt from the sealed
 * draft and the account id its statement recorded (the access token is
 * deterministic in both; the account view is read now). A row written whole
 * (before records were sealed drafts) is its answer.
 */
export async function loginReplay(stored: StoredResult, sessions: SessionIssuer, accounts: AccountRepository): Promise<unknown> {
  const accountId = stored.bound?.accountId;
  if (typeof accountId !== 'string') return stored.result;
  const account = await accounts.findById(accountId);
  if (!account) throw accountUnknown();
  return sessions.tokens(stored.result as LoginRecord, accountId, accountView(account));
}
