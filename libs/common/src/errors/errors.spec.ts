import { TimeoutError } from 'rxjs';
import { DomainError } from './domain-error';
import { toProblem } from './problem';
import { codeForStatus, isProblemCode, PROBLEM_TYPES, problemType, type ProblemCode } from './problem-types';
import { fromRpcError, RemoteInternalError, toWireError } from './rpc';
import { createLogger } from '../logging/logger';

describe('problem table', () => {
  it('gives every code a kebab-case type URI, a title and an HTTP error status', () => {
    for (const code of Object.keys(PROBLEM_TYPES) as ProblemCode[]) {
      const t = problemType(code);
      expect(t.type).toMatch(/^https:\/\/jointcert\.dev\/problems\/[a-z]+(-[a-z]+)*$/);
      expect(t.status).toBeGreaterThanOrEqual(400);
      expect(t.title.length).toBeGreaterThan(0);
    }
    expect(problemType('CERT_ALREADY_REGISTERED')).toEqual({
      code: 'CERT_ALREADY_REGISTERED',
      status: 409,
      title: 'Certificate already registered',
      type: 'https://jointcert.dev/problems/cert-already-registered',
    });
  });

  it('recognises codes and maps bare HTTP statuses', () => {
    expect(isProblemCode('CERT_REVOKED')).toBe(true);
    expect(isProblemCode('toString')).toBe(false);
    expect(codeForStatus(404)).toBe('NOT_FOUND');
    expect(codeForStatus(418)).toBe('MALFORMED_INPUT');
    expect(codeForStatus(504)).toBe('SERVICE_UNAVAILABLE');
    expect(codeForStatus(500)).toBe('INTERNAL');
  });
});

describe('DomainError → problem', () => {
  it('merges extra members without letting them override the standard ones', () => {
    const err = new DomainError('CERT_REVOKED', 'the certificate was revoked', { revokedAt: '2026-01-01T00:00:00Z', status: 200, code: 'X' });
    expect(err.status).toBe(422);
    expect(toProblem(err, { instance: '/v1/sessions', requestId: 'r1' })).toEqual({
      type: 'https://jointcert.dev/problems/cert-revoked',
      title: 'Certificate revoked',
      status: 422,
      detail: 'the certificate was revoked',
      code: 'CERT_REVOKED',
      instance: '/v1/sessions',
      requestId: 'r1',
      revokedAt: '2026-01-01T00:00:00Z',
    });
  });
});

describe('errors across the transport', () => {
  const logger = createLogger({ LOG_LEVEL: 'silent' });

  it('a DomainError survives JSON serialisation intact', () => {
    const wire = JSON.parse(JSON.stringify(toWireError(new DomainError('VID_MISMATCH', 'no match', { hint: 1 }), logger))) as unknown;
    const back = fromRpcError(wire, 'p', 100);
    expect(back).toBeInstanceOf(DomainError);
    expect(back).toMatchObject({ code: 'VID_MISMATCH', detail: 'no match', extra: { hint: 1 } });
  });

  it('an unexpected service error crosses as opaque INTERNAL with its errorId', () => {
    const wire = toWireError(new Error('secret'), logger);
    expect(wire).toMatchObject({ code: 'INTERNAL', detail: 'internal error' });
    expect(JSON.stringify(wire)).not.toContain('secret');
    const back = fromRpcError(wire, 'p', 100);
    expect(back).toBeInstanceOf(RemoteInternalError);
    expect((back as RemoteInternalError).errorId).toBe(wire.errorId);
  });

  it('timeouts and client-side failures become SERVICE_UNAVAILABLE; foreign replies INTERNAL', () => {
    expect(fromRpcError(new TimeoutError(), 'p', 250)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    expect(fromRpcError(new Error('connect ECONNREFUSED'), 'p', 250)).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(fromRpcError({ status: 'error', message: 'Internal server error' }, 'p', 250)).toBeInstanceOf(RemoteInternalError);
    expect(fromRpcError({ kind: 'jointcert.problem', code: 'NOPE', detail: 'x' }, 'p', 250)).toBeInstanceOf(RemoteInternalError);
  });
});
