import { INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import { REGISTRY_CONTROLLERS } from '../registry.module';
import { IDEMPOTENT_PATTERNS, IdempotencyInterceptor } from './idempotency.interceptor';

/** Every registry handler, with its patterns and method-bound interceptors. */
function handlers(): Array<{ name: string; patterns: unknown[]; interceptors: unknown[] }> {
  return REGISTRY_CONTROLLERS.flatMap((controller) =>
    Object.getOwnPropertyNames(controller.prototype).flatMap((method) => {
      const fn = (controller.prototype as unknown as Record<string, unknown>)[method];
      if (typeof fn !== 'function') return [];
      const patterns = Reflect.getMetadata(PATTERN_METADATA, fn) as unknown[] | undefined;
      if (!patterns) return [];
      return [{ name: `${controller.name}.${method}`, patterns, interceptors: (Reflect.getMetadata(INTERCEPTORS_METADATA, fn) as unknown[] | undefined) ?? [] }];
    }),
  );
}

describe('IdempotencyInterceptor binding', () => {
  it('is bound to exactly the handlers of IDEMPOTENT_PATTERNS (sign-up/add, login, replace, delete), and nothing is bound globally', () => {
    const all = handlers();
    expect(all.length).toBeGreaterThan(20);
    const bound = all.filter((h) => h.interceptors.includes(IdempotencyInterceptor));
    expect(bound.flatMap((h) => h.patterns).sort()).toEqual([...IDEMPOTENT_PATTERNS].sort());
    for (const h of all) expect({ name: h.name, bound: h.interceptors.includes(IdempotencyInterceptor) }).toEqual({ name: h.name, bound: h.patterns.some((p) => IDEMPOTENT_PATTERNS.includes(p as string)) });
  });
});
