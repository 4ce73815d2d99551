/**
 * `npm run notifier:preview [-- <dir>]` — render every email template
 * (expiry reminder and revocation notice, ko and en, text and HTML) with
 * sample data into <dir> (default notifier-preview/) to look at.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderMail, type CertificateFacts, type MailLocale } from '../apps/notifier/src/mail/templates';

const dir = resolve(process.argv[2] ?? 'notifier-preview');
const now = Date.UTC(2026, 5, 1, 0, 0, 0);
const unsubscribeUrl = 'http://127.0.0.1:3000/v1/notifications/unsubscribe?token=00000000-0000-4000-8000-000000000000.1800000000.preview';
const samples: CertificateFacts[] = [
  {
    subjectDn: 'CN=홍길동()0011234200401011234567,OU=personal4IB,OU=KFB,O=yessign,C=kr',
    issuerDn: 'CN=yessignCA Class 2,OU=AccreditedCA,O=yessign,C=kr',
    ca: 'yessign',
    policyOid: '1.2.410.200005.1.1.1',
    certType: null,
    serialHex: '3a1f09c2',
    notAfter: new Date(now + 7 * 86_400_000 + 5 * 3_600_000),
  },
  {
    subjectDn: 'CN=김철수()0012345678901234,OU=KICA,O=SignGATE,C=KR',
    issuerDn: 'CN=signGATE CA5,OU=AccreditedCA,O=KICA,C=KR',
    ca: 'KICA',
    policyOid: '1.2.410.200004.5.2.1.7.1',
    certType: null,
    serialHex: '01b2c3',
    notAfter: new Date(now + 30 * 86_400_000),
  },
];

mkdirSync(dir, { recursive: true });
let written = 0;
for (const locale of ['ko', 'en'] as MailLocale[]) {
  const mails = {
    'expiry-7d': renderMail({ kind: 'expiry', locale, now, certificate: samples[0]!, thresholdDays: 7, unsubscribeUrl }),
    'expiry-30d-bank': renderMail({ kind: 'expiry', locale, now, certificate: samples[1]!, thresholdDays: 30, unsubscribeUrl }),
    revoked: renderMail({ kind: 'revoked', locale, now, certificate: samples[0]!, revokedAt: new Date(now - 3_600_000), reason: 'keyCompromise', unsubscribeUrl }),
    lock: renderMail({ kind: 'lock', locale, now, certificate: samples[0]!, lockedAt: new Date(now - 60_000), siteUrl: 'https://jointcert.example', unsubscribeUrl }),
    unused: renderMail({
      kind: 'unused',
      locale,
      now,
      certificate: samples[1]!,
      lastUsedAt: new Date(now - 200 * 86_400_000),
      siteUrl: 'https://jointcert.example',
      unsubscribeUrl,
      deleteUrl: 'https://jointcert.example/v1/notifications/delete-certificate?token=…',
    }),
    password: renderMail({ kind: 'password', locale, now, certificate: samples[0]!, passwordChangedAt: null, registeredAt: new Date(now - 120 * 86_400_000), siteUrl: 'https://jointcert.example', unsubscribeUrl }),
  };
  for (const [name, m] of Object.entries(mails)) {
    writeFileSync(join(dir, `${name}.${locale}.txt`), `Subject: ${m.subject}\n\n${m.text}`);
    writeFileSync(join(dir, `${name}.${locale}.html`), m.html);
    written += 2;
  }
}
console.log(`wrote ${written} files to ${dir}`);
