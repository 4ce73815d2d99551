import { createHash, createHmac, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { AppConfig } from '@jointcert/common';
import type { TransferEnvelope } from '@jointcert/contracts';
import { CONFIG, CLOCK, type Clock } from '@jointcert/common';
import { clientBucket } from './client-bucket';

/** What Redis holds for a live transfer: the sealed envelope and who sent it — never the code, never plaintext. */
export interface StoredTransfer extends TransferEnvelope {
  transferId: string;
  accountId: string;
  expiresAt: number;
}

/** Which budget of failed claims is spent. */
export type ClaimLimit = 'ip' | 'global';

export type CreateOutcome =
  | { kind: 'created'; transferId: string; expiresAt: number; replaced: string | null }
  | { kind: 'address-in-use'; failures: FailureCounts }
  | { kind: 'limited'; limit: ClaimLimit; retryAfterMs: number };

export type ClaimOutcome =
  | { kind: 'claimed'; transfer: StoredTransfer }
  | { kind: 'miss'; expired: boolean; failures: FailureCounts }
  | { kind: 'limited'; limit: ClaimLimit; retryAfterMs: number };

export interface FailureCounts {
  ip: number;
  global: number;
}

/**
 * Shared by both scripts: refuse when either failure budget of the current
 * window is spent (KEYS[1] per client address, KEYS[2] all clients), and a
 * helper that counts one failure in both. Failures only are counted, and the
 * check comes before any lookup, so a client over its budget learns nothing
 * more — not even from the right address.
 */
const BUDGET_LUA = `
local function spent(key, limit)
  return tonumber(redis.call('GET', key) or '0') >= limit
end
local function fail(windowMs)
  local ip = redis.call('INCR', KEYS[1])
  redis.call('PEXPIRE', KEYS[1], windowMs * 2)
  local all = redis.call('INCR', KEYS[2])
  redis.call('PEXPIRE', KEYS[2], windowMs * 2)
  return {ip, all}
end
`;

/**
 * Claim: KEYS = [ipFailures, globalFailures, addressKey];
 * ARGV = [ipLimit, globalLimit, windowMs, retryAfterMs, nowMs].
 * Reads and deletes the transfer in one step: the first claim takes it, any
 * other finds nothing. (The sender's account slot may keep pointing at the
 * deleted key until it expires; create treats a dangling slot as empty.)
 */
const CLAIM_LUA = `${BUDGET_LUA}
local ipLimit, globalLimit, windowMs, retryAfter, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
if spent(KEYS[1], ipLimit) then return {'limited', 'ip', retryAfter} end
if spent(KEYS[2], globalLimit) then return {'limited', 'global', retryAfter} end
local raw = redis.call('GET', KEYS[3])
if raw then
  redis.call('DEL', KEYS[3])
  local record = cjson.decode(raw)
  if tonumber(record.expiresAt) > now then return {'claimed', raw} end
  local counts = fail(windowMs)
  return {'expired', counts[1], counts[2]}
end
local counts = fail(windowMs)
return {'miss', counts[1], counts[2]}
`;

/**
 * Create: KEYS = [ipFailures, globalFailures, addressKey, accountSlotKey];
 * ARGV = [ipLimit, globalLimit, windowMs, retryAfterMs, record, ttlMs, accountId].
 * An address that is already live is refused and counted as a failed claim
 * (otherwise creating would be a free oracle for live addresses). The
 * account's previous live transfer, if any, is deleted: one per account.
 */
const CREATE_LUA = `${BUDGET_LUA}
local ipLimit, globalLimit, windowMs, retryAfter = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if spent(KEYS[1], ipLimit) then return {'limited', 'ip', retryAfter} end
if spent(KEYS[2], globalLimit) then return {'limited', 'global', retryAfter} end
if redis.call('EXISTS', KEYS[3]) == 1 then
  local counts = fail(windowMs)
  return {'in-use', counts[1], counts[2]}
end
local replaced = ''
local previous = redis.call('GET', KEYS[4])
if previous then
  local raw = redis.call('GET', previous)
  if raw then
    local record = cjson.decode(raw)
    if record.accountId == ARGV[7] then
      redis.call('DEL', previous)
      replaced = record.transferId
    end
  end
end
redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[6])
redis.call('SET', KEYS[4], KEYS[3], 'PX', ARGV[6])
return {'created', replaced}
`;

/**
 * The account's live transfer: KEYS = [accountSlotKey]; ARGV = [accountId, nowMs, cancel (0/1)].
 * Returns the stored JSON (and deletes it when cancelling), or false when
 * there is none: claimed, expired, cancelled or never made.
 */
const CURRENT_LUA = `
local address = redis.call('GET', KEYS[1])
if not address then return false end
local raw = redis.call('GET', address)
if not raw then return false end
local record = cjson.decode(raw)
if record.accountId ~= ARGV[1] or tonumber(record.expiresAt) <= tonumber(ARGV[2]) then return false end
if ARGV[3] == '1' then redis.call('DEL', address, KEYS[1]) end
return raw
`;

/** SHA-256 of the address digits, lowercase hex: what the sender sends as addressHash. */
export function addressHashOf(address: string): string {
  return createHash('sha256').update(address, 'ascii').digest('hex');
}

/**
 * Transfers in Redis, under REDIS_PREFIX:
 *   transfer:a:<HMAC(addressHash)> → the StoredTransfer (JSON), TTL = TRANSFER_TTL_S
 *   transfer:acct:<accountId>      → the address key of the account's live transfer
 *   transfer:fail:ip:<client>:<window>, transfer:fail:all:<window> → failed-claim counters
 *     (a client is an IPv4 address or an IPv6 /64: clientBucket)
 * The address itself is never stored: only an HMAC of its SHA-256 under a key
 * derived from IDENTITY_HMAC_KEY, so a copy of Redis does not even tell which
 * 8-digit addresses are live. Both operations are single Lua scripts, so
 * concurrent claims, creates and budget checks cannot interleave.
 */
@Injectable()
export class TransferStore {
  private readonly addressKey: Buffer;

  constructor(
    private readonly redis: Redis,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.addressKey = createHmac('sha256', config.IDENTITY_HMAC_KEY).update('jointcert transfer address v1').digest();
  }

  private get prefix(): string {
    return `${this.config.REDIS_PREFIX}transfer:`;
  }

  private keyOfAddressHash(addressHash: string): string {
    return `${this.prefix}a:${createHmac('sha256', this.addressKey).update(addressHash.toLowerCase()).digest('hex')}`;
  }

  /** The two failure counters of the current window, and the ms until it ends. */
  private budget(ip: string): { keys: [string, string]; windowMs: number; retryAfterMs: number } {
    const windowMs = this.config.TRANSFER_CLAIM_WINDOW_S * 1000;
    const now = this.clock.now();
    const window = Math.floor(now / windowMs);
    return {
      keys: [`${this.prefix}fail:ip:${clientBucket(ip)}:${window}`, `${this.prefix}fail:all:${window}`],
      windowMs,
      retryAfterMs: (window + 1) * windowMs - now,
    };
  }

  async create(input: { accountId: string; ip: string; addressHash: string } & TransferEnvelope): Promise<CreateOutcome> {
    const transferId = randomUUID();
    const ttlMs = this.config.TRANSFER_TTL_S * 1000;
    const expiresAt = this.clock.now() + ttlMs;
    const record: StoredTransfer = { transferId, accountId: input.accountId, ciphertext: input.ciphertext, salt: input.salt, nonce: input.nonce, expiresAt };
    const { keys, windowMs, retryAfterMs } = this.budget(input.ip);
    const reply = (await this.redis.eval(
      CREATE_LUA,
      4,
      ...keys,
      this.keyOfAddressHash(input.addressHash),
      `${this.prefix}acct:${input.accountId}`,
      this.config.TRANSFER_CLAIM_FAILURES_PER_IP,
      this.config.TRANSFER_CLAIM_FAILURES_GLOBAL,
      windowMs,
      retryAfterMs,
      JSON.stringify(record),
      ttlMs,
      input.accountId,
    )) as [string, string | number, number?];
    switch (reply[0]) {
      case 'created':
        return { kind: 'created', transferId, expiresAt, replaced: reply[1] === '' ? null : String(reply[1]) };
      case 'in-use':
        return { kind: 'address-in-use', failures: { ip: Number(reply[1]), global: Number(reply[2]) } };
      default:
        return limited(reply);
    }
  }

  /** The account's live transfer (status for the sending device), or null; `cancel` deletes it. */
  async current(accountId: string, cancel: boolean): Promise<StoredTransfer | null> {
    // the address key is read from the slot inside the script (a single Redis, not a cluster)
    const raw = (await this.redis.eval(CURRENT_LUA, 1, `${this.prefix}acct:${accountId}`, accountId, this.clock.now(), cancel ? '1' : '0')) as string | null;
    return raw === null ? null : (JSON.parse(raw) as StoredTransfer);
  }

  /** Take the transfer at `address`, exactly once; misses and expired ones are counted against both budgets. */
  async claim(input: { address: string; ip: string }): Promise<ClaimOutcome> {
    const { keys, windowMs, retryAfterMs } = this.budget(input.ip);
    const reply = (await this.redis.eval(
      CLAIM_LUA,
      3,
      ...keys,
      this.keyOfAddressHash(addressHashOf(input.address)),
      this.config.TRANSFER_CLAIM_FAILURES_PER_IP,
      this.config.TRANSFER_CLAIM_FAILURES_GLOBAL,
      windowMs,
      retryAfterMs,
      this.clock.now(),
    )) as [string, string | number, number?];
    switch (reply[0]) {
      case 'claimed':
        return { kind: 'claimed', transfer: JSON.parse(String(reply[1])) as StoredTransfer };
      case 'miss':
      case 'expired':
        return { kind: 'miss', expired: reply[0] === 'expired', failures: { ip: Number(reply[1]), global: Number(reply[2]) } };
      default:
        return limited(reply);
    }
  }
}

function limited(reply: [string, string | number, number?]): { kind: 'limited'; limit: ClaimLimit; retryAfterMs: number } {
  if (reply[0] !== 'limited') throw new Error(`unexpected transfer script reply ${String(reply[0])}`);
  return { kind: 'limited', limit: reply[1] === 'global' ? 'global' : 'ip', retryAfterMs: Number(reply[2]) };
}
