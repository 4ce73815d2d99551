/**
 * docker-compose.yml and docker/Dockerfile, checked without Docker (it cannot
 * run here): the compose file's structure (services, healthchecks, the
 * dependencies between them, Redis persistence, the dev CA's trust volume),
 * every app's environment accepted by the configuration schema, and every
 * service command pointing at an entry file that the build produces when it
 * sees only what the Dockerfile copies (a scratch copy of those paths, as in
 * the image) — and one of them boots. The real image build and `docker
 * compose up` run in CI (scripts/compose-smoke.sh).
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { loadConfig } from '@jointcert/common';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');
const APPS = ['dev-ca', 'verifier', 'registry', 'notifier', 'gateway'];

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};

/** `${VAR:-default}` → default (what compose substitutes with an empty environment). */
function defaults(v: string): string {
  return v.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
}
function interpolate(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, defaults(String(v))]));
}

describe('docker-compose.yml', () => {
  const { services } = compose;

  it('has the stores, the dev CA and every app, built from docker/Dockerfile', () => {
    expect(Object.keys(services).sort()).toEqual(['dev-ca', 'gateway', 'mailpit', 'notifier', 'postgres', 'redis', 'registry', 'verifier']);
    expect(defaults(services.postgres!.image!)).toMatch(/^postgres:16/);
    expect(defaults(services.redis!.image!)).toMatch(/^redis:7/);
    expect(services.postgres!.image).toBe('${POSTGRES_IMAGE:-postgres:16}');
    for (const app of APPS) {
      const s = services[app]!;
      expect(s.build).toEqual({ context: '.', dockerfile: 'docker/Dockerfile', args: { NODE_IMAGE: '${NODE_IMAGE:-node:20-bookworm-slim}' } });
      expect(s.command).toEqual(['node', `dist/apps/${app}/src/main.js`]);
    }
    expect(services.gateway!.ports!.map(defaults)).toEqual(['3000:3000']);
  });

  it('publishes ports through variables, the dev CA and the mail UI on 127.0.0.1 only; no Compose-v2-only keys', () => {
    expect(services.gateway!.ports).toEqual(['${GATEWAY_PUBLISH:-3000}:3000']);
    expect(services['dev-ca']!.ports!.map(defaults)).toEqual(['127.0.0.1:3100:3100']);
    expect(services.mailpit!.ports!.map(defaults)).toEqual(['127.0.0.1:8025:8025']);
    expect(compose).not.toHaveProperty('name');
  });

  it('keeps Redis durable for BullMQ: AOF on, no eviction', () => {
    const cmd = services.redis!.command as unknown as string[];
    expect(cmd.join(' ')).toContain('--appendonly yes');
    expect(cmd.join(' ')).toContain('--maxmemory-policy noeviction');
  });

  it('waits on healthchecks that exist, for services that exist', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(services[dep]).toBeDefined();
        expect(['service_started', 'service_healthy']).toContain(condition);
        if (condition === 'service_healthy') expect([name, dep, services[dep]!.healthcheck?.test.length]).toEqual([name, dep, expect.any(Number)]);
      }
    }
    expect(services.registry!.depends_on).toMatchObject({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    expect(services.verifier!.depends_on).toMatchObject({ 'dev-ca': { condition: 'service_healthy' } });
  });

  it('shares the dev CA trust directories with the verifier through one volume', () => {
    const devCa = interpolate(services['dev-ca']!.environment!);
    const verifier = interpolate(services.verifier!.environment!);
    const [volume, mount] = services['dev-ca']!.volumes![0]!.split(':');
    expect(compose.volumes).toHaveProperty(volume!);
    expect(devCa.DEV_CA_DATA_DIR).toBe(mount);
    expect(services.verifier!.volumes).toContain(`${volume}:${mount}:ro`);
    expect(verifier.TRUST_ANCHORS_DIR).toBe(`${mount}/trust/anchors`);
    expect(verifier.INTERMEDIATES_DIR).toBe(`${mount}/trust/intermediates`);
    expect(verifier.FETCH_ALLOW_PRIVATE).toBe('true');
    expect(devCa.DEV_CA_PUBLIC_URL).toBe('http://dev-ca:3100');
  });

  it("gives every app an environment our configuration accepts, with one REDIS_PREFIX and one set of secrets", () => {
    const envs = APPS.map((app) => interpolate(services[app]!.environment!));
    for (const env of envs) expect(() => loadConfig(env)).not.toThrow();
    expect(loadConfig(envs[0]!).DEV_CA_ENABLED).toBe(true);
    for (const key of ['REDIS_PREFIX', 'ACCESS_TOKEN_SECRET', 'IDENTITY_HMAC_KEY', 'DATABASE_URL', 'REDIS_URL']) {
      expect(new Set(envs.map((e) => e[key])).size).toBe(1);
    }
    // least privilege: the services as jointcert_service, the owner only for the registry's migrations
    expect(envs[0]!.DATABASE_URL).toBe(`postgres://jointcert_service:jointcert-service@postgres:5432/${services.postgres!.environment!.POSTGRES_DB}`);
    expect(interpolate(services.registry!.environment!).MIGRATION_DATABASE_URL).toBe('postgres://jointcert:jointcert@postgres:5432/jointcert');
    for (const app of APPS.filter((a) => a !== 'registry')) expect(services[app]!.environment).not.toHaveProperty('MIGRATION_DATABASE_URL');
    expect(services.postgres!.volumes).toContain('./docker/postgres-init:/docker-entrypoint-initdb.d:ro');
  });
});

describe('docker/Dockerfile and the build it runs', () => {
  const dockerfile = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8');
  mkdirSync(join(ROOT, '.cache'), { recursive: true });
  const out = mkdtempSync(join(ROOT, '.cache', 'dev-ca-build-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('installs from the lockfile, builds, prunes dev dependencies and copies what the build reads', () => {
    expect(dockerfile).toMatch(/FROM .* AS build/);
    expect(dockerfile).toMatch(/\bnpm ci\b/);
    expect(dockerfile).toMatch(/npm run build/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/COPY --from=build .*\/app\/dist dist/);
    const include = (JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] }).include;
    for (const dir of include) expect(dockerfile).toContain(`COPY ${dir} ${dir}`);
    expect(dockerfile).not.toMatch(/COPY (bench|test) /);
  });

  it('sends an allowlisted build context: what the Dockerfile copies, never .env, .dev-ca, .data or node_modules', () => {
    const patterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(patterns[0]).toBe('*');
    const allowed = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1).replace(/\/$/, ''));
    for (const [, src] of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) for (const path of src!.split(' ')) expect(allowed).toContain(path);
    for (const secret of ['.env', '.dev-ca', '.data', 'node_modules', '.git']) expect(allowed).not.toContain(secret);
    expect(patterns).toContain('**/node_modules');
  });

  it('passes a CA bundle to npm ci only as a build secret, never into a layer', () => {
    expect(dockerfile).toMatch(/RUN --mount=type=secret,id=ca,required=false/);
    expect(dockerfile).not.toMatch(/COPY .*ca-certificates|ENV NODE_EXTRA_CA_CERTS/);
  });

  it('every compose command names an entry file the build produces, and the built dev CA boots', async () => {
    // the build context as the build stage sees it: only the paths the Dockerfile copies
    const context = mkdtempSync(join(ROOT, '.cache', 'docker-context-'));
    try {
      for (const [, src] of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
        for (const path of src!.split(' ')) cpSync(join(ROOT, path), join(context, path), { recursive: true });
      }
      symlinkSync(join(ROOT, 'node_modules'), join(context, 'node_modules'));
      const bin = (pkg: string, file: string) => join(ROOT, 'node_modules', pkg, file);
      await run(process.execPath, [bin('typescript', 'bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', out], { cwd: context });
      await run(process.execPath, [bin('tsc-alias', 'dist/bin/index.js'), '-p', 'tsconfig.build.json', '--outDir', out], { cwd: context });
    } finally {
      rmSync(context, { recursive: true, force: true });
    }
    expect(existsSync(join(out, 'bench'))).toBe(false);
    expect(existsSync(join(out, 'libs', 'pki', 'src', 'path', 'pkits-cases.js'))).toBe(false);
    for (const s of Object.values(compose.services)) {
      if (!s.command || s.command[0] !== 'node') continue;
      expect(existsSync(join(out, s.command[1]!.replace(/^dist\//, '')))).toBe(true);
    }
    expect(existsSync(join(out, 'scripts', 'start-all.js'))).toBe(true);

    // the built dev CA runs with aliases resolved
    const data = mkdtempSync(join(tmpdir(), 'jc-built-ca-'));
    const child = spawn(process.execPath, [join(out, 'apps', 'dev-ca', 'src', 'main.js')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DEV_CA_ENABLED: 'true', DEV_CA_PORT: '0', DEV_CA_DATA_DIR: data, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((done, failed) => {
        let buf = '';
        child.stdout.on('data', (b: Buffer) => {
          buf += b.toString();
          const m = /"url":"(http:\/\/[^"]+)"/.exec(buf);
          if (m) done(m[1]!);
        });
        child.stderr.on('data', (b: Buffer) => (buf += b.toString()));
        child.on('exit', (code) => failed(new Error(`built dev CA exited (${code}):\n${buf}`)));
      });
      expect((await fetch(`${url}/health`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      rmSync(data, { recursive: true, force: true });
    }
  }, 120_000);
});
