/**
 * Test fixtures for the verifier (tests and the benchmark only):
 *
 *   - RevocationPeer: a real node:http server on 127.0.0.1 serving OCSP
 *     responses (built with the toolkit's buildOcspResponse, signed by the CA)
 *     under /ocsp/<name> and CRLs (buildCrl) under /crl/<name>, counting every
 *     request per path;
 *   - koreanMaterial: the toolkit's Korean chain whose CA carries a CRL DP on
 *     the peer (its ARL, signed by the root) and whose user certificate points
 *     its OCSP URL and CRL DP wherever the test says; trust and intermediates
 *     directories for TRUST_ANCHORS_DIR / INTERMEDIATES_DIR;
 *   - deadUrl: an http URL on a port where nothing listens.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseCertificate } from '@jointcert/pki';
import { buildCrl, buildOcspResponse, type CrlEntrySpec, DAY, type Issued, issueKoreanChain, type KoreanChain, type KoreanChainOptions, type OcspStatusSpec, testCertId } from '@jointcert/pki/issuing';

const HOUR = 3_600_000;

// ------------------------------------------------------------------ HTTP peer

type Handler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void;

export class RevocationPeer {
  readonly hits = new Map<string, number>();
  private readonly routes = new Map<string, Handler>();
  private server!: Server;
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = (req.url ?? '/').split('?')[0]!;
        const route = [...this.routes.keys()].find((p) => path === p || path.startsWith(`${p}/`));
        this.hits.set(route ?? path, (this.hits.get(route ?? path) ?? 0) + 1);
        const h = route !== undefined ? this.routes.get(route) : undefined;
        if (!h) {
          res.statusCode = 404;
          res.end();
          return;
        }
        h(req, Buffer.concat(chunks), res);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  hitsOf(path: string): number {
    return this.hits.get(path) ?? 0;
  }

  /** Serve a fixed body at `path`. */
  serve(path: string, body: Buffer, contentType: string): string {
    this.routes.set(path, (_req, _body, res) => {
      res.setHeader('content-type', contentType);
      res.end(body);
    });
    return this.base + path;
  }

  ocsp(path: string, response: Buffer): string {
    return this.serve(path, response, 'application/ocsp-response');
  }

  crl(path: string, der: Buffer): string {
    return this.serve(path, der, 'application/pkix-crl');
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** An http URL on a port nobody listens on (connection refused). */
export async function deadUrl(path: string): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}

// ------------------------------------------------------------------ PKI material

export interface KoreanMaterial {
  at: number;
  base: KoreanChain;
  /** TRUST_ANCHORS_DIR (root PEM + a README that is not a certificate). */
  trustDir: string;
  /** INTERMEDIATES_DIR (the CA, DER). */
  intermediatesDir: string;
  /** A user chain (same root and CA) with its own serial and revocation URLs. */
  user(opts: { serial: bigint; ocspUrl: string | false; crlUrls: string[] | false } & Omit<KoreanChainOptions, 'ca' | 'user' | 'ocspUrl' | 'crlUrls'>): KoreanChain;
  /** A signed OCSP response for `user` (thisUpdate 1 h before `at`, nextUpdate 1 day after). */
  ocspFor(user: Issued, status: OcspStatusSpec, times?: { thisUpdate?: number; nextUpdate?: number }): Buffer;
  /** A CRL of the CA (thisUpdate 1 h before `at`, nextUpdate 7 days after). */
  crlOf(entries: CrlEntrySpec[]): Buffer;
  cleanup(): void;
}

/**
 * The Korean test PKI for one test file: the CA's ARL is served by `peer`
 * (so the CA's own revocation status is known), the root is the only anchor.
 */
export function koreanMaterial(peer: RevocationPeer, at: number): KoreanMaterial {
  const arlUrl = `${peer.base}/crl/arl.crl`;
  const caOptions: KoreanChainOptions['ca'] = { extensions: { crlDistributionPoints: [arlUrl] } };
  const base = issueKoreanChain({ at, ca: caOptions, ocspUrl: false, crlUrls: false });
  const rootCert = parseCertificate(base.root.der);
  const caCert = parseCertificate(base.ca.der);
  peer.crl('/crl/arl.crl', buildCrl({ issuer: rootCert.subject.der, issuerKey: base.root.key, thisUpdate: at - HOUR, nextUpdate: at + 30 * DAY }));

  const trustDir = mkdtempSync(join(tmpdir(), 'jc-verifier-anchors-'));
  writeFileSync(join(trustDir, 'root.pem'), base.root.pem);
  writeFileSync(join(trustDir, 'README.txt'), 'not a certificate\n');
  const intermediatesDir = mkdtempSync(join(tmpdir(), 'jc-verifier-intermediates-'));
  writeFileSync(join(intermediatesDir, 'yessign-ca.der'), base.ca.der);

  return {
    at,
    base,
    trustDir,
    intermediatesDir,
    user: ({ serial, ocspUrl, crlUrls, ...rest }) => issueKoreanChain({ at, ...rest, ca: caOptions, user: { serial }, ocspUrl, crlUrls }),
    ocspFor: (user, status, times = {}) =>
      buildOcspResponse({
        responderCert: base.ca.der,
        signerKey: base.ca.key,
        producedAt: at - 60_000,
        responses: [{ certId: testCertId(user.der, base.ca.der), status, thisUpdate: times.thisUpdate ?? at - HOUR, nextUpdate: times.nextUpdate ?? at + DAY }],
      }),
    crlOf: (entries) => buildCrl({ issuer: caCert.subject.der, issuerKey: base.ca.key, thisUpdate: at - HOUR, nextUpdate: at + 7 * DAY, entries }),
    cleanup: () => {
      rmSync(trustDir, { recursive: true, force: true });
      rmSync(intermediatesDir, { recursive: true, force: true });
    },
  };
}

/** The environment of a verifier under test: its own Redis prefix, the material's trust directories, fetches to the loopback peer. */
export function verifierTestEnv(pki: Pick<KoreanMaterial, 'trustDir' | 'intermediatesDir'>, prefix: string): Record<string, string> {
  return {
    LOG_LEVEL: 'silent',
    REDIS_PREFIX: prefix,
    TRUST_ANCHORS_DIR: pki.trustDir,
    INTERMEDIATES_DIR: pki.intermediatesDir,
    FETCH_ALLOW_HOSTS: '127.0.0.1',
    FETCH_ALLOW_PRIVATE: 'true',
    FETCH_TIMEOUT_MS: '2000',
    SERVICE_TIMEOUT_MS: '8000',
  };
}
