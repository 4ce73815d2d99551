import { ClientError } from '../src/errors';

/** The ClientError a promise rejects with (anything else, or no rejection, fails the test). */
export async function rejection(p: Promise<unknown>): Promise<ClientError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ClientError) return e;
    throw e;
  }
  throw new Error('expected a ClientError');
}
