import { createHash } from 'node:crypto';
import { refreshTokenHash } from '../sessions/session-issuer';
import { pendingRequest } from './request-results';

describe('request_results ids', () => {
  it('are SHA-256(label, action, key, SHA-256 of the canonical request without client), as rows already stored have them', () => {
    const sha = (s: string): Buffer => createHash('sha256').update(s).digest();
    const request = { signedData: 'TUlJ', challengeId: 'c', client: { ip: '203.0.113.7' }, gone: undefined };
    const requestHash = sha('{"challengeId":"c","signedData":"TUlJ"}').toString('hex');
    const p = pendingRequest('login', 'key-1', request);
    expect(p.requestId).toBe(sha(`id\0login\0key-1\0${requestHash}`).toString('hex'));
    expect(p.secret.equals(sha(`result\0login\0key-1\0${requestHash}`))).toBe(true);
    expect(refreshTokenHash('tök')).toBe(createHash('sha256').update('tök', 'utf8').digest('hex'));
  });
});
