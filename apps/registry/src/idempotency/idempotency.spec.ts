import { Controller } from '@nestjs/common';
import { INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import { Handles } from '@jointcert/common';
import { Api } from '@jointcert/contracts';
import { REGISTRY_CONTROLLERS } from '../registry.module';
import { IDEMPOTENT_METADATA, IDEMPOTENT_PATTERNS, Idempotent, type Idempotency } from './idempotency';

/** Every registry handler, with its patterns, whether it is @Idempotent and its method-bound interceptors. */
function handlers(): Array<{ name: string; patterns: unknown[]; idempotent: boolean; interceptors: unknown[] }> {
  return REGISTRY_CONTROLLERS.flatMap((controller) =>
    Object.getOwnPropertyNames(controller.prototype).flatMap((method) => {
      const fn = (controller.prototype as unknown as Record<string, unknown>)[method];
      if (typeof fn !== 'function') return [];
      const patterns = Reflect.getMetadata(PATTERN_METADATA, fn) as unknown[] | undefined;
      if (!patterns) return [];
      return [
        {
          name: `${controller.name}.${method}`,
          patterns,
          idempotent: Reflect.getMetadata(IDEMPOTENT_METADATA, fn) === true,
          interceptors: (Reflect.getMetadata(INTERCEPTORS_METADATA, fn) as unknown[] | undefined) ?? [],
        },
      ];
    }),
  );
}

describe('@Idempotent', () => {
  it('is on exactly the handlers of IDEMPOTENT_PATTERNS (sign-up/add, login, replace, delete), and no handler goes through an interceptor', () => {
    const all = handlers();
    expect(all.length).toBeGreaterThan(20);
    expect(all.filter((h) => h.idempotent).flatMap((h) => h.patterns).sort()).toEqual([...IDEMPOTENT_PATTERNS].sort());
    for (const h of all) expect({ name: h.name, idempotent: h.idempotent }).toEqual({ name: h.name, idempotent: h.patterns.some((p) => IDEMPOTENT_PATTERNS.includes(p as string)) });
    expect(all.filter((h) => h.interceptors.length > 0).map((h) => h.name)).toEqual([]);
  });

  it('calls the handler through the controller’s Idempotency with the pattern, envelope and context, and keeps the handler’s pattern', async () => {
    const calls: unknown[] = [];
    const idempotency = { handle: (pattern: string, envelope: unknown, ctx: unknown, run: () => unknown) => (calls.push({ pattern, envelope, ctx }), Promise.resolve(run())) } as unknown as Idempotency;
    @Controller()
    class Probe {
      readonly idempotency = idempotency;
      @Idempotent()
      @Handles(Api.registry.deleteCertificate)
      delete(): Promise<{ ok: true }> {
        return Promise.resolve({ ok: true });
      }
    }
    const probe = new Probe();
    const envelope = { meta: { requestId: 'r', idempotencyKey: 'k' }, data: { client: { ip: '203.0.113.7' }, caller: { accountId: '00000000-0000-4000-8000-000000000000', sessionId: '00000000-0000-4000-8000-000000000001' }, certificateId: '00000000-0000-4000-8000-000000000002' } };
    const call = probe.delete as unknown as (envelope: unknown, ctx: unknown) => Promise<unknown>;
    await expect(call.call(probe, envelope, 'ctx')).resolves.toEqual({ ok: true });
    expect(calls).toEqual([{ pattern: Api.registry.deleteCertificate.cmd, envelope, ctx: 'ctx' }]);
    expect(Reflect.getMetadata(PATTERN_METADATA, Probe.prototype.delete)).toEqual([Api.registry.deleteCertificate.cmd]);
    expect(Probe.prototype.delete.name).toBe('delete');
  });

  it('refuses a handler whose pattern is not idempotent, or one it cannot see the pattern of (below @Handles)', () => {
    expect(() => {
      class Wrong {
        readonly idempotency = {} as Idempotency;
        @Idempotent()
        @Handles(Api.registry.refresh)
        refresh(): Promise<never> {
          return Promise.reject(new Error('unused'));
        }
      }
      return Wrong;
    }).toThrow(/IDEMPOTENT_PATTERNS/);
  });
});
