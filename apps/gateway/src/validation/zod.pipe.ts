import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { DomainError } from '@jointcert/common';

export interface FieldError {
  /** Dotted path of the offending field (`identity.idn`), `(body)` for the body itself. */
  field: string;
  message: string;
}

/**
 * Validation at the edge: parses a body (or one path parameter, named by
 * `field`) with a zod schema, or answers 400 MALFORMED_INPUT listing every bad
 * field. Zod's messages name expectations, never the value received, so no
 * secret is echoed.
 */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly field?: string,
  ) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const errors = fieldErrors(result.error, this.field);
    const fields = [...new Set(errors.map((e) => e.field))];
    const what = this.field === undefined ? 'the request body' : `the path parameter '${this.field}'`;
    throw new DomainError('MALFORMED_INPUT', `${what} is not valid: ${fields.join(', ')}`, { errors });
  }
}

function fieldErrors(error: z.ZodError, root: string | undefined): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    const base = [...(root === undefined ? [] : [root]), ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors.push({ field: [...base, key].join('.'), message: 'unknown field' });
    } else if (issue.code === 'invalid_type' && issue.path.length === 0 && root === undefined) {
      errors.push({ field: '(body)', message: 'the body must be a JSON object' });
    } else {
      errors.push({ field: base.length > 0 ? base.join('.') : '(body)', message: issue.message });
    }
  }
  return errors;
}
