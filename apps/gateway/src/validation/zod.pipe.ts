import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { fieldErrorsOf, malformedInput } from '@jointcert/common';

/**
 * Validation at the edge: parses a body (or one path parameter, named by
 * `field`) with a zod schema, or answers 400 MALFORMED_INPUT listing every bad
 * field in the one shape the services use too (libs/common malformedInput:
 * `{ errors: [{ field, message }] }`). Zod's messages name expectations,
 * never the value received, so no secret is echoed.
 */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly field?: string,
    /** The schema's output for a value it is known to accept, told without it; undefined for any other value (then the schema parses it). */
    private readonly plain?: (value: unknown) => z.infer<S> | undefined,
  ) {}

  transform(value: unknown): z.infer<S> {
    const plain = this.plain?.(value);
    if (plain !== undefined) return plain;
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    // REST's own wording for a body that is no object at all
    const notAnObject = this.field === undefined && result.error.issues.some((i) => i.code === 'invalid_type' && i.path.length === 0);
    const errors = notAnObject ? [{ field: '(body)', message: 'the body must be a JSON object' }] : fieldErrorsOf(result.error, this.field === undefined ? [] : [this.field], '(body)');
    throw malformedInput(this.field === undefined ? 'the request body' : `the path parameter '${this.field}'`, errors);
  }
}
