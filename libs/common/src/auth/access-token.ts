import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Caller } from '@jointcert/contracts';
import type { AppConfig } from '../config';
import { DomainError } from '../errors/domain-error';

/**
 * Access tokens: short-lived HS256 JWTs issued by the registry and verified by
 * the gateway without a service hop. `sid` names the session, so a logout
 * (recorded in Redis, see SessionRevocations) stops the token at once.
 */
export const TOKEN_ISSUER = 'jointcert';
export const TOKEN_AUDIENCE = 'jointcert-api';

/*
 * jsonwebtoken given a string secret first tries to parse it as a public key
 * (~300 µs a call); a KeyObject skips that (~6 µs). One per secret, cached.
 */
const secretKeys = new Map<string, KeyObject>();
function secretKey(secret: string): KeyObject {
  let key = secretKeys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    if (secretKeys.size > 16) secretKeys.clear();
    secretKeys.set(secret, key);
  }
  return key;
}

export interface AccessTokenClaims {
  sub: string;
  sid: string;
}

/** The JOSE header of every access token: `{"alg":"HS256","typ":"JWT"}`, base64url. */
const HS256_HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/**
 * An HS256 JWT built with node:crypto directly (jsonwebtoken's sign took
 * 7.7–10.7 µs a token validating options and payload for claims we build
 * ourselves, this 3.2–3.6 µs; CPU in a loop). The bytes are the ones
 * jsonwebtoken produced for the same input — claims in its order (sid, exp,
 * aud, iss, sub) and no `iat` (it was asked for none) — which auth.spec.ts
 * checks against jsonwebtoken; verification stays jsonwebtoken's.
 */
export function issueAccessToken(config: Pick<AppConfig, 'ACCESS_TOKEN_SECRET' | 'ACCESS_TOKEN_TTL_S'>, caller: Caller, nowMs: number): string {
  const exp = Math.floor(nowMs / 1000) + config.ACCESS_TOKEN_TTL_S;
  const claims = { sid: caller.sessionId, exp, aud: TOKEN_AUDIENCE, iss: TOKEN_ISSUER, sub: caller.accountId };
  const input = `${HS256_HEADER}.${Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url')}`;
  return `${input}.${createHmac('sha256', secretKey(config.ACCESS_TOKEN_SECRET)).update(input, 'utf8').digest('base64url')}`;
}

/** Verify signature, algorithm, issuer, audience and expiry; UNAUTHENTICATED otherwise (the detail never echoes the token). */
export function verifyAccessToken(config: Pick<AppConfig, 'ACCESS_TOKEN_SECRET'>, token: string, nowMs: number): Caller {
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, secretKey(config.ACCESS_TOKEN_SECRET), {
      algorithms: ['HS256'],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      clockTimestamp: Math.floor(nowMs / 1000),
    });
  } catch (e) {
    const expired = e instanceof jwt.TokenExpiredError;
    throw new DomainError('UNAUTHENTICATED', expired ? 'the access token has expired' : 'the access token is not valid', { reason: expired ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID' });
  }
  if (typeof payload === 'string' || typeof payload.sub !== 'string' || typeof payload['sid'] !== 'string') {
    throw new DomainError('UNAUTHENTICATED', 'the access token is not valid', { reason: 'TOKEN_INVALID' });
  }
  return { accountId: payload.sub, sessionId: payload['sid'] };
}
