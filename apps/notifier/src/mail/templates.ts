/**
 * The notifier's emails, in Korean and English (the account's locale; any
 * locale other than 'en…' gets Korean), each as plain text and HTML.
 * Pure functions of their input: the preview script and the tests render them
 * without a mail server.
 */
import { classifyPolicies, type NpkiCa } from '@jointcert/pki';
import { DAY_MS } from '@jointcert/common';
import { KOREA_TZ } from '../korea-time';

export type MailLocale = 'ko' | 'en';

export interface CertificateFacts {
  subjectDn: string;
  issuerDn: string;
  ca: string | null;
  policyOid: string | null;
  certType: string | null;
  serialHex: string;
  notAfter: Date;
}

export type MailInput =
  | { kind: 'expiry'; locale: MailLocale; now: number; certificate: CertificateFacts; thresholdDays: number; unsubscribeUrl: string }
  | { kind: 'revoked'; locale: MailLocale; now: number; certificate: CertificateFacts; revokedAt: Date; reason: string | null; unsubscribeUrl: string }
  | { kind: 'lock'; locale: MailLocale; now: number; certificate: CertificateFacts; lockedAt: Date; siteUrl: string; unsubscribeUrl: string }
  | { kind: 'unused'; locale: MailLocale; now: number; certificate: CertificateFacts; lastUsedAt: Date; siteUrl: string; unsubscribeUrl: string; deleteUrl?: string }
  | { kind: 'password'; locale: MailLocale; now: number; certificate: CertificateFacts; passwordChangedAt: Date | null; registeredAt: Date; siteUrl: string; unsubscribeUrl: string };

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export function mailLocale(locale: string | null | undefined): MailLocale {
  return locale?.toLowerCase().startsWith('en') ? 'en' : 'ko';
}

const CA_NAMES: Readonly<Record<NpkiCa, { ko: string; en: string }>> = {
  yessign: { ko: '금융결제원 (yessign)', en: 'KFTC (yessign)' },
  KICA: { ko: '한국정보인증 (signGATE)', en: 'KICA (signGATE)' },
  SignKorea: { ko: '코스콤 (SignKorea)', en: 'Koscom (SignKorea)' },
  CrossCert: { ko: '한국전자인증 (CrossCert)', en: 'CrossCert' },
  TradeSign: { ko: '한국무역정보통신 (TradeSign)', en: 'KTNET (TradeSign)' },
};

/** CA and certificate type from the NPKI profile (libs/pki) by policy OID; the stored names otherwise. */
export function describeCertificate(c: CertificateFacts, locale: MailLocale): { ca: string; type: string; name: string } {
  const type = c.policyOid ? classifyPolicies([c.policyOid]) : undefined;
  const caKey = (type?.ca ?? c.ca ?? '') as NpkiCa;
  const ca = CA_NAMES[caKey]?.[locale] ?? c.ca ?? organisationOf(c.issuerDn) ?? c.issuerDn;
  let typeLabel: string;
  if (type) {
    // Table labels read "개인 범용 (personal, general-purpose)".
    const m = /^(.*?) \((.*)\)$/.exec(type.label);
    const ko = (m?.[1] ?? type.label).replace(/\//g, '·');
    typeLabel = locale === 'ko' ? (type.usage === 'limited' && !ko.endsWith('용') ? `${ko}용` : ko) : (m?.[2] ?? type.label);
  } else {
    typeLabel = c.certType ?? (locale === 'ko' ? '알 수 없음' : 'unknown');
  }
  return { ca, type: typeLabel, name: commonNameOf(c.subjectDn) ?? c.subjectDn };
}

function commonNameOf(dn: string): string | undefined {
  return /(?:^|[,/])\s*CN=((?:\\.|[^,])+)/i.exec(dn)?.[1]?.trim();
}

function organisationOf(dn: string): string | undefined {
  return /(?:^|[,/])\s*O=((?:\\.|[^,])+)/i.exec(dn)?.[1]?.trim();
}

/** Whole days left, rounded up ("expires in 1 day" until the last second); 0 once past. */
export function daysLeft(notAfter: Date, now: number): number {
  return Math.max(0, Math.ceil((notAfter.getTime() - now) / DAY_MS));
}

const FORMATS = new Map<MailLocale, Intl.DateTimeFormat>();

export function koreaTime(at: Date, locale: MailLocale): string {
  let f = FORMATS.get(locale);
  if (!f) FORMATS.set(locale, (f = koreaFormat(locale)));
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(at)) p[part.type] = part.value;
  return locale === 'ko'
    ? `${p.year}년 ${p.month}월 ${p.day}일 (${p.weekday}) ${p.hour}:${p.minute} KST`
    : `${p.weekday}, ${p.day} ${p.month} ${p.year}, ${p.hour}:${p.minute} KST`;
}

/** Built once per locale: constructing an Intl.DateTimeFormat costs far more than formatting with it. */
function koreaFormat(locale: MailLocale): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(locale === 'ko' ? 'ko-KR' : 'en-GB', {
    timeZone: KOREA_TZ,
    year: 'numeric',
    month: locale === 'ko' ? 'numeric' : 'short',
    day: 'numeric',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
}

const REASONS_KO: Readonly<Record<string, string>> = {
  unspecified: '사유 미지정',
  keyCompromise: '개인키 손상',
  cACompromise: '인증기관 키 손상',
  affiliationChanged: '소속 변경',
  superseded: '재발급으로 대체',
  cessationOfOperation: '사용 중지',
  certificateHold: '효력 정지',
  removeFromCRL: 'CRL에서 제거',
  privilegeWithdrawn: '권한 철회',
  aACompromise: '속성 기관 손상',
};

export function renderMail(input: MailInput): RenderedMail {
  const { locale, certificate: c } = input;
  const d = describeCertificate(c, locale);
  const expiry = koreaTime(c.notAfter, locale);
  const ko = locale === 'ko';
  const facts: Array<[string, string]> = [
    [ko ? '인증기관' : 'Certificate authority', d.ca],
    [ko ? '인증서 종류' : 'Certificate type', d.type],
    [ko ? '사용자' : 'Subject', d.name],
    [ko ? '일련번호' : 'Serial number', c.serialHex],
    [ko ? '만료 일시' : 'Expires', expiry],
  ];
  let subject = '';
  let lead = '';
  let todo = '';
  /** A one-click action shown under the text (the unused notice's deletion link). */
  let action: { text: string; url: string } | undefined;
  switch (input.kind) {
    case 'expiry': {
      const left = daysLeft(c.notAfter, input.now);
      facts.push([ko ? '남은 기간' : 'Days left', ko ? (left === 0 ? '오늘 만료' : `${left}일`) : left === 1 ? '1 day' : `${left} days`]);
      subject = ko ? `[jointcert] 공동인증서가 ${left}일 후 만료됩니다 (${d.name})` : `[jointcert] Your joint certificate expires in ${left} day${left === 1 ? '' : 's'} (${d.name})`;
      lead = ko
        ? `등록하신 공동인증서가 ${expiry}에 만료됩니다. 만료된 인증서로는 로그인할 수 없습니다.`
        : `The joint certificate registered to your account expires on ${expiry}. An expired certificate cannot be used to log in.`;
      todo = ko
        ? '인증서를 발급받은 은행 또는 인증기관에서 갱신한 뒤, 사이트의 「인증서 관리」에서 등록된 인증서를 새 인증서로 교체하세요.'
        : 'Renew it at the bank or certificate authority that issued it, then replace the registered certificate with the new one under "Certificates" on the site.';
      break;
    }
    case 'revoked': {
      const reason = input.reason ?? 'unspecified';
      facts.push([ko ? '폐지 일시' : 'Revoked', koreaTime(input.revokedAt, locale)], [ko ? '폐지 사유' : 'Reason', ko ? (REASONS_KO[reason] ?? reason) : reason]);
      subject = ko ? `[jointcert] 등록된 공동인증서가 폐지되었습니다 (${d.name})` : `[jointcert] Your registered joint certificate was revoked (${d.name})`;
      lead = ko
        ? '인증기관이 등록하신 공동인증서를 폐지했습니다. 이 인증서로는 더 이상 로그인할 수 없습니다.'
        : 'The certificate authority revoked the joint certificate registered to your account. It can no longer be used to log in.';
      todo = ko
        ? '본인이 폐지하지 않았다면 발급 기관에 문의하세요. 새 인증서를 발급받은 뒤 사이트에 등록하세요.'
        : 'If you did not ask for this, contact the issuer. Get a new certificate, then register it on the site.';
      break;
    }
    case 'lock': {
      facts.push([ko ? '잠금 일시' : 'Locked', koreaTime(input.lockedAt, locale)]);
      subject = ko ? `[jointcert] 공동인증서가 잠겼습니다 (${d.name})` : `[jointcert] Your joint certificate was locked (${d.name})`;
      lead = ko
        ? '분실 신고에 따라 등록하신 공동인증서를 잠갔습니다. 잠금을 풀 때까지 이 인증서로는 로그인할 수 없으며, 이 인증서로 열린 세션은 모두 종료되었습니다.'
        : 'The joint certificate registered to your account was locked as lost. It cannot log in until it is unlocked, and every session it opened was ended.';
      todo = ko
        ? `본인이 잠그지 않았다면 다른 등록된 인증서로 로그인해 세션과 인증서를 확인하세요: ${input.siteUrl}. 인증서를 잃어버렸다면 발급 기관에서 재발급받아 등록하세요.`
        : `If you did not lock it, log in with another registered certificate and check your sessions and certificates: ${input.siteUrl}. If the certificate is lost, have the issuer reissue it and register the new one.`;
      break;
    }
    case 'unused': {
      const idle = Math.max(0, Math.floor((input.now - input.lastUsedAt.getTime()) / DAY_MS));
      facts.push([ko ? '마지막 사용' : 'Last used', koreaTime(input.lastUsedAt, locale)]);
      subject = ko ? `[jointcert] ${idle}일 동안 사용하지 않은 공동인증서가 있습니다 (${d.name})` : `[jointcert] A joint certificate unused for ${idle} days (${d.name})`;
      lead = ko
        ? `등록하신 공동인증서가 ${idle}일 동안 로그인에 사용되지 않았습니다.`
        : `The joint certificate registered to your account has not been used to log in for ${idle} days.`;
      todo = ko
        ? `더 이상 사용하지 않는 인증서라면 사이트의 「인증서 관리」에서 삭제하세요: ${input.siteUrl}. 쓰지 않는 인증서를 남겨 두지 않는 것이 안전합니다.`
        : `If you no longer use it, delete it under "Certificates" on the site: ${input.siteUrl}. Certificates you do not use are safer removed.`;
      if (input.deleteUrl) action = { text: ko ? '이 인증서를 바로 삭제하려면 (확인 화면이 열립니다)' : 'To delete this certificate now (a confirmation page opens)', url: input.deleteUrl };
      break;
    }
    case 'password': {
      const since = input.passwordChangedAt ?? input.registeredAt;
      const days = Math.max(0, Math.floor((input.now - since.getTime()) / DAY_MS));
      facts.push(
        input.passwordChangedAt
          ? [ko ? '마지막 비밀번호 변경' : 'Password last changed', koreaTime(input.passwordChangedAt, locale)]
          : [ko ? '등록 일시 (비밀번호 변경 기록 없음)' : 'Registered (no password change reported)', koreaTime(input.registeredAt, locale)],
      );
      subject = ko ? `[jointcert] 공동인증서 비밀번호를 바꿀 때가 되었습니다 (${d.name})` : `[jointcert] Time to change your joint certificate password (${d.name})`;
      lead = ko
        ? input.passwordChangedAt
          ? `등록하신 공동인증서의 비밀번호를 ${days}일 동안 바꾸지 않았습니다.`
          : `등록하신 공동인증서의 비밀번호를 바꾼 기록이 등록 후 ${days}일 동안 없습니다.`
        : input.passwordChangedAt
          ? `The password of the joint certificate registered to your account was last changed ${days} days ago.`
          : `No password change has been reported for the joint certificate registered to your account in the ${days} days since it was registered.`;
      todo = ko
        ? '인증서 비밀번호는 정기적으로 바꾸고 다른 사람과 공유하지 마세요. 인증서 프로그램이나 `jointcert npki passwd`로 이 기기에서 바꿀 수 있으며, 비밀번호는 서버로 전송되지 않습니다.'
        : 'Change the certificate password regularly and never share it. Change it on your device with your certificate program or `jointcert npki passwd`; the password is never sent to the server.';
      break;
    }
  }
  const stop =
    input.kind === 'expiry'
      ? ko
        ? '만료 알림을 그만 받으려면'
        : 'To stop expiry reminders'
      : input.kind === 'password'
        ? ko
          ? '비밀번호 변경 알림을 그만 받으려면'
          : 'To stop password reminders'
        : ko
          ? '알림 메일을 그만 받으려면'
          : 'To stop these reminder emails';
  const text = [
    lead,
    '',
    ...facts.map(([k, v]) => `${k}: ${v}`),
    '',
    todo,
    '',
    ...(action ? [`${action.text}: ${action.url}`, ''] : []),
    '--',
    `${stop}: ${input.unsubscribeUrl}`,
    '',
  ].join('\n');
  const rows = facts.map(([k, v]) => `<tr><th align="left" style="padding:2px 12px 2px 0">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('\n');
  const html = `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><title>${esc(subject)}</title></head>
<body style="font-family:sans-serif;line-height:1.5">
<p>${esc(lead)}</p>
<table>
${rows}
</table>
<p><strong>${esc(todo)}</strong></p>
${action ? `<p>${esc(action.text)}: <a href="${esc(action.url)}">${esc(ko ? '인증서 삭제' : 'delete the certificate')}</a></p>
` : ''}<hr>
<p style="font-size:small;color:#555">${esc(stop)}: <a href="${esc(input.unsubscribeUrl)}">${esc(ko ? '수신 거부' : 'unsubscribe')}</a></p>
</body></html>
`;
  return { subject, text, html };
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
