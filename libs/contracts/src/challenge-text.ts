/**
 * The text a client may sign instead of the raw nonce (vendor web clients and
 * older SDKs sign strings). It is derived from the nonce and the site's name
 * alone, so the registry (which hands it out with the challenge) and the
 * verifier (which accepts it) compute the same bytes without storing
 * anything beside the nonce:
 *
 *   [<site name>] 공동인증서 로그인 (certificate login)\n
 *   nonce=<the nonce, standard base64 exactly as in ChallengeView.nonce>
 *
 * The verifier accepts this text encoded as UTF-8 or (older clients) EUC-KR.
 */
export function challengeTextToSign(nonceBase64: string, siteName: string): string {
  return `[${siteName}] 공동인증서 로그인 (certificate login)\nnonce=${nonceBase64}`;
}
