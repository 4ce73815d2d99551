/**
 * Test kit: a minimal `openssl ca` directory in a temp dir, used as the
 * independent producer of CRLs for the CRL tests (index.txt, serial, crlnumber,
 * revocations with reasons, `-gencrl` with chosen crl_extensions sections).
 * Test-only; synchronous; everything under one temp dir removed by cleanup().
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseCertificate } from '../../cert/parse';
import type { Certificate } from '../../cert/types';
import { decodePem } from '../../der';
import { openssl, tempDir } from '../../../test-support/openssl';

/** The CDP our test leaves carry: a Korean-style partitioned LDAP distribution point. */
export const TEST_DP_DN = 'ou=dp5p22874,ou=AccreditedCA,o=yessign,c=kr';
export const TEST_CDP = `ldap://127.0.0.1:389/${TEST_DP_DN}?certificateRevocationList;binary`;

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...len]), content]);
}

/** DistributionPointName [0] { fullName [0] { URI } } — built by hand: OpenSSL's config syntax splits on the commas of a DN in a URL. */
function dpNameUri(uri: string): Buffer {
  return tlv(0xa0, tlv(0xa0, tlv(0x86, Buffer.from(uri, 'latin1'))));
}

function cdpHex(uri: string): string {
  return tlv(0x30, tlv(0x30, dpNameUri(uri))).toString('hex');
}

/** IssuingDistributionPoint with a fullName URI and extra encoded fields (hex). */
function idpHex(uri: string, extraHex = ''): string {
  return tlv(0x30, Buffer.concat([dpNameUri(uri), Buffer.from(extraHex, 'hex')])).toString('hex');
}

function config(dir: string, caName: string): string {
  return `
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = ${dir}
database = $dir/index.txt
serial = $dir/serial
crlnumber = $dir/crlnumber
new_certs_dir = $dir/newcerts
certificate = $dir/${caName}.pem
private_key = $dir/${caName}.key
default_md = sha256
policy = policy_any
unique_subject = no
default_days = 365
copy_extensions = none
crl_extensions = crl_idp_user
[ policy_any ]
commonName = supplied
organizationName = optional
countryName = optional
[ leaf_ext ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = DER:${cdpHex(TEST_CDP)}
[ leaf_nocdp_ext ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
[ subca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = DER:${cdpHex(TEST_CDP)}
[ crl_plain ]
authorityKeyIdentifier = keyid
[ crl_none ]
[ crl_idp_user ]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical, DER:${idpHex(`ldap://ds.example.kr:389/${TEST_DP_DN}?certificateRevocationList`, '8101ff')}
[ crl_idp_other ]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical, DER:${idpHex('ldap://127.0.0.1:389/ou=dp9p1,ou=AccreditedCA,o=yessign,c=kr?certificateRevocationList')}
[ crl_idp_dirname ]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical, @idp_dirname
[ idp_dirname ]
fullname = dirName:dp_dn
[ dp_dn ]
C = kr
O = yessign
0.OU = AccreditedCA
1.OU = dp5p22874
[ crl_idp_ca ]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical, @idp_ca
[ idp_ca ]
onlyCA = TRUE
[ crl_idp_reasons ]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical, DER:${idpHex(TEST_CDP, '83020560' /* onlySomeReasons: keyCompromise, cACompromise */)}
`;
}

export interface IssuedCert {
  cert: Certificate;
  path: string;
}

export interface OpensslCa {
  dir: string;
  cert: Certificate;
  certPath: string;
  keyPath: string;
  confPath: string;
  /** Issue a certificate (EC P-256 key) with the named extension section. */
  issue(cn: string, ext?: 'leaf_ext' | 'leaf_nocdp_ext' | 'subca_ext'): IssuedCert;
  /** `openssl ca -revoke` with extra flags, e.g. ['-crl_reason', 'keyCompromise']. */
  revoke(c: IssuedCert, flags?: string[]): void;
  /** `openssl ca -gencrl` → DER. */
  gencrl(opts?: { section?: string; hours?: number; keyPath?: string; certPath?: string }): Buffer;
  /** The revocation dates openssl recorded, by lower-case serial hex. */
  indexRevocations(): Map<string, { date: string; reason?: string }>;
  cleanup(): void;
}

/** A new CA (RSA-2048, SHA-256) named `subject` ("/C=KR/O=.../CN=..."). */
export function opensslCa(subject = '/C=KR/O=yessign/OU=AccreditedCA/CN=CRL Test CA', name = 'ca'): OpensslCa {
  const { dir, cleanup } = tempDir('jointcert-crl-ca-');
  mkdirSync(join(dir, 'newcerts'));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(join(dir, 'crlnumber'), '01\n');
  const confPath = join(dir, 'openssl.cnf');
  writeFileSync(confPath, config(dir, name));
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.pem`);
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', keyPath]);
  openssl([
    'req', '-x509', '-new', '-key', keyPath, '-subj', subject, '-days', '3650', '-out', certPath,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-addext', 'subjectKeyIdentifier=hash',
  ]);
  const cert = parseCertificate(decodePem(readFileSync(certPath, 'latin1'), 'CERTIFICATE'));
  let n = 0;
  return {
    dir,
    cert,
    certPath,
    keyPath,
    confPath,
    issue(cn, ext = 'leaf_ext') {
      const k = join(dir, `leaf${++n}.key`);
      const csr = join(dir, `leaf${n}.csr`);
      const path = join(dir, `leaf${n}.pem`);
      openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', k, '-subj', `/C=KR/O=yessign/CN=${cn}`, '-out', csr]);
      openssl(['ca', '-batch', '-config', confPath, '-extensions', ext, '-in', csr, '-out', path, '-notext']);
      return { cert: parseCertificate(decodePem(readFileSync(path, 'latin1'), 'CERTIFICATE')), path };
    },
    revoke(c, flags = []) {
      openssl(['ca', '-config', confPath, '-revoke', c.path, ...flags]);
    },
    gencrl(opts = {}) {
      const out = join(dir, `crl${++n}.pem`);
      const args = ['ca', '-gencrl', '-config', confPath, '-out', out, '-crlhours', String(opts.hours ?? 24)];
      if (opts.section) args.push('-crlexts', opts.section);
      if (opts.keyPath) args.push('-keyfile', opts.keyPath);
      if (opts.certPath) args.push('-cert', opts.certPath);
      openssl(args);
      return decodePem(readFileSync(out, 'latin1'), 'X509 CRL');
    },
    indexRevocations() {
      const out = new Map<string, { date: string; reason?: string }>();
      for (const line of readFileSync(join(dir, 'index.txt'), 'utf8').split('\n')) {
        const f = line.split('\t');
        if (f[0] !== 'R') continue;
        const [date, reason] = f[2]!.split(',');
        out.set(f[3]!.toLowerCase(), { date: date!, ...(reason !== undefined ? { reason } : {}) });
      }
      return out;
    },
    cleanup,
  };
}
