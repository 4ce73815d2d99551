import { type DomainError } from './domain-error';
import { type ProblemCode, problemType } from './problem-types';

/** An RFC 9457 problem document as the gateway renders it. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  instance?: string;
  requestId?: string;
  /** Only on 500s: the id under which the full error was logged. */
  errorId?: string;
  [extra: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function toProblem(
  error: DomainError,
  context: { instance?: string; requestId?: string; errorId?: string } = {},
): ProblemDocument {
  const t = problemType(error.code);
  return {
    ...error.extra,
    type: t.type,
    title: t.title,
    status: t.status,
    detail: error.detail,
    code: t.code,
    ...(context.instance !== undefined ? { instance: context.instance } : {}),
    ...(context.requestId !== undefined ? { requestId: context.requestId } : {}),
    ...(context.errorId !== undefined ? { errorId: context.errorId } : {}),
  };
}
