/**
 * `jointcert verify` and `jointcert revocation`: libs/pki's path validation,
 * CMS verification and revocation checker, run on this machine. URLs come
 * from the files the user gives, fetched with their own timeouts and size
 * limits (no allowlist: the CLI runs for its user, not for a server).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Certificate,
  type CertificateRevocation,
  type Clock,
  createValidationPolicy,
  defaultLdapFetcher,
  fetchCrl,
  FetchingCrlSource,
  type HttpFetcher,
  namesEqual,
  parseCertificate,
  parseCertificates,
  type PathResult,
  RevocationChecker,
  type RevocationStatus,
  validatePath,
  verifySignedData,
} from '@jointcert/pki';
import { fileBytes } from './inspect';
import { CliError, type Io, iso, readFileOrFail } from './io';

export type RevocationChoice = 'ocsp' | 'crl' | 'none';
const CRL_MAX_BYTES = 64 * 1024 * 1024;
const PROGRESS_MIN_BYTES = 256 * 1024;

/** An HttpFetcher on fetch(): timeouts, size limits, no redirects, and a progress callback for large bodies. */
export function cliHttpFetcher(progress?: (url: string, received: number, total: number | undefined) => void): HttpFetcher {
  return async (req) => {
    const res = await fetch(req.url, {
      method: req.method,
      ...(req.body ? { body: new Uint8Array(req.body) } : {}),
      headers: { ...(req.contentType ? { 'content-type': req.contentType } : {}), ...(req.accept ? { accept: req.accept } : {}), 'user-agent': 'jointcert-cli' },
      redirect: 'error',
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    const total = Number(res.headers.get('content-length')) || undefined;
    if (total !== undefined && total > req.maxBytes) throw new Error(`${req.url}: ${total} bytes, over the limit of ${req.maxBytes}`);
    const chunks: Uint8Array[] = [];
    let received = 0;
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
        if (done || !value) break;
        received += value.length;
        if (received > req.maxBytes) {
          await reader.cancel();
          throw new Error(`${req.url}: over the limit of ${req.maxBytes} bytes`);
        }
        chunks.push(value);
        progress?.(req.url, received, total);
      }
    }
    const contentType = res.headers.get('content-type');
    return { status: res.status, ...(contentType ? { contentType } : {}), body: Buffer.concat(chunks) };
  };
}

/** A one-line progress bar on stderr for downloads over 256 KiB (or every download with --progress). */
export function progressBar(io: Io, always: boolean): ((url: string, received: number, total: number | undefined) => void) | undefined {
  if (!always && !io.stderrIsTty) return undefined;
  const shown = new Set<string>();
  return (url, received, total) => {
    if (!always && (total ?? received) < PROGRESS_MIN_BYTES) return;
    const mib = (n: number): string => (n / 1048576).toFixed(2);
    const line = total
      ? `[${'#'.repeat(Math.round((received / total) * 30)).padEnd(30, '.')}] ${String(Math.floor((received / total) * 100)).padStart(3)}% ${mib(received)}/${mib(total)} MiB ${url}`
      : `[${'?'.repeat(10)}] ${mib(received)} MiB ${url}`;
    if (io.stderrIsTty) process.stderr.write(`\r${line}`);
    else if (!shown.has(line)) io.err(line);
    shown.add(line);
    if (io.stderrIsTty && total !== undefined && received >= total) process.stderr.write('\n');
  };
}

/** The CLI checks revocation now. */
const clock: Clock = { now: () => Date.now() };

export function checker(mode: Exclude<RevocationChoice, 'none'>, http: HttpFetcher, timeoutMs: number): RevocationChecker {
  const crl = new FetchingCrlSource({ fetch: (url) => fetchCrl(url, { http, ldap: defaultLdapFetcher, allow: () => true, maxBytes: CRL_MAX_BYTES, timeoutMs }), clock });
  // 'ocsp': OCSP first and the CRL when OCSP has no answer (as the server does); 'crl': the CRL only
  return new RevocationChecker({ http, crl, clock, order: mode === 'ocsp' ? ['ocsp', 'crl'] : ['crl'], ocsp: { timeoutMs }, mode: 'hard-fail' });
}

/** Certificates from files (PEM bundles or DER) and directories of them. */
export function loadCertificates(paths: readonly string[]): Certificate[] {
  const out: Certificate[] = [];
  for (const p of paths) {
    let files = [p];
    try {
      if (statSync(p).isDirectory()) files = readdirSync(p).filter((f) => /\.(pem|crt|cer|der)$/i.test(f)).sort().map((f) => join(p, f));
    } catch {
      throw new CliError(`cannot read ${p}`);
    }
    for (const f of files) {
      try {
        out.push(...parseCertificates(readFileOrFail(f)));
      } catch (e) {
        throw new CliError(`${f}: not a certificate (${(e as Error).message})`);
      }
    }
  }
  return out;
}

export interface RevocationView {
  subject: string;
  serialHex: string;
  status: 'good' | 'revoked' | 'unknown';
  source: string | null;
  url: string | null;
  thisUpdate: string | null;
  nextUpdate: string | null;
  producedAt: string | null;
  signer: string | null;
  revokedAt: string | null;
  reason: string | null;
  detail: string | null;
}

export function revocationView(r: CertificateRevocation | { subject: string; serialHex: string; status: RevocationStatus }): RevocationView {
  const s = r.status;
  const ev = s.status === 'unknown' ? undefined : s;
  return {
    subject: r.subject,
    serialHex: r.serialHex,
    status: s.status,
    source: s.source ?? null,
    url: s.url ?? null,
    thisUpdate: ev?.thisUpdate !== undefined ? iso(ev.thisUpdate) : null,
    nextUpdate: ev?.nextUpdate !== undefined ? iso(ev.nextUpdate) : null,
    producedAt: ev?.producedAt !== undefined ? iso(ev.producedAt) : null,
    signer: ev?.signer ?? null,
    revokedAt: s.status === 'revoked' ? iso(s.revokedAt) : null,
    reason: s.status === 'revoked' ? (s.reason ?? null) : s.status === 'unknown' ? s.reason : null,
    detail: s.status === 'unknown' ? s.detail : null,
  };
}

export interface VerifyReport {
  verdict: 'valid' | 'invalid' | 'indeterminate';
  reasons: string[];
  at: string;
  kind: 'certificate' | 'cms';
  signer: { subject: string; serialHex: string; notAfter: string } | null;
  signingTime: string | null;
  path: Array<{ subject: string; notAfter: string }>;
  checks: Array<{ check: string; cert?: number; ok: boolean; reason?: string; detail?: string }>;
  revocation: RevocationView[];
}

export interface VerifyOptions {
  chain: string[];
  anchors: string[];
  at: number;
  revocation: RevocationChoice;
  content?: Buffer;
  timeoutMs: number;
  http: HttpFetcher;
}

export async function verify(data: Buffer, opts: VerifyOptions): Promise<VerifyReport> {
  const der = fileBytes(data);
  const anchors = loadCertificates(opts.anchors);
  if (anchors.length === 0) throw new CliError('no trust anchors: give --anchors DIR (the root CA certificates to trust)');
  const chain = loadCertificates(opts.chain);
  const policy = createValidationPolicy({ trustAnchors: anchors, at: opts.at });
  const reasons: string[] = [];
  const checks: VerifyReport['checks'] = [];
  let path: PathResult | undefined;
  let leaf: Certificate | undefined;
  let signingTime: string | null = null;
  let kind: VerifyReport['kind'] = 'certificate';
  try {
    leaf = parseCertificate(der);
    path = validatePath(leaf, chain, policy);
  } catch {
    kind = 'cms';
    const v = verifySignedData(der, {
      at: opts.at,
      ...(opts.content ? { content: opts.content } : {}),
      extraCertificates: chain,
      requireSingleSigner: false,
      validatePath: (l, inter, at) => validatePath(l, [...inter, ...chain], { ...policy, at }),
    });
    if (v.contentType === '' && v.signers.length === 0) throw new CliError(`not a certificate or CMS SignedData: ${v.reasons.map((r) => r.detail ?? r.code).join('; ')}`, 2);
    const s = v.signers[0];
    leaf = s?.certificate;
    path = s?.path;
    signingTime = s?.signingTime !== undefined ? iso(s.signingTime) : null;
    checks.push({ check: 'cms.signature', ok: v.ok || !v.reasons.some((r) => r.code !== 'PATH_INVALID') });
    for (const r of v.reasons) if (r.code !== 'PATH_INVALID') reasons.push(r.code);
  }
  if (path) {
    for (const c of path.checks) checks.push({ check: `path.${c.check}`, cert: c.cert, ok: c.ok, ...(c.reason ? { reason: c.reason } : {}), ...(c.detail ? { detail: c.detail } : {}) });
    reasons.push(...path.reasons);
  }
  let revocation: RevocationView[] = [];
  if (path?.ok && opts.revocation !== 'none') {
    const results = await checker(opts.revocation, opts.http, opts.timeoutMs).checkPath(path.path, opts.at);
    revocation = results.map(revocationView);
    if (revocation.some((r) => r.status === 'revoked')) reasons.push('CERT_REVOKED');
    else if (revocation.some((r) => r.status === 'unknown')) reasons.push('REVOCATION_UNKNOWN');
  }
  const unique = [...new Set(reasons)];
  const verdict = unique.length === 0 ? 'valid' : unique.every((r) => r === 'REVOCATION_UNKNOWN') ? 'indeterminate' : 'invalid';
  return {
    verdict,
    reasons: unique,
    at: iso(opts.at),
    kind,
    signer: leaf ? { subject: leaf.subject.text, serialHex: leaf.serialHex, notAfter: iso(leaf.notAfter) } : null,
    signingTime,
    path: (path?.path ?? []).map((c) => ({ subject: c.subject.text, notAfter: iso(c.notAfter) })),
    checks,
    revocation,
  };
}

export function printRevocation(r: RevocationView, out: (l?: string) => void, indent = '  '): void {
  const mark = r.status === 'good' ? '✓' : r.status === 'revoked' ? '✗' : '?';
  out(`${indent}${mark} ${r.status.toUpperCase()} ${r.subject} (serial ${r.serialHex})`);
  out(`${indent}    source ${r.source ?? '—'} ${r.url ?? ''}${r.signer ? ` signed by ${r.signer}` : ''}`);
  if (r.thisUpdate || r.nextUpdate) out(`${indent}    this update ${r.thisUpdate ?? '—'}, next update ${r.nextUpdate ?? '—'}${r.producedAt ? `, produced ${r.producedAt}` : ''}`);
  if (r.revokedAt) out(`${indent}    revoked at ${r.revokedAt}${r.reason ? ` (${r.reason})` : ''}`);
  if (r.status === 'unknown') out(`${indent}    ${r.reason ?? ''}: ${r.detail ?? ''}`);
}

export function printReport(r: VerifyReport, out: (l?: string) => void): void {
  out(`verdict: ${r.verdict.toUpperCase()}${r.reasons.length ? ` (${r.reasons.join(', ')})` : ''}`);
  out(`  at ${r.at}, ${r.kind === 'cms' ? 'CMS SignedData' : 'certificate'}`);
  if (r.signer) out(`  signer ${r.signer.subject} (serial ${r.signer.serialHex}, until ${r.signer.notAfter})`);
  if (r.signingTime) out(`  signing time ${r.signingTime}`);
  out('path (signer first):');
  r.path.forEach((c, i) => out(`  #${i} ${c.subject} (until ${c.notAfter})`));
  out('checks:');
  for (const c of r.checks) out(`  ${c.ok ? '✓' : '✗'} ${c.check}${c.cert !== undefined ? ` #${c.cert}` : ''}${c.reason ? ` ${c.reason}` : ''}${c.detail ? ` — ${c.detail}` : ''}`);
  out('revocation:');
  if (r.revocation.length === 0) out('  (not checked)');
  for (const v of r.revocation) printRevocation(v, out);
}

/** `revocation <cert>`: ask OCSP and the CRL separately; the issuer from --issuer/--chain. */
export async function revocation(data: Buffer, opts: { issuer: string[]; at: number; timeoutMs: number; http: HttpFetcher; sources: Array<'ocsp' | 'crl'> }): Promise<RevocationView[]> {
  const only = (source: 'ocsp' | 'crl'): RevocationChecker =>
    source === 'crl' ? checker('crl', opts.http, opts.timeoutMs) : new RevocationChecker({ http: opts.http, clock, order: ['ocsp'], ocsp: { timeoutMs: opts.timeoutMs } });
  const cert = parseCertificate(fileBytes(data));
  const issuer = loadCertificates(opts.issuer).find((c) => namesEqual(c.subject, cert.issuer));
  if (!issuer) throw new CliError(`give the issuer's certificate (--issuer FILE): ${cert.issuer.text}`);
  const out: RevocationView[] = [];
  for (const source of opts.sources) {
    const r = await only(source).check({ cert, issuer, at: opts.at });
    out.push(revocationView(r));
  }
  return out;
}
