/**
 * The README's configuration table, generated from libs/common/src/config.ts:
 * every variable, the services that read it (`READ_BY`), its default, and its
 * doc comment. `npm run config:table` rewrites the table between the
 * `<!-- config-table -->` markers of README.md; `--check` fails when it is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, configSchema, loadConfig, SERVICE_NAMES, servicesReading } from '@jointcert/common';

const ROOT = join(__dirname, '..', ...(__dirname.includes(`${join('dist', 'scripts')}`) ? ['..'] : []));
const START = '<!-- config-table -->';
const END = '<!-- /config-table -->';

/** The `/** … *\/` comment right above `KEY:` in the schema source, on one line. */
function docOf(source: string, key: string): string {
  const at = source.search(new RegExp(`^\\s+${key}:`, 'm'));
  const before = source.slice(0, at).trimEnd();
  if (!before.endsWith('*/')) return '';
  const doc = before.slice(before.lastIndexOf('/**') + 3, -2);
  return doc
    .split('\n')
    .map((l) => l.replace(/^\s*\*\s?/, '').trim())
    .join(' ')
    .trim();
}

function shown(v: unknown): string {
  if (v === undefined) return '—';
  if (Array.isArray(v)) return v.length ? `\`${v.join(',')}\`` : '(empty)';
  return `\`${JSON.stringify(v).replace(/^"|"$/g, '')}\``;
}

export function configTable(): string {
  const source = readFileSync(join(ROOT, 'libs', 'common', 'src', 'config.ts'), 'utf8');
  const defaults = loadConfig({}) as Record<string, unknown>;
  // development defaults that production refuses
  const required = new Set<string>();
  try {
    loadConfig({ NODE_ENV: 'production' });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const issue of e.issues) if (issue.endsWith('must be set in production')) required.add(issue.slice(0, issue.indexOf(':')));
  }
  const rows = Object.keys(configSchema.shape).map((key) => {
    const services = servicesReading(key);
    const who = services.length === SERVICE_NAMES.length ? 'all' : services.join(', ');
    return `| \`${key}\` | ${who} | ${required.has(key) ? 'a development value; **required in production**' : shown(defaults[key])} | ${docOf(source, key).replace(/\|/g, '\\|')} |`;
  });
  return ['| variable | read by | default | |', '|---|---|---|---|', ...rows].join('\n');
}

if (require.main === module) {
  const readme = join(ROOT, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < from) throw new Error(`README.md has no ${START} … ${END} block`);
  const next = `${text.slice(0, from + START.length)}\n${configTable()}\n${text.slice(to)}`;
  if (process.argv.includes('--check')) {
    if (next !== text) {
      console.error('README.md: the configuration table is stale; run npm run config:table');
      process.exit(1);
    }
  } else writeFileSync(readme, next);
}
