import type { DestinationStream } from 'pino';

/** A pino destination that keeps parsed JSON lines in memory for assertions. */
export class LogCapture implements DestinationStream {
  readonly lines: Array<Record<string, unknown>> = [];

  write(line: string): void {
    this.lines.push(JSON.parse(line) as Record<string, unknown>);
  }

  text(): string {
    return this.lines.map((l) => JSON.stringify(l)).join('\n');
  }
}
