import { MessagePattern } from '@nestjs/microservices';
import { PARAM_ARGS_METADATA } from '@nestjs/microservices/constants';
import type { z } from 'zod';
import type { Contract, Envelope } from '@jointcert/contracts';
import { DomainError } from './errors/domain-error';

/** One bad field of a MALFORMED_INPUT problem: its dotted path (`identity.idn`) and what was expected, never the value. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * The one shape of MALFORMED_INPUT, at the gateway and in every service:
 * `{ errors: [{ field, message }] }` (plus, where a lib names it, a typed
 * `reason`), the detail naming the fields. `what` says what was invalid
 * ("the request body", "the path parameter 'id'", "the request").
 */
export function malformedInput(what: string, errors: readonly FieldError[], extra: Record<string, unknown> = {}): DomainError {
  const fields = [...new Set(errors.map((e) => e.field))];
  return new DomainError('MALFORMED_INPUT', `${what} is not valid: ${fields.join(', ')}`, { ...extra, errors });
}

/** MALFORMED_INPUT for one field found bad past its schema (not CMS, does not decrypt, ...): `${field} ${message}`, the same shape. */
export function malformedField(field: string, message: string, extra: Record<string, unknown> = {}): DomainError {
  return new DomainError('MALFORMED_INPUT', `${field} ${message}`, { ...extra, errors: [{ field, message }] });
}

/**
 * Every issue of a zod error as a FieldError: unknown keys one by one (a
 * strict object's), paths dotted under `root`, `whole` for the value itself.
 * Zod's messages name expectations, never the value received.
 */
export function fieldErrorsOf(error: z.ZodError, root: readonly string[] = [], whole = '(payload)'): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    const base = [...root, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors.push({ field: [...base, key].join('.'), message: 'unknown field' });
    } else {
      errors.push({ field: base.length > 0 ? base.join('.') : whole, message: issue.message });
    }
  }
  return errors;
}

/** A message's data parsed with its contract's schema, or MALFORMED_INPUT naming every bad field. */
export function parseMessage<Req>(contract: Contract<Req, unknown>, payload: unknown): Req {
  const result = contract.schema.safeParse(payload);
  if (result.success) return result.data;
  throw malformedInput('the request', fieldErrorsOf(result.error));
}

/** A method decorator that replaces the method with a wrapper: give the wrapper the original's name and metadata (its pattern, ...). */
export function carryHandlerMetadata(original: (...args: never[]) => unknown, wrapper: (...args: never[]) => unknown): void {
  Object.defineProperty(wrapper, 'name', { value: original.name });
  for (const k of Reflect.getMetadataKeys(original)) Reflect.defineMetadata(k, Reflect.getMetadata(k, original), wrapper);
}

type Handler<Req, Res> = (request: Req) => Res | Promise<Res>;

/**
 * A message handler for `contract`: subscribes to its pattern and calls the
 * method with the envelope's data parsed by the contract's schema (parseMessage),
 * so a handler never sees an unvalidated payload and every service refuses a
 * bad one with the same problem. The method's signature is checked against
 * the contract.
 *
 * The handler declares no parameters to Nest (an empty parameter list, unless
 * a parameter decorator declared some): Nest then calls it with the
 * transport's arguments as they are (the envelope, the transport's context)
 * and skips its pipes stage, an async step per parameter per message (no
 * pipe is bound to a message parameter). @Idempotent reads the context so.
 */
export function Handles<Req, Res>(contract: Contract<Req, Res>) {
  return <M extends Handler<Req, Res>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    const handler = descriptor.value;
    if (!handler) throw new Error(`@Handles(${contract.cmd}) must decorate a method`);
    const parsed = function (this: unknown, envelope: unknown): Res | Promise<Res> {
      return handler.call(this, parseMessage(contract, (envelope as Partial<Envelope<unknown>> | null)?.data));
    };
    // decorators applied before this one (below it) left their metadata on the original
    carryHandlerMetadata(handler, parsed);
    descriptor.value = parsed as M;
    MessagePattern(contract.cmd)(target, key, descriptor);
    if (!Reflect.hasOwnMetadata(PARAM_ARGS_METADATA, target.constructor, key)) Reflect.defineMetadata(PARAM_ARGS_METADATA, {}, target.constructor, key);
  };
}
