// The jointcert demo page: every step through @jointcert/client in the browser.
// The private key and the password stay in this page; nothing is stored.
import { ApiError, ClientError, JointcertApi, NpkiCertificate, describeCertificate, fromBase64, receiveTransfer, sendTransfer, TransferCodeError, TransferDecryptError, utf8 } from './jointcert-client.js';

const T = {
  ko: {
    title: 'jointcert 데모 — 공동인증서 로그인',
    intro: '개발용 데모입니다. 개인키와 비밀번호는 이 페이지(브라우저) 밖으로 나가지 않습니다.',
    apiUrl: 'API 주소',
    issueTitle: '1. 테스트 인증서 발급 (개발용 CA)',
    issueNote: '개발용 CA가 NPKI 폴더(signCert.der, signPri.key)를 만들어 줍니다. 실제 인증서가 아닙니다.',
    name: '이름', idn: '주민등록번호 (테스트)', certPassword: '인증서 비밀번호', validityDays: '유효기간 (일)',
    issueButton: '발급', issuedFolder: 'NPKI 폴더:', useIssued: '이 인증서 사용', revokeIssued: '폐지 (테스트)',
    chooseTitle: '2. 인증서 선택', dropHint: 'NPKI 폴더의 signCert.der 와 signPri.key (또는 .pfx 파일)를 선택하거나 여기에 끌어다 놓으세요.',
    pfxLocked: 'PKCS#12 파일: 비밀번호를 확인하면 내용이 보입니다.',
    holder: '소유자', ca: '발급기관', type: '구분', expiry: '만료일', daysLeft: '남은 기간', keyEncryption: '개인키 암호화',
    idnOptional: '주민등록번호 (본인확인, 선택)', email: '이메일 (선택)',
    checkPassword: '비밀번호 확인', register: '인증서 등록 (가입)', login: '로그인', logout: '로그아웃',
    certificatesTitle: '3. 내 인증서', loggedInAs: '계정:', subject: '인증서', status: '상태',
    replace: '변경', remove: '삭제', replaceNote: '변경: 위에서 선택한 새 인증서(같은 사람, 더 늦은 만료일)로 바꿉니다.',
    verifyTitle: '4. 문서 서명과 검증', signVerify: '서명하고 검증', documentText: '계약서: 갑과 을은 다음과 같이 합의한다.',
    days: (n) => (n < 0 ? `${-n}일 지남` : `${n}일`),
    status_active: '사용 중', status_replaced: '변경됨', status_revoked: '폐지됨', status_deleted: '삭제됨', status_expired: '만료됨',
    issued: (s) => `발급되었습니다: ${s}`, unlocked: (r, s) => `비밀번호가 맞습니다. 개인키(${s})가 인증서와 일치합니다${r ? ', 본인확인 값(R) 있음' : ''}.`,
    registered: '인증서를 등록했습니다.', loggedIn: '로그인했습니다.', loggedOut: '로그아웃했습니다.', replaced: '인증서를 변경했습니다.',
    deleted: '인증서를 삭제했습니다.', revoked: '테스트 인증서를 폐지했습니다. 이제 이 인증서로는 등록·로그인할 수 없습니다.',
    transferTitle: '5. 인증서 복사 (다른 기기로)', transferNote: '보내는 기기(로그인, 위에서 선택한 인증서)가 16자리 인증번호를 보여 줍니다. 받는 기기에서 그 번호를 입력하세요. 서버는 암호화된 파일만 3분 동안 전달합니다.',
    transferSend: '이 인증서 보내기', transferReceive: '받기', transferCodeLabel: '인증번호 (16자리)',
    transferSent: (code, until) => `받는 기기에서 ${until} 전까지 이 인증번호를 입력하세요: ${code}`, transferReceived: (names) => `인증서를 받았습니다 (${names}). 비밀번호를 입력하면 로그인할 수 있습니다.`,
    transferLoginFirst: '먼저 보낼 인증서로 로그인하세요.',
    totpCode: '인증 앱 코드 (6자리 또는 복구 코드)', totpNeeded: '이 계정은 2단계 인증을 사용합니다. 인증 앱의 6자리 코드를 입력한 뒤 다시 보내세요.',
    verified: '검증을 마쳤습니다.', confirmDelete: '이 인증서를 삭제할까요?', chooseFirst: '먼저 인증서를 선택하세요.', passwordFirst: '인증서 비밀번호를 입력하세요.',
    verdict_valid: '유효', verdict_invalid: '유효하지 않음', verdict_indeterminate: '판단 불가',
    reportSigner: '서명자', reportChain: '인증 경로 (서명자 → 최상위 인증기관)', reportChecks: '검사 항목', reportRevocation: '폐지 여부 확인',
    signingTime: '서명 시각', source: '출처', thisUpdate: '발행', nextUpdate: '다음 갱신', cached: '캐시',
    errors: {
      WRONG_PASSWORD: '인증서 비밀번호가 올바르지 않습니다. 다시 입력하세요.',
      MALFORMED_KEY_FILE: 'signPri.key 파일이 손상되었거나 지원하지 않는 형식입니다.',
      MALFORMED_CERTIFICATE: 'signCert.der 파일이 인증서가 아닙니다.',
      KEY_CERT_MISMATCH: '개인키가 이 인증서의 것이 아닙니다. 같은 폴더의 파일을 선택하세요.',
      NPKI_FILE_MISSING: 'signCert.der 와 signPri.key 를 함께 선택하세요.',
      UNSUPPORTED_KEY: '이 인증서의 키 형식은 지원하지 않습니다.',
      NO_WEBCRYPTO: '이 브라우저에서는 WebCrypto를 쓸 수 없습니다 (https 또는 localhost 필요).',
      NETWORK: '서버에 연결할 수 없습니다.',
      CERT_REVOKED: '폐지된 인증서입니다. 인증서를 재발급 받으세요.',
      CERT_EXPIRED: '만료된 인증서입니다. 인증서를 갱신하세요.',
      CERT_NOT_REGISTERED: '등록되지 않은 인증서입니다. 먼저 인증서를 등록하세요.',
      CERT_ALREADY_REGISTERED: '이미 등록된 인증서입니다. 로그인하세요.',
      CHAIN_UNTRUSTED: '신뢰할 수 없는 기관이 발급한 인증서입니다.',
      POLICY_NOT_ACCEPTED: '이 사이트에서 받지 않는 종류의 인증서입니다 (범용 인증서가 필요합니다).',
      IDENTITY_MISMATCH: '주민등록번호가 인증서와 일치하지 않습니다.',
      REVOCATION_UNKNOWN: '인증서 폐지 여부를 확인할 수 없습니다. 잠시 후 다시 시도하세요.',
      UNAUTHENTICATED: '로그인이 필요합니다.',
      TOTP_INVALID: '인증 앱 코드가 틀렸거나 이미 사용되었습니다. 다음 코드를 기다려 다시 시도하세요.',
      TRANSFER_NOT_FOUND: '이 인증번호로 기다리는 인증서가 없습니다. 숫자를 확인하거나, 보내는 기기에서 다시 보내세요 (번호는 한 번, 3분 동안만 쓸 수 있습니다).',
    },
  },
  en: {
    title: 'jointcert demo — joint certificate login',
    intro: 'A development demo. The private key and the password never leave this page (the browser).',
    apiUrl: 'API URL',
    issueTitle: '1. Get a test certificate (development CA)',
    issueNote: 'The development CA makes an NPKI folder (signCert.der, signPri.key). Not a real certificate.',
    name: 'Name', idn: 'Resident number (test)', certPassword: 'Certificate password', validityDays: 'Validity (days)',
    issueButton: 'Issue', issuedFolder: 'NPKI folder:', useIssued: 'Use this certificate', revokeIssued: 'Revoke (test)',
    chooseTitle: '2. Choose a certificate', dropHint: 'Choose signCert.der and signPri.key from an NPKI folder (or a .pfx file), or drop them here.',
    pfxLocked: 'PKCS#12 file: its contents show once the password is checked.',
    holder: 'Holder', ca: 'CA', type: 'Type', expiry: 'Expires', daysLeft: 'Days left', keyEncryption: 'Key encryption',
    idnOptional: 'Resident number (identity check, optional)', email: 'Email (optional)',
    checkPassword: 'Check password', register: 'Register (sign up)', login: 'Log in', logout: 'Log out',
    certificatesTitle: '3. My certificates', loggedInAs: 'Account:', subject: 'Certificate', status: 'Status',
    replace: 'Replace', remove: 'Delete', replaceNote: 'Replace: with the new certificate chosen above (same person, later expiry).',
    verifyTitle: '4. Sign and verify a document', signVerify: 'Sign and verify', documentText: 'Contract: the parties agree as follows.',
    days: (n) => (n < 0 ? `expired ${-n} days ago` : `${n} days`),
    status_active: 'active', status_replaced: 'replaced', status_revoked: 'revoked', status_deleted: 'deleted', status_expired: 'expired',
    issued: (s) => `Issued: ${s}`, unlocked: (r, s) => `The password is right. The key (${s}) matches the certificate${r ? '; identity value R present' : ''}.`,
    registered: 'Certificate registered.', loggedIn: 'Logged in.', loggedOut: 'Logged out.', replaced: 'Certificate replaced.',
    deleted: 'Certificate deleted.', revoked: 'The test certificate is revoked: it can no longer register or log in.',
    transferTitle: '5. Copy the certificate to another device', transferNote: 'The sending device (logged in, the certificate chosen above) shows a 16-digit code; type it on the receiving device. The server relays only encrypted files, for 3 minutes.',
    transferSend: 'Send this certificate', transferReceive: 'Receive', transferCodeLabel: 'Code (16 digits)',
    transferSent: (code, until) => `On the receiving device, enter this code before ${until}: ${code}`, transferReceived: (names) => `Certificate received (${names}). Enter its password to log in.`,
    transferLoginFirst: 'Log in with the certificate to send first.',
    totpCode: 'Authenticator code (6 digits, or a recovery code)', totpNeeded: 'This account uses a second factor. Enter the 6-digit code from your authenticator app and send again.',
    verified: 'Verification done.', confirmDelete: 'Delete this certificate?', chooseFirst: 'Choose a certificate first.', passwordFirst: 'Enter the certificate password.',
    verdict_valid: 'valid', verdict_invalid: 'invalid', verdict_indeterminate: 'indeterminate',
    reportSigner: 'Signer', reportChain: 'Certification path (signer → root)', reportChecks: 'Checks', reportRevocation: 'Revocation checks',
    signingTime: 'Signing time', source: 'Source', thisUpdate: 'This update', nextUpdate: 'Next update', cached: 'cached',
    errors: {
      WRONG_PASSWORD: 'The certificate password is wrong. Try again.',
      MALFORMED_KEY_FILE: 'signPri.key is damaged or in a format we do not support.',
      MALFORMED_CERTIFICATE: 'signCert.der is not a certificate.',
      KEY_CERT_MISMATCH: 'The key does not belong to this certificate. Choose the files of one folder.',
      NPKI_FILE_MISSING: 'Choose both signCert.der and signPri.key.',
      UNSUPPORTED_KEY: 'This certificate’s key type is not supported.',
      NO_WEBCRYPTO: 'WebCrypto is not available in this browser (https or localhost needed).',
      NETWORK: 'The server cannot be reached.',
      CERT_REVOKED: 'This certificate is revoked. Get a new one from your CA.',
      CERT_EXPIRED: 'This certificate has expired. Renew it.',
      CERT_NOT_REGISTERED: 'This certificate is not registered. Register it first.',
      CERT_ALREADY_REGISTERED: 'This certificate is already registered. Log in.',
      CHAIN_UNTRUSTED: 'This certificate comes from a CA this site does not trust.',
      POLICY_NOT_ACCEPTED: 'This site does not accept this kind of certificate (a general-purpose one is needed).',
      IDENTITY_MISMATCH: 'The resident number does not match the certificate.',
      REVOCATION_UNKNOWN: 'The certificate’s revocation status cannot be checked now. Try again later.',
      UNAUTHENTICATED: 'Please log in.',
      TOTP_INVALID: 'The authenticator code is wrong or was used already. Wait for the next code and try again.',
      TRANSFER_NOT_FOUND: 'No certificate is waiting under this code. Check the digits, or send again (a code works once, for 3 minutes).',
    },
  },
};

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
let lang = params.get('lang') === 'en' ? 'en' : 'ko';
const t = (k) => T[lang][k];

const state = { npki: null, pfx: null, pfxInfo: null, issued: null, chainPem: '', api: null, account: null, lastList: [], report: null };

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

function applyLanguage() {
  document.documentElement.lang = lang;
  for (const n of document.querySelectorAll('[data-t]')) n.textContent = t(n.dataset.t);
  $('lang-ko').setAttribute('aria-pressed', String(lang === 'ko'));
  $('lang-en').setAttribute('aria-pressed', String(lang === 'en'));
  if (!$('document').value || Object.values(T).some((x) => x.documentText === $('document').value)) $('document').value = t('documentText');
  if (state.npki || state.pfx) showCard();
  if (state.account) renderCertificates(state.lastList);
  if (state.report) renderReport(state.report);
}

function say(kind, text, code) {
  const m = $('message');
  m.hidden = false;
  m.className = kind;
  m.replaceChildren(text, code ? el('code', {}, code) : '');
}

function fail(e) {
  if (e instanceof TransferDecryptError || e instanceof TransferCodeError) return say('error', e.message);
  const code = e instanceof ApiError || e instanceof ClientError ? e.code : undefined;
  const known = code ? t('errors')[code] : undefined;
  say('error', known ?? (e instanceof ApiError ? e.problem.detail ?? e.problem.title : e.message), code);
}

/** Run a button's action with the button disabled, errors shown. */
async function act(button, fn) {
  button.disabled = true;
  try {
    await fn();
  } catch (e) {
    fail(e);
  } finally {
    button.disabled = false;
  }
}

function api() {
  const baseUrl = $('api-url').value.trim();
  if (!state.api || state.api.baseUrl !== baseUrl.replace(/\/+$/, '')) state.api = new JointcertApi({ baseUrl });
  return state.api;
}

const fmtDate = (d) => new Date(d).toLocaleDateString(lang === 'ko' ? 'ko-KR' : 'en-GB', { year: 'numeric', month: 'long', day: 'numeric' });
const fmtTime = (d) => (d ? new Date(d).toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-GB') : '—');

// ------------------------------------------------------------------ 1. the dev CA

async function issue() {
  const body = { name: $('issue-name').value, password: $('issue-password').value, validityDays: Number($('issue-days').value) };
  if ($('issue-idn').value) body.idn = $('issue-idn').value;
  const res = await fetch('/issue', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw new ApiError(json);
  state.issued = json;
  if (!state.chainPem) state.chainPem = await (await fetch('/ca/chain.pem')).text();
  const files = issuedFiles();
  $('issued-folder').textContent = `NPKI/${json.caFolder}/USER/${json.folderName}/`;
  $('dl-cert').href = URL.createObjectURL(files[0]);
  $('dl-key').href = URL.createObjectURL(files[1]);
  $('issued').hidden = false;
  say('ok', t('issued')(json.subject));
}

function issuedFiles() {
  return [new File([fromBase64(state.issued.certificate)], 'signCert.der'), new File([fromBase64(state.issued.signPriKey)], 'signPri.key')];
}

async function revokeIssued() {
  const res = await fetch('/revoke', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serialHex: state.issued.serialHex, reason: 'keyCompromise' }) });
  if (!res.ok) throw new ApiError(await res.json());
  say('ok', t('revoked'));
}

// ------------------------------------------------------------------ 5. device transfer (인증서 복사)

/** PC side: the chosen certificate's files, as they are, sealed under a new code (the key never leaves this page unsealed). */
async function sendToDevice() {
  const a = api();
  if (!a.tokens || !state.files) throw new Error(t('transferLoginFirst'));
  const files = await Promise.all(state.files.map(async (f) => ({ name: f.name, data: new Uint8Array(await f.arrayBuffer()) })));
  // the code field appears when the account turns out to have a second factor (TOTP_REQUIRED)
  const totp = $('transfer-totp-row').hidden ? undefined : $('transfer-totp').value.trim() || undefined;
  let sent;
  try {
    sent = await sendTransfer({ baseUrl: a.baseUrl }, a.tokens.accessToken, files, totp);
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 'TOTP_REQUIRED')) throw e;
    $('transfer-totp-row').hidden = false;
    $('transfer-totp').focus();
    return say('error', t('totpNeeded'), e.code);
  }
  $('transfer-totp').value = '';
  $('transfer-code').textContent = sent.code.display;
  $('transfer-code').hidden = false;
  say('ok', t('transferSent')(sent.code.display, fmtTime(sent.expiresAt)));
}

/** Phone side: no session; the code takes the files once, and they become the chosen certificate. */
async function receiveFromDevice() {
  const files = await receiveTransfer({ baseUrl: api().baseUrl }, $('transfer-code-input').value);
  await choose(files.map((f) => new File([f.data], f.name)));
  say('ok', t('transferReceived')(files.map((f) => f.name).join(', ')));
}

// ------------------------------------------------------------------ 2. choosing and unlocking

async function choose(files, chain) {
  state.files = files;
  const pfx = files.find((f) => /\.(pfx|p12)$/i.test(f.name));
  state.pfx = pfx ?? null;
  state.pfxInfo = null;
  state.npki = pfx ? null : await NpkiCertificate.fromFiles(files, chain ? { chain: [chain] } : {});
  showCard();
  $('auth-form').hidden = false;
  $('message').hidden = true;
  $('password').focus();
}

function showCard() {
  if (state.pfx && !state.pfxInfo) {
    for (const id of ['c-holder', 'c-ca', 'c-type', 'c-expiry', 'c-days']) $(id).textContent = '—';
    $('c-key').textContent = t('pfxLocked');
    $('cert-card').hidden = false;
    return;
  }
  const i = state.pfxInfo ?? state.npki.describe();
  $('c-holder').textContent = i.holder;
  $('c-ca').textContent = `${i.ca ?? '?'} — ${i.issuerName}`;
  $('c-type').textContent = i.typeLabel;
  $('c-expiry').textContent = fmtDate(i.notAfter);
  $('c-days').textContent = t('days')(i.daysLeft);
  $('c-days').className = i.daysLeft < 30 ? 'soon' : '';
  const k = state.npki?.keyFile;
  $('c-key').textContent = k ? `${k.scheme}${k.prf ? ` (${k.prf})` : ''}, ${k.iterations}` : 'PKCS#12 (PBES2, AES)';
  $('cert-card').hidden = false;
}

async function unlock() {
  if (!state.npki && !state.pfx) throw new ClientError('NPKI_FILE_MISSING', t('chooseFirst'));
  if (!$('password').value) throw new Error(t('passwordFirst'));
  if (state.npki) return state.npki.unlock($('password').value);
  const signer = await NpkiCertificate.fromPfx(state.pfx, $('password').value);
  state.pfxInfo = describeCertificate(signer.certificate);
  showCard();
  return signer;
}

async function checkPassword() {
  const signer = await unlock();
  say('ok', t('unlocked')(Boolean(signer.randomNum), signer.scheme));
  signer.forget();
}

async function register() {
  const signer = await unlock();
  const r = await api().signUp(signer, { ...($('idn').value ? { idn: $('idn').value } : {}), ...($('email').value ? { email: $('email').value } : {}) });
  signer.forget();
  if (r.account) state.account = r.account;
  await refreshList();
  say('ok', t('registered'));
}

async function login() {
  const signer = await unlock();
  const s = await api().logIn(signer);
  signer.forget();
  state.account = s.account;
  await refreshList();
  say('ok', t('loggedIn'));
}

async function logout() {
  await api().logout();
  state.account = null;
  $('account').hidden = true;
  $('verify').hidden = true;
  say('ok', t('loggedOut'));
}

// ------------------------------------------------------------------ 3. certificates

async function refreshList() {
  renderCertificates(await api().listCertificates());
}

function renderCertificates(list) {
  state.lastList = list;
  $('account').hidden = false;
  $('verify').hidden = false;
  $('account-id').textContent = state.account?.email ?? state.account?.id ?? '';
  const rows = list.map((c) =>
    el('tr', { 'data-id': c.id },
      el('td', {}, /CN=([^,]+)/.exec(c.subject)?.[1] ?? c.subject, el('br'), el('small', {}, `${c.ca ?? ''} · ${c.serialHex}`)),
      el('td', {}, c.typeLabel ?? c.type ?? '—'),
      el('td', { class: `nowrap status-${c.status}` }, t(`status_${c.status}`) ?? c.status),
      el('td', { class: 'nowrap' }, fmtDate(c.notAfter)),
      el('td', { class: c.daysLeft < 30 ? 'nowrap soon' : 'nowrap' }, t('days')(c.daysLeft)),
      el('td', { class: 'actions' },
        c.status === 'active' ? el('button', { type: 'button', class: 'secondary replace', onclick: (ev) => act(ev.currentTarget, () => replace(c.id)) }, t('replace')) : null,
        c.status === 'active' ? el('button', { type: 'button', class: 'danger delete', onclick: (ev) => act(ev.currentTarget, () => remove(c.id)) }, t('remove')) : null),
    ));
  $('certificates').tBodies[0].replaceChildren(...rows);
}

async function replace(id) {
  const signer = await unlock();
  await api().replaceWith(id, signer, $('idn').value ? { idn: $('idn').value } : {});
  signer.forget();
  await refreshList();
  say('ok', t('replaced'));
}

async function remove(id) {
  if (!confirm(t('confirmDelete'))) return;
  await api().deleteCertificate(id);
  await refreshList();
  say('ok', t('deleted'));
}

// ------------------------------------------------------------------ 4. documents

async function signAndVerify() {
  const signer = await unlock();
  const cms = await signer.sign(utf8($('document').value));
  signer.forget();
  renderReport(await api().verifyDocument(cms));
  say('ok', t('verified'));
}

function renderReport(r) {
  state.report = r;
  const s = r.signers[0];
  const parts = [
    el('p', {}, el('span', { class: `verdict ${r.verdict}` }, t(`verdict_${r.verdict}`)), ' ', r.reasons.join(', ')),
  ];
  if (s) {
    parts.push(
      el('h3', {}, t('reportSigner')),
      el('p', {}, s.certificate?.subject ?? '—', el('br'), `${t('signingTime')}: ${fmtTime(s.signingTime)} · ${s.digestAlgorithm ?? ''} · ${s.signatureAlgorithm ?? ''}`),
      el('h3', {}, t('reportChain')),
      el('ol', { class: 'chain' }, ...s.path.map((c) => el('li', {}, `${c.subject} — ${fmtDate(c.notBefore)} ~ ${fmtDate(c.notAfter)}`))),
      el('h3', {}, t('reportChecks')),
      el('table', { class: 'checks' }, el('tbody', {}, ...s.checks.map((c) =>
        el('tr', {}, el('td', { class: c.ok ? 'ok-mark' : 'fail-mark' }, c.ok ? '✓' : '✗'), el('td', {}, c.check), el('td', {}, c.cert === undefined ? '' : `#${c.cert}`), el('td', {}, [c.reason, c.detail].filter(Boolean).join(' — ')))))),
      el('h3', {}, t('reportRevocation')),
      el('table', { class: 'revocation' },
        el('thead', {}, el('tr', {}, el('th', {}, t('subject')), el('th', {}, t('status')), el('th', {}, t('source')), el('th', {}, t('thisUpdate')), el('th', {}, t('nextUpdate')))),
        el('tbody', {}, ...s.revocation.map((c) =>
          el('tr', {}, el('td', {}, c.subject), el('td', {}, c.status + (c.unknownReason ? ` (${c.unknownReason})` : '')), el('td', {}, `${c.source ?? '—'} ${c.url ?? ''}${c.cached ? ` (${t('cached')})` : ''}`), el('td', {}, fmtTime(c.thisUpdate)), el('td', {}, fmtTime(c.nextUpdate)))))),
    );
  }
  $('report').replaceChildren(...parts);
  $('report').hidden = false;
}

// ------------------------------------------------------------------ wiring

$('api-url').value = params.get('api') ?? `${location.protocol}//${location.hostname}:3000`;
$('lang-ko').addEventListener('click', () => ((lang = 'ko'), applyLanguage()));
$('lang-en').addEventListener('click', () => ((lang = 'en'), applyLanguage()));
$('issue-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  void act($('issue-button'), issue);
});
$('use-issued').addEventListener('click', (ev) => act(ev.currentTarget, () => choose(issuedFiles(), state.chainPem)));
$('revoke-issued').addEventListener('click', (ev) => act(ev.currentTarget, revokeIssued));
$('npki-files').addEventListener('change', (ev) => act(ev.currentTarget, () => choose([...ev.currentTarget.files])));
const drop = $('drop');
drop.addEventListener('dragover', (ev) => (ev.preventDefault(), drop.classList.add('over')));
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (ev) => {
  ev.preventDefault();
  drop.classList.remove('over');
  void act($('npki-files'), () => choose([...ev.dataTransfer.files]));
});
$('check-password').addEventListener('click', (ev) => act(ev.currentTarget, checkPassword));
$('register').addEventListener('click', (ev) => act(ev.currentTarget, register));
$('login').addEventListener('click', (ev) => act(ev.currentTarget, login));
$('logout').addEventListener('click', (ev) => act(ev.currentTarget, logout));
$('sign-verify').addEventListener('click', (ev) => act(ev.currentTarget, signAndVerify));
$('transfer-send').addEventListener('click', (ev) => act(ev.currentTarget, sendToDevice));
$('transfer-receive').addEventListener('click', (ev) => act(ev.currentTarget, receiveFromDevice));
applyLanguage();
document.body.dataset.ready = 'true';
