/**
 * `npm start`: run every service of the system in one terminal against the
 * local Postgres and Redis, with prefixed output. Ctrl-C stops them all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const services: Array<{ name: string; env?: Record<string, string> }> = [
  { name: 'verifier' },
  { name: 'registry' },
  { name: 'notifier' },
  { name: 'gateway' },
];

const children: ChildProcess[] = [];
let stopping = false;

function stopAll(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3000).unref();
}

for (const svc of services) {
  const entry = join(__dirname, '..', 'apps', svc.name, 'src', 'main.js');
  const child = spawn(process.execPath, [entry], { env: { ...process.env, ...svc.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const tag = `[${svc.name}]`.padEnd(11);
  const relay = (out: NodeJS.WriteStream) => (buf: Buffer) => {
    for (const line of buf.toString().split('\n')) if (line) out.write(`${tag} ${line}\n`);
  };
  child.stdout?.on('data', relay(process.stdout));
  child.stderr?.on('data', relay(process.stderr));
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`${tag} exited with code ${code ?? 'null'}; stopping the others`);
      stopAll(code ?? 1);
    }
  });
  children.push(child);
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
