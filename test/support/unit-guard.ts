/**
 * The `unit` jest project's guard (setupFilesAfterEnv): a unit test starts no
 * process (openssl, slapd, chromium, docker, a child server) and opens no
 * connection to Postgres or Redis. Doing either throws at the call, and the
 * test fails in afterEach with what it tried, so a test that needs a service
 * fails loudly instead of being misfiled: it belongs in the `integration`
 * project (INTEGRATION in jest.config.js).
 *
 * jest shares Node's built-in modules between the test files a worker runs
 * (unit and integration alike), so the wrappers are installed once per worker
 * and act only while a unit file runs.
 */
import childProcess from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';

interface GuardState {
  active: boolean;
  violations: string[];
}

const STATE = Symbol.for('jointcert.unit-guard');
type Guarded = { [STATE]?: GuardState };

const PROCESS_FUNCTIONS = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;

/** Postgres and Redis: the default ports and the ports the environment names. */
function storePorts(): Set<number> {
  const ports = new Set([5432, 6379]);
  for (const url of [process.env.DATABASE_URL, process.env.REDIS_URL]) {
    if (!url) continue;
    try {
      const port = Number(new URL(url).port);
      if (port > 0) ports.add(port);
    } catch {
      // not a URL: the defaults still apply
    }
  }
  return ports;
}

function install(): GuardState {
  const holder = childProcess as unknown as Guarded;
  if (holder[STATE]) return holder[STATE];
  const state: GuardState = { active: false, violations: [] };
  holder[STATE] = state;

  const refuse = (what: string): Error => {
    const message = `unit project: ${what}. A unit test starts no process and reaches no Postgres/Redis; list the file in INTEGRATION (jest.config.js).`;
    state.violations.push(message);
    return new Error(message);
  };

  const target = childProcess as unknown as Record<string, unknown>;
  for (const name of PROCESS_FUNCTIONS) {
    const original = target[name] as (...args: unknown[]) => unknown;
    const guarded = function (this: unknown, ...args: unknown[]): unknown {
      if (state.active) throw refuse(`child_process.${name}(${JSON.stringify(args[0])})`);
      return original.apply(this, args);
    };
    // execFile and exec carry a promisify.custom that resolves { stdout, stderr }: keep it, guarded
    const custom = (original as { [promisify.custom]?: (...args: unknown[]) => unknown })[promisify.custom];
    if (custom) {
      Object.defineProperty(guarded, promisify.custom, {
        value: function (this: unknown, ...args: unknown[]): unknown {
          if (state.active) return Promise.reject(refuse(`promisified child_process.${name}(${JSON.stringify(args[0])})`));
          return custom.apply(this, args);
        },
      });
    }
    target[name] = guarded;
  }

  const ports = storePorts();
  const connect = net.Socket.prototype.connect as (...args: unknown[]) => net.Socket;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]): net.Socket {
    if (state.active) {
      // net.connect passes its normalized [options, callback]; a direct call passes (options | port, ...)
      const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
      const port = typeof first === 'object' && first !== null ? Number((first as { port?: unknown }).port) : Number(first);
      if (ports.has(port)) throw refuse(`a connection to port ${port} (Postgres or Redis)`);
    }
    return connect.apply(this, args);
  };

  return state;
}

// active from here, before the test file is loaded: its top-level code is guarded too
const guard = install();
guard.active = true;
guard.violations.length = 0;

afterEach(() => {
  const seen = guard.violations.splice(0);
  if (seen.length > 0) throw new Error(seen.join('\n'));
});

afterAll(() => {
  guard.active = false;
});
