/**
 * Test kit: a throw-away OpenLDAP slapd (mdb backend, slapd.conf in a temp dir,
 * data loaded with slapadd) on 127.0.0.1, for the LDAP CRL-fetch tests.
 * Readiness is slapd's own "slapd starting" line (debug level 256 = stats).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '../../../test-support/openssl';

export interface Slapd {
  url: string;
  port: number;
  stop(): Promise<void>;
}

function bin(name: string): string {
  for (const d of ['/usr/sbin', '/usr/local/sbin', '/usr/bin']) if (existsSync(join(d, name))) return join(d, name);
  return name;
}

function modulePath(): string {
  for (const d of ['/usr/lib/ldap', '/usr/lib/openldap', '/usr/lib64/openldap', '/usr/libexec/openldap']) if (existsSync(join(d, 'back_mdb.la')) || existsSync(join(d, 'back_mdb.so'))) return d;
  return '/usr/lib/ldap';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Start slapd with suffix c=kr and the entries of `ldif` (which must create
 * the parents: c=kr, o=..., ...). Retries on a lost port race.
 */
export async function startSlapd(ldif: string): Promise<Slapd> {
  const { dir, cleanup } = tempDir('jointcert-slapd-');
  mkdirSync(join(dir, 'db'));
  const conf = join(dir, 'slapd.conf');
  writeFileSync(
    conf,
    [
      'include /etc/ldap/schema/core.schema',
      `modulepath ${modulePath()}`,
      'moduleload back_mdb',
      `pidfile ${join(dir, 'slapd.pid')}`,
      'database mdb',
      'suffix "c=kr"',
      'rootdn "cn=admin,c=kr"',
      `directory ${join(dir, 'db')}`,
      'maxsize 268435456',
      'access to * by * read',
      '',
    ].join('\n'),
  );
  const ldifPath = join(dir, 'data.ldif');
  writeFileSync(ldifPath, ldif);
  execFileSync(bin('slapadd'), ['-f', conf, '-l', ldifPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let lastErr = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `ldap://127.0.0.1:${port}/`;
    const child = spawn(bin('slapd'), ['-f', conf, '-h', url, '-d', '256'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const started = await new Promise<boolean>((resolve) => {
      let out = '';
      const onData = (d: Buffer): void => {
        out += d.toString();
        if (out.includes('slapd starting')) {
          child.stderr.off('data', onData);
          // keep draining stderr so slapd never blocks on a full pipe
          child.stderr.resume();
          resolve(true);
        }
      };
      child.stderr.on('data', onData);
      child.once('exit', () => {
        lastErr = out.slice(-2000);
        resolve(false);
      });
      child.once('error', (e) => {
        lastErr = e.message;
        resolve(false);
      });
    });
    if (started) {
      return { url, port, stop: () => stop(child, cleanup) };
    }
  }
  cleanup();
  throw new Error(`slapd did not start: ${lastErr}`);
}

async function stop(child: ChildProcess, cleanup: () => void): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  }
  cleanup();
}

/** LDIF for the Korean-style tree c=kr / o=yessign / ou=AccreditedCA / ou=<dp> holding CRLs. */
export function crlLdif(entries: { dp: string; crl: Uint8Array; binary?: boolean }[]): string {
  const out = [
    'dn: c=kr\nobjectClass: country\nc: kr\n',
    'dn: o=yessign,c=kr\nobjectClass: organization\no: yessign\n',
    'dn: ou=AccreditedCA,o=yessign,c=kr\nobjectClass: organizationalUnit\nou: AccreditedCA\n',
  ];
  for (const e of entries) {
    const attr = e.binary === false ? 'certificateRevocationList' : 'certificateRevocationList;binary';
    out.push(`dn: ou=${e.dp},ou=AccreditedCA,o=yessign,c=kr\nobjectClass: organizationalUnit\nobjectClass: pkiCA\nou: ${e.dp}\n${attr}:: ${Buffer.from(e.crl).toString('base64')}\n`);
  }
  return out.join('\n');
}
