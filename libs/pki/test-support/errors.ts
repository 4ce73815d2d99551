import { isPkiError } from '../src/errors';

/**
 * The PkiError code `fn` throws, 'no error' when it returns, and a visible
 * "not a PkiError" string (so the assertion shows it) for any other exception.
 */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return isPkiError(e) ? e.code : `not a PkiError: ${String(e)}`;
  }
  return 'no error';
}
