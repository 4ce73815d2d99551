/**
 * Certificate parsing: our lean walk (parseCertificate) beside Node's
 * crypto.X509Certificate (the baseline, OpenSSL in C) and pkijs 3
 * Certificate.fromBER, on the yessign NPKI test certificate and on the three
 * certificates of a freshly made root → intermediate → leaf chain.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseCertificate } from '@jointcert/pki';
import { openssl, tempDir } from '../libs/pki/test-support/openssl';
import { measure, report } from './util';

function makeChain(): Buffer[] {
  const { dir, cleanup } = tempDir('bench-chain-');
  try {
    const f = (n: string): string => join(dir, n);
    writeFileSync(
      f('ext.cnf'),
      [
        '[ca]',
        'basicConstraints=critical,CA:TRUE',
        'keyUsage=critical,keyCertSign,cRLSign',
        'subjectKeyIdentifier=hash',
        'authorityKeyIdentifier=keyid',
        'certificatePolicies=2.5.29.32.0',
        'crlDistributionPoints=URI:http://crl.example.kr/ca.crl',
        '[leaf]',
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,nonRepudiation',
        'extendedKeyUsage=clientAuth',
        'subjectKeyIdentifier=hash',
        'authorityKeyIdentifier=keyid',
        'certificatePolicies=1.2.410.200005.1.1.1',
        'subjectAltName=email:hong@example.kr,DNS:example.kr',
        'crlDistributionPoints=cdp',
        'authorityInfoAccess=OCSP;URI:http://ocsp.example.kr:4612',
        '[cdp]',
        'fullname=@cdpnames',
        '[cdpnames]',
        'URI.1=ldap://ds.example.kr:389/ou=dp1,o=example,c=kr?certificateRevocationList',
        '',
      ].join('\n'),
    );
    const key = (n: string): void => void openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', f(n)]);
    key('root.key');
    key('int.key');
    key('leaf.key');
    openssl(['req', '-x509', '-new', '-key', f('root.key'), '-subj', '/C=KR/O=Bench/CN=Bench Root', '-days', '3650', '-out', f('root.pem'), '-outform', 'DER']);
    const issue = (name: string, subj: string, caCert: string, caKey: string, section: string): void => {
      openssl(['req', '-new', '-key', f(`${name}.key`), '-subj', subj, '-out', f(`${name}.csr`)]);
      openssl(['x509', '-req', '-in', f(`${name}.csr`), '-CA', f(caCert), '-CAform', 'DER', '-CAkey', f(caKey), '-set_serial', '0x459c75', '-days', '365',
        '-extfile', f('ext.cnf'), '-extensions', section, '-outform', 'DER', '-out', f(`${name}.der`)]);
    };
    issue('int', '/C=KR/O=Bench/OU=AccreditedCA/CN=Bench CA', 'root.pem', 'root.key', 'ca');
    issue('leaf', '/C=KR/O=Bench/OU=personal/CN=홍길동()0010', 'int.der', 'int.key', 'leaf');
    return [readFileSync(f('root.pem')), readFileSync(f('int.der')), readFileSync(f('leaf.der'))];
  } finally {
    cleanup();
  }
}

function pkijsParse(der: Uint8Array): unknown {
  const ab = der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength) as ArrayBuffer;
  return pkijs.Certificate.fromBER(ab);
}

export async function run(): Promise<void> {
  const yessign = readFileSync(join(__dirname, '..', '..', 'libs', 'pki', 'test-fixtures', 'npki-yessign-test', 'signCert.der'));
  const chain = makeChain();
  void asn1js; // pkijs 3 parses through asn1js 3 (imported so both resolve as CommonJS)

  const sets: [string, Buffer[]][] = [
    ['yessign NPKI cert (1,464 B)', [yessign]],
    [`3-level chain (${chain.map((c) => c.length).join(' + ')} B)`, chain],
  ];
  for (const [label, ders] of sets) {
    console.log(`-- ${label}: per certificate`);
    const n = ders.length;
    const each = (fn: (d: Buffer) => unknown) => () => {
      for (const d of ders) fn(d);
    };
    const per = (r: ReturnType<typeof measure>): ReturnType<typeof measure> => ({ ...r, ops: r.ops * n, perSecond: r.perSecond * n, usPerOp: r.usPerOp / n });
    const base = per(measure(each((d) => new X509Certificate(d))));
    report('crypto.X509Certificate (baseline)', base);
    report('parseCertificate', per(measure(each((d) => parseCertificate(d)))), base);
    report('parseCertificate + fingerprintSha256', per(measure(each((d) => parseCertificate(d).fingerprintSha256))), base);
    report('X509Certificate + fingerprint256', per(measure(each((d) => new X509Certificate(d).fingerprint256))), base);
    report('pkijs Certificate.fromBER', per(measure(each(pkijsParse), 500)), base);
  }
  await Promise.resolve();
}
