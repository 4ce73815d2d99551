import { createSecretKey, type KeyObject } from 'node:crypto';
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

export function issueAccessToken(config: Pick<AppConfig, 'ACCESS_TOKEN_SECRET' | 'ACCESS_TOKEN_TTL_S'>, caller: Caller, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  return jwt.sign({ sid: caller.sessionId, iat, exp: iat + config.ACCESS_TOKEN_TTL_S }, secretKey(config.ACCESS_TOKEN_SECRET), {
    algorithm: 'HS256',
    subject: caller.accountId,
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    noTimestamp: true,
  });
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
