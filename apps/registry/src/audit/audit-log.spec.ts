import { DomainError, type Logger } from '@jointcert/common';
import type { AuditRepository, NewAuditEvent } from '@jointcert/registry-db';
import { AuditLog, factsOf, knowing, withFacts } from './audit-log';

const client = { ip: '192.0.2.1', userAgent: 'spec' };

function auditLog(): { log: AuditLog; events: NewAuditEvent[] } {
  const events: NewAuditEvent[] = [];
  const repository = { append: (event: NewAuditEvent) => Promise.resolve(void events.push(event)) } as unknown as AuditRepository;
  const logger = { error: jest.fn() } as unknown as Logger;
  return { log: new AuditLog(repository, logger), events };
}

describe('the audit frame', () => {
  it('a success is the action’s own: nothing is recorded, the result passes through', async () => {
    const { log, events } = auditLog();
    await expect(log.audited('delete', client, () => Promise.resolve(42))).resolves.toBe(42);
    expect(events).toEqual([]);
  });

  it('a failure is recorded with its reason and the facts its error carries, then rethrown unchanged', async () => {
    const { log, events } = auditLog();
    const refused = new DomainError('CERT_NOT_SUCCESSOR', 'no', { reason: 'DIFFERENT_CA' });
    const failing = () => knowing({ fingerprint: 'ab12' }, () => Promise.reject(withFacts(refused, { accountId: 'acc-1' })));
    const thrown = await log.audited('replace', client, failing, (facts) => ({ accountId: facts.accountId ?? null, details: { newFingerprint: facts.fingerprint ?? null } })).catch((err: unknown) => err);
    expect(thrown).toBe(refused);
    expect(refused.extra).toEqual({ reason: 'DIFFERENT_CA' });
    expect(events).toEqual([
      expect.objectContaining({ action: 'replace', outcome: 'failure', reason: 'CERT_NOT_SUCCESSOR', accountId: 'acc-1', ip: '192.0.2.1', details: { newFingerprint: 'ab12', detailReason: 'DIFFERENT_CA' } }),
    ]);
  });

  it('facts nearer the throw win over the ones a caller knew', () => {
    const err = withFacts(new Error('x'), { fingerprint: 'inner' });
    withFacts(err, { fingerprint: 'outer', certificateId: 'c-1' });
    expect(factsOf(err)).toEqual({ fingerprint: 'inner', certificateId: 'c-1' });
    expect(factsOf(new Error('none'))).toEqual({});
  });
});
