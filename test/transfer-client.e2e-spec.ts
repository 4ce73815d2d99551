/**
 * The client halves of device transfer (libs/client/src/transfer) in Node,
 * through the real REST API of the whole system (test/support/system.ts):
 * a "PC" signed in with a dev-CA certificate sends its NPKI files; a "phone"
 * with no session receives them with the 16-digit code, byte for byte, and
 * logs in with them — the relay only ever held a sealed envelope.
 */
import { createHash } from 'node:crypto';
import { decryptSignPriKey } from '@jointcert/pki';
import { ApiError, cancelTransfer, receiveTransfer, sendTransfer, TransferDecryptError, transferStatus, type RelayEndpoint, type TransferFile } from '@jointcert/client';
import type { SessionTokens, TotpEnrolment } from '@jointcert/contracts';
import { totpCode } from '../apps/registry/src/security/otp';
import { signWithNode, startSystem, type Holder, type System } from './support/system';

const PASSWORD = 'dev-password-1';

let sys: System;
let endpoint: RelayEndpoint;
let pc: { holder: Holder; accountId: string; token: string; files: TransferFile[] };

async function dumpRedis(): Promise<string> {
  const parts: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await sys.redis.scan(cursor, 'MATCH', `${sys.config.REDIS_PREFIX}*`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) parts.push(key, (await sys.redis.type(key)) === 'string' ? ((await sys.redis.get(key)) ?? '') : '');
  } while (cursor !== '0');
  return parts.join('\n');
}

beforeAll(async () => {
  sys = await startSystem({ name: 'transfer-client' });
  endpoint = { baseUrl: sys.url };
  const holder = await sys.issue({ name: '홍길동', idn: '8001011234567', password: PASSWORD });
  const c = await sys.challenge();
  const up = await sys.api<{ account: { id: string }; session: SessionTokens }>('POST', '/v1/certificates', {
    body: { challengeId: c.challengeId, signedData: signWithNode(holder, Buffer.from(c.nonce, 'base64')) },
  });
  expect(up.status).toBe(201);
  pc = {
    holder,
    accountId: up.body.account.id,
    token: up.body.session.accessToken,
    // the NPKI folder's two files, exactly as the dev CA wrote them
    files: [
      { name: 'signCert.der', data: new Uint8Array(Buffer.from(holder.issued.certificate, 'base64')) },
      { name: 'signPri.key', data: new Uint8Array(Buffer.from(holder.issued.signPriKey, 'base64')) },
    ],
  };
});

afterAll(async () => {
  await sys?.close();
});

describe('device transfer with @jointcert/client in Node', () => {
  it('PC → phone: the files arrive byte-identical, the relay held no plaintext and no code, and the phone logs in with them', async () => {
    const sent = await sendTransfer(endpoint, pc.token, pc.files);
    expect(sent.code.display).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    expect(await transferStatus(endpoint, pc.token)).toEqual({ transferId: sent.transferId, expiresAt: sent.expiresAt });

    // while it waits: nothing in Redis is the code, either half of it, or any recognisable piece of the files
    const redis = await dumpRedis();
    expect(redis).toContain(sent.transferId);
    for (const secret of [sent.code.digits, sent.code.address, sent.code.digits.slice(8)]) expect(redis).not.toContain(secret);
    for (const f of pc.files) {
      const data = Buffer.from(f.data);
      for (const piece of [data.subarray(0, 48), data.subarray(500, 548), data.subarray(-48)]) {
        expect(redis).not.toContain(piece.toString('base64').slice(4, 40));
        expect(redis).not.toContain(piece.toString('hex').slice(0, 40));
      }
    }
    expect(redis).not.toContain('홍길동');

    // the phone types the code as shown (spaces and all)
    const received = await receiveTransfer(endpoint, sent.code.display);
    expect(received.map((f) => f.name)).toEqual(['signCert.der', 'signPri.key']);
    received.forEach((f, i) => expect(Buffer.from(f.data).equals(Buffer.from(pc.files[i]!.data))).toBe(true));

    // the phone needs the certificate password to sign, not to receive; then it is an ordinary login
    const key = decryptSignPriKey(received[1]!.data, PASSWORD);
    const c = await sys.challenge();
    const login = await sys.api<SessionTokens>('POST', '/v1/sessions', {
      body: { challengeId: c.challengeId, signedData: signWithNode({ der: Buffer.from(received[0]!.data), key: key.privateKey }, Buffer.from(c.nonce, 'base64')) },
    });
    expect(login.status).toBe(201);
    expect(login.body.account.id).toBe(pc.accountId);
    // the PC, polling, learns that it was taken
    expect(await transferStatus(endpoint, pc.token)).toBeNull();

    // taken once: the same code again is the relay's 404
    const again = await receiveTransfer(endpoint, sent.code).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ApiError);
    expect(again).toMatchObject({ status: 404, code: 'TRANSFER_NOT_FOUND' });
  });

  it('a ciphertext altered on the way fails the AEAD check on the phone with a clear message', async () => {
    const sent = await sendTransfer(endpoint, pc.token, pc.files);
    // a meddling relay (or proxy): one bit of the ciphertext flipped in the claim's answer
    const meddling: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const body = (await res.json()) as { ciphertext: string };
      const bytes = Buffer.from(body.ciphertext, 'base64');
      bytes[bytes.length >> 1]! ^= 0x04;
      return new Response(JSON.stringify({ ...body, ciphertext: bytes.toString('base64') }), { status: res.status, headers: res.headers });
    };
    const err = await receiveTransfer({ ...endpoint, fetch: meddling }, sent.code).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransferDecryptError);
    expect((err as Error).message).toBe(
      'the transfer could not be opened: the code does not match, or the data was altered on the way (AES-GCM authentication failed). ' +
        'Nothing was saved; check the 16 digits, or send the certificate again for a new code.',
    );
  });

  it('a mistyped code: the address half matches nothing → ApiError 404 with the relay’s detail; the transfer waits for the right one', async () => {
    const sent = await sendTransfer(endpoint, pc.token, pc.files);
    const typo = `${String((Number(sent.code.digits[0]) + 1) % 10)}${sent.code.digits.slice(1)}`;
    const err = await receiveTransfer(endpoint, typo).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ApiError', status: 404, code: 'TRANSFER_NOT_FOUND', message: expect.stringMatching(/check the digits/) });
    expect((await receiveTransfer(endpoint, sent.code)).map((f) => f.name)).toEqual(['signCert.der', 'signPri.key']);
  });

  it('the sender withdraws a waiting transfer: the phone then hears 404', async () => {
    const sent = await sendTransfer(endpoint, pc.token, pc.files);
    await cancelTransfer(endpoint, pc.token);
    expect(await transferStatus(endpoint, pc.token)).toBeNull();
    await expect(receiveTransfer(endpoint, sent.code)).rejects.toMatchObject({ status: 404, code: 'TRANSFER_NOT_FOUND' });
  });

  it('a code whose address is already live (409 TRANSFER_ADDRESS_IN_USE) is replaced by a new one before anyone sees it', async () => {
    const first = await sendTransfer(endpoint, pc.token, pc.files);
    const taken = createHash('sha256').update(first.code.address).digest('hex');
    const sentHashes: string[] = [];
    // the first create is steered onto the live address: a real collision, answered by the real relay
    const colliding: typeof fetch = (input, init) => {
      if (typeof input === 'string' && input.endsWith('/v1/transfers') && init?.method === 'POST' && typeof init.body === 'string') {
        const body = JSON.parse(init.body) as { addressHash: string };
        if (sentHashes.length === 0) body.addressHash = taken;
        sentHashes.push(body.addressHash);
        return fetch(input, { ...init, body: JSON.stringify(body) });
      }
      return fetch(input, init);
    };
    const second = await sendTransfer({ ...endpoint, fetch: colliding }, pc.token, pc.files);
    expect(sentHashes).toHaveLength(2);
    expect(sentHashes[1]).toBe(createHash('sha256').update(second.code.address).digest('hex'));
    expect(second.code.digits).not.toBe(first.code.digits);
    expect((await receiveTransfer(endpoint, second.code)).map((f) => f.name)).toEqual(['signCert.der', 'signPri.key']);
  });

  it('with a second factor enrolled, sending needs a fresh code: none → TOTP_REQUIRED, with one the transfer is made', async () => {
    const holder = await sys.issue({ name: '이순신', idn: '8001011234568', password: PASSWORD });
    const c = await sys.challenge();
    const up = await sys.api<{ session: SessionTokens }>('POST', '/v1/certificates', { body: { challengeId: c.challengeId, signedData: signWithNode(holder, Buffer.from(c.nonce, 'base64')) } });
    const token = up.body.session.accessToken;
    const step = () => {
      sys.clock.offsetMs += 30_000;
      return Math.floor(sys.clock.now() / 1000);
    };
    const started = await sys.api<TotpEnrolment>('POST', '/v1/accounts/me/totp', { token });
    expect((await sys.api('POST', '/v1/accounts/me/totp/confirm', { token, body: { code: totpCode(started.body.secret, step()) } })).status).toBe(200);
    const refused = await sendTransfer(endpoint, token, pc.files).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).code).toBe('TOTP_REQUIRED');
    const sent = await sendTransfer(endpoint, token, pc.files, totpCode(started.body.secret, step()));
    expect((await receiveTransfer(endpoint, sent.code)).map((f) => f.name)).toEqual(['signCert.der', 'signPri.key']);
  });
});
