/**
 * The store's writes as Lua scripts, so that each is atomic (two history replicas may write the
 * same chat) and costs one round trip. Keys are built by the store (store.ts has the layout);
 * the private script builds its bucket key itself, because the position it allocates decides
 * the bucket. That, and keys of several chats in one script, mean the store wants a single
 * Redis (or a primary with replicas), not Redis Cluster.
 */
import type { Redis } from '@cqfleet/runtime';
import type { Result } from 'ioredis';

/**
 * The store's message count (`<ns>:h:count`): what the console shows, kept by the scripts that
 * add and drop records, so that nobody has to scan the keyspace to know it. Kept only once it
 * exists: a store written before there was a count (or whose count was lost) is counted by one
 * scan that sets it (history's size-report.ts); until then the scripts leave it absent, so the
 * scan's total is not added to twice.
 */
const countAdd = (key: string) => `
if added ~= 0 and redis.call('EXISTS', ${key}) == 1 then redis.call('INCRBY', ${key}, added) end
`;

/**
 * The most locations one account's chats may hold under one id. An upstream picks its own ids
 * (store.ts, Trust), so one id may be its message in many chats, or the same id sent with a
 * thousand seqs: unbounded, the entry would grow with every such message (each write copying
 * it) and every get_msg of that id would split all of it. Legitimately an id names one message
 * of a chat, and the same number in another account's id space; the locations an account's
 * chats hold under it stay few. Past the limit a message is still stored in its chat, only not
 * found by that id.
 */
export const MAX_LOCATIONS_PER_ACCOUNT = 8;

/**
 * Appends `loc` to the space-separated locations of `id` unless it is there already, or the
 * account whose chat it is (`u:<uin>:` or `p:<uin>:`) holds MAX_LOCATIONS_PER_ACCOUNT there.
 */
const ADD_LOCATION = `
local function add_location(index, id, loc)
  local cur = redis.call('HGET', index, id)
  if not cur then
    redis.call('HSET', index, id, loc)
    return
  end
  local padded = ' ' .. cur .. ' '
  if string.find(padded, ' ' .. loc .. ' ', 1, true) then return end
  local uin = string.match(loc, '^[up]:(%-?%d+):')
  if uin then
    local held = 0
    for _, kind in ipairs({'u', 'p'}) do
      local owner, from = ' ' .. kind .. ':' .. uin .. ':', 1
      while true do
        local at = string.find(padded, owner, from, true)
        if not at then break end
        held = held + 1
        if held >= ${MAX_LOCATIONS_PER_ACCOUNT} then return end
        from = at + 1
      end
    end
  end
  redis.call('HSET', index, id, cur .. ' ' .. loc)
end
-- A chat's buckets are counted (bucket counts: chat -> n) from its first message on, so that
-- retention knows when it drops the last one (DROP_BUCKET). A chat written before there were
-- counts (it has a lower bound and no count) is not counted: its count would be short.
local function count_bucket(nb_key, lo_key, chat)
  if redis.call('HEXISTS', nb_key, chat) == 1 or redis.call('HEXISTS', lo_key, chat) == 0 then
    redis.call('HINCRBY', nb_key, chat, 1)
  end
end
local function lower_bound(lo_key, chat, bucket)
  local lo = tonumber(redis.call('HGET', lo_key, chat) or '-1')
  if lo < 0 or bucket < lo then
    redis.call('HSET', lo_key, chat, bucket)
    lo = bucket
  end
  return lo
end
`;

/**
 * What of a shared group an account may read: the seqs it received itself. A shared record is
 * written once for every account in the group, so "the group is open to the account" (`ag:`)
 * would also open what was said before it joined and after it left, received only by other
 * tenants' accounts. `av:<self>` keeps, per group, the runs of consecutive seqs the account
 * received: field `<group>` the newest run ("lo hi", the only one a message in order touches),
 * field `<group>~` the older ones ("lo hi lo hi …", ascending), at most MAX_SEQ_WINDOWS runs in
 * all (the oldest go first: what falls out is only no longer readable to that account). A
 * member receives every message of its group, so a gap between two seqs an account received
 * is what it was not there for, or a seq that was no message (a gift, a grey tip), which costs
 * a run and hides nothing. Seqs may be stored out of order (two history replicas, a
 * redelivery): a seq joins or bridges the runs beside it. A group without runs (stored before
 * there were any) reads as before: all of it; the account's first message there since starts
 * its runs from the first seq (LEGACY_FIRST_SEQ), so what it read before stays readable.
 */
export const MAX_SEQ_WINDOWS = 256;

/**
 * Where the first run of an account starts that had a group before there were runs: it read
 * all of the group then, and keeps reading what was stored up to its first message since.
 */
const LEGACY_FIRST_SEQ = -Number.MAX_SAFE_INTEGER;

const SEQ_WINDOWS = `
local function runs_of(text, into)
  for n in string.gmatch(text, '%-?%d+') do into[#into + 1] = tonumber(n) end
  return into
end
-- Every run of the account in the group, ascending; nil when none is kept (read all).
local function windows_of(vis, group)
  local cur = redis.call('HGET', vis, group)
  if not cur then return nil end
  local w = runs_of(redis.call('HGET', vis, group .. '~') or '', {})
  return runs_of(cur, w)
end
local function may_read(w, seq)
  if not w then return true end
  for i = 1, #w - 1, 2 do
    if seq >= w[i] and seq <= w[i + 1] then return true end
  end
  return false
end
-- may_read for one seq, reading the older runs only when the newest does not hold it.
local function may_read_one(vis, group, seq)
  local cur = redis.call('HGET', vis, group)
  if not cur then return true end
  local lo, hi = string.match(cur, '^(%-?%d+) (%-?%d+)$')
  if seq >= tonumber(lo) and seq <= tonumber(hi) then return true end
  if seq > tonumber(hi) then return false end
  return may_read(runs_of(redis.call('HGET', vis, group .. '~') or '', {}), seq)
end
-- opened_before: the group was the account's already (ag:) when this message came.
local function saw(vis, group, seq_text, opened_before)
  local seq = tonumber(seq_text)
  local cur = redis.call('HGET', vis, group)
  if not cur then
    -- An account that had the group before there were runs keeps what it read then.
    local from = opened_before and '${LEGACY_FIRST_SEQ}' or seq_text
    redis.call('HSET', vis, group, from .. ' ' .. seq_text)
    return
  end
  local lo_text, hi_text = string.match(cur, '^(%-?%d+) (%-?%d+)$')
  local lo, hi = tonumber(lo_text), tonumber(hi_text)
  if seq == hi + 1 then
    redis.call('HSET', vis, group, lo_text .. ' ' .. seq_text)
    return
  end
  if seq >= lo and seq <= hi then return end
  if seq > hi + 1 then
    -- A gap, in order (the common one: a seq that was no message, or a time away): the run so
    -- far joins the older ones, still ascending, and this seq starts the newest. No sort.
    local older = redis.call('HGET', vis, group .. '~')
    older = older and (older .. ' ' .. cur) or cur
    local _, spaces = string.gsub(older, ' ', ' ')
    for _ = 1, (spaces + 1) / 2 - ${MAX_SEQ_WINDOWS - 1} do
      older = (string.gsub(older, '^%-?%d+ %-?%d+ ', '', 1))
    end
    redis.call('HSET', vis, group .. '~', older)
    redis.call('HSET', vis, group, seq_text .. ' ' .. seq_text)
    return
  end
  local w = windows_of(vis, group)
  if may_read(w, seq) then return end
  -- Out of order: a run of its own, then runs that touch are joined.
  local runs = {{seq, seq}}
  for i = 1, #w - 1, 2 do runs[#runs + 1] = {w[i], w[i + 1]} end
  table.sort(runs, function(x, y) return x[1] < y[1] end)
  w = {runs[1][1], runs[1][2]}
  for i = 2, #runs do
    if runs[i][1] <= w[#w] + 1 then
      if runs[i][2] > w[#w] then w[#w] = runs[i][2] end
    else
      w[#w + 1] = runs[i][1]
      w[#w + 1] = runs[i][2]
    end
  end
  local first = math.max(1, #w - ${2 * MAX_SEQ_WINDOWS} + 1)
  local older = {}
  for i = first, #w - 2 do older[#older + 1] = string.format('%d', w[i]) end
  redis.call('HSET', vis, group, string.format('%d %d', w[#w - 1], w[#w]))
  if #older > 0 then redis.call('HSET', vis, group .. '~', table.concat(older, ' '))
  else redis.call('HDEL', vis, group .. '~') end
end
`;

/**
 * KEYS: bucket, account-groups, id index, group tops, lower bounds, ages, bucket counts,
 *       the account's seq windows (SEQ_WINDOWS; kept for a shared group, chat `g:…`, only)
 * ARGV: group, seq, record, id, location, bucket number, time (0: no age tracking), chat
 * Returns {highest seq of the group, lowest bucket of the group, 1 when the record is new}.
 */
const PUT_GROUP = `
local added = redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
if added == 1 and redis.call('HLEN', KEYS[1]) == 1 then count_bucket(KEYS[7], KEYS[5], ARGV[8]) end
local opened = redis.call('SADD', KEYS[2], ARGV[1])
if string.sub(ARGV[8], 1, 2) == 'g:' then saw(KEYS[8], ARGV[1], ARGV[2], opened == 0) end
add_location(KEYS[3], ARGV[4], ARGV[5])
local seq = tonumber(ARGV[2])
local top = tonumber(redis.call('HGET', KEYS[4], ARGV[1]) or '0')
if seq > top then
  redis.call('HSET', KEYS[4], ARGV[1], ARGV[2])
  top = seq
end
local lo = lower_bound(KEYS[5], ARGV[8], tonumber(ARGV[6]))
if ARGV[7] ~= '0' then redis.call('ZADD', KEYS[6], 'GT', ARGV[7], KEYS[1]) end
return {top, lo, added}
`;

/**
 * KEYS: positions of the account's chats, id index, lower bounds, ages, index of the derived id,
 *       bucket counts
 * ARGV: peer, id, record, time (0: no age tracking), chat, bucket key prefix, bucket size,
 *       derived id ('' when the id is the derived one)
 * A message already stored in this chat (a redelivery) is not stored again. A message whose id
 * is an upstream's own is also indexed under the id derived from sender and seq, by which
 * get_friend_msg_history finds a seq's position. Returns {highest position of the chat, lowest
 * bucket of the chat, 1 when the message was stored}.
 */
const PUT_PRIVATE = `
local chat = ARGV[5]
local cur = redis.call('HGET', KEYS[2], ARGV[2])
local top = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if cur and string.find(' ' .. cur, ' ' .. chat .. ':', 1, true) then
  return {top, tonumber(redis.call('HGET', KEYS[3], chat) or '0'), 0}
end
local pos = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
local bucket = math.floor(pos / tonumber(ARGV[7]))
local key = ARGV[6] .. bucket
if redis.call('HSET', key, pos, ARGV[3]) == 1 and redis.call('HLEN', key) == 1 then
  count_bucket(KEYS[6], KEYS[3], chat)
end
add_location(KEYS[2], ARGV[2], chat .. ':' .. pos)
if ARGV[8] ~= '' then add_location(KEYS[5], ARGV[8], chat .. ':' .. pos) end
local lo = lower_bound(KEYS[3], chat, bucket)
if ARGV[4] ~= '0' then redis.call('ZADD', KEYS[4], 'GT', ARGV[4], key) end
return {pos, lo, 1}
`;

/**
 * Several messages in one script call (store.ts sends PUT_CHUNK at a time): KEYS[1] is the
 * message count (countAdd above); then per message, ARGV holds 'g' or 'p' and then the 8 arguments
 * of PUT_GROUP or PUT_PRIVATE, and KEYS holds its 8 or 6 keys, in the same order; or, for
 * another account's copy of a shared group message written earlier in the same call, ARGV
 * holds 'm', the group and the seq, KEYS the account's groups and seq windows (its only part
 * of the write: the group opens to it, at that seq). Returns {top, lo} of every 'g' and 'p', flattened. One call per
 * chunk instead of one per message: the per-command cost in ioredis and Redis was most of
 * history's CPU per event (bench/README.md); a chunk stays short enough not to hold Redis.
 */
const PUT_MANY = `${ADD_LOCATION}${SEQ_WINDOWS}
local function put_group(KEYS, ARGV)
${PUT_GROUP}
end
local function put_private(KEYS, ARGV)
${PUT_PRIVATE}
end
local out, k, a, added = {}, 2, 1, 0
while a <= #ARGV do
  if ARGV[a] == 'm' then
    local opened = redis.call('SADD', KEYS[k], ARGV[a + 1])
    saw(KEYS[k + 1], ARGV[a + 1], ARGV[a + 2], opened == 0)
    k = k + 2
    a = a + 3
  else
    local group = ARGV[a] == 'g'
    local nk = group and 8 or 6
    local keys, argv = {}, {}
    for j = 1, nk do keys[j] = KEYS[k + j - 1] end
    for j = 1, 8 do argv[j] = ARGV[a + j] end
    k = k + nk
    a = a + 9
    local r
    if group then r = put_group(keys, argv) else r = put_private(keys, argv) end
    out[#out + 1] = r[1]
    out[#out + 1] = r[2]
    added = added + r[3]
  end
end
${countAdd('KEYS[1]')}
return out
`;

/**
 * Drops one bucket, all in one step (retention.ts reads the bucket first, to know the ids its
 * records are indexed under: Lua cannot inflate a deflated record).
 * KEYS: the bucket, the message count, ages, lower bounds, bucket counts, the chat's tops
 *       (`gt`, `ut:<self>` or `pc:<self>`), the upstream account's groups (`ug:<self>`; for other
 *       chats any key, unused), then one id-index key per (id, location) pair of ARGV
 * ARGV: chat, bucket number, the number of records the caller read, the chat's field in its tops
 *       (group or peer; '' for none), '1' when the chat is an upstream's group, the age cutoff
 *       ('' for none), then id, location pairs
 * Returns -1, doing nothing, when the bucket no longer holds as many records as the caller read
 * (a message was written into it since: the caller reads it again, so that no index entry
 * outlives its record); -2, doing nothing, when a cutoff is given and the bucket's newest
 * message is no longer older than it (a message just written into an old bucket is kept);
 * otherwise the number of records dropped.
 *
 * The bucket goes with its index entries and its records' share of the count. When it was its
 * chat's last counted bucket, the chat goes too: its count, lower bound, top (the next private
 * message starts at position 1 again: nothing of the chat is left that a position could name)
 * and, for an upstream's group, the group in `ug:<self>`. Otherwise the chat's lower bound is
 * raised past the bucket (never created: the chat of a bucket dropped twice may be gone).
 * Against a concurrent put: both are scripts, so a put runs wholly before (its record is in
 * this bucket — then the count differs and nothing is done — or in another bucket, which keeps
 * the chat counted) or wholly after (it starts the chat again from nothing).
 * Shared groups' `ag:<self>` entries stay: which accounts opened a group is not recorded per
 * group, and only cqfleet's own drivers write shared groups (an upstream's are `ug`).
 */
const DROP_BUCKET = `
local function remove_location(index, id, loc)
  local cur = redis.call('HGET', index, id)
  if not cur then return end
  local kept = {}
  for l in string.gmatch(cur, '%S+') do
    if l ~= loc then table.insert(kept, l) end
  end
  if #kept == 0 then redis.call('HDEL', index, id)
  else redis.call('HSET', index, id, table.concat(kept, ' ')) end
end
local n = redis.call('HLEN', KEYS[1])
if n ~= tonumber(ARGV[3]) then return -1 end
if ARGV[6] ~= '' then
  local age = redis.call('ZSCORE', KEYS[3], KEYS[1])
  if age and tonumber(age) >= tonumber(ARGV[6]) then return -2 end
end
for j = 1, #KEYS - 7 do remove_location(KEYS[7 + j], ARGV[5 + 2 * j], ARGV[6 + 2 * j]) end
local chat, added, left = ARGV[1], -n, 1
if n > 0 then
  redis.call('DEL', KEYS[1])
  ${countAdd('KEYS[2]')}
  if redis.call('HEXISTS', KEYS[5], chat) == 1 then left = redis.call('HINCRBY', KEYS[5], chat, -1) end
end
redis.call('ZREM', KEYS[3], KEYS[1])
if left <= 0 then
  redis.call('HDEL', KEYS[5], chat)
  redis.call('HDEL', KEYS[4], chat)
  if ARGV[4] ~= '' then redis.call('HDEL', KEYS[6], ARGV[4]) end
  if ARGV[5] == '1' then redis.call('SREM', KEYS[7], ARGV[4]) end
else
  local lo = tonumber(redis.call('HGET', KEYS[4], chat) or '-1')
  local above = tonumber(ARGV[2]) + 1
  if lo >= 0 and lo < above then redis.call('HSET', KEYS[4], chat, above) end
end
return n
`;

/**
 * KEYS: id index, the reader's groups, the reader's seq windows; ARGV: id, reader, key prefix,
 * bucket size.
 * Returns {record, group id (0 for a private record)} of the last-stored location the reader may
 * read — a shared group record at a seq it received (SEQ_WINDOWS), or a record of its own (an
 * upstream account's group record, a private one) — or nil: one round trip for get_msg.
 */
const GET_MESSAGE = `${SEQ_WINDOWS}
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return nil end
local locs = {}
for loc in string.gmatch(cur, '%S+') do table.insert(locs, loc) end
local size = tonumber(ARGV[4])
for i = #locs, 1, -1 do
  local kind, a, b, c = string.match(locs[i], '^(%a):(%d+):(%d+):?(%d*)$')
  if kind == 'g' and c == '' and redis.call('SISMEMBER', KEYS[2], a) == 1
    and may_read_one(KEYS[3], a, tonumber(b)) then
    local rec = redis.call('HGET', ARGV[3] .. 'g:' .. a .. ':' .. math.floor(tonumber(b) / size), b)
    if rec then return {rec, a} end
  elseif (kind == 'p' or kind == 'u') and c ~= '' and a == ARGV[2] then
    local rec = redis.call('HGET', ARGV[3] .. kind .. ':' .. a .. ':' .. b .. ':' .. math.floor(tonumber(c) / size), c)
    if rec then
      if kind == 'u' then return {rec, b} end
      return {rec, '0'}
    end
  end
end
return nil
`;

/**
 * KEYS: the reader's own groups (upstream account), its own group tops, the reader's shared
 * groups, shared group tops, the reader's seq windows; ARGV: group, seq (0: latest), page size,
 * key prefix, bucket size, reader. Reads the reader's own records of the group when it has
 * any, else the shared ones at the seqs it received (SEQ_WINDOWS; the newest of them is its
 * highest). Returns the records of seq-page+1 .. seq that exist, oldest first (empty when the
 * reader has no messages in the group; nil when seq is past the highest): one round trip for
 * get_group_msg_history.
 */
const GROUP_PAGE = `${SEQ_WINDOWS}
local tops, chat, w
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then
  tops, chat = KEYS[2], ARGV[4] .. 'u:' .. ARGV[6] .. ':' .. ARGV[1] .. ':'
elseif redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1 then
  tops, chat = KEYS[4], ARGV[4] .. 'g:' .. ARGV[1] .. ':'
  w = windows_of(KEYS[5], ARGV[1])
else
  return {}
end
local highest = tonumber(redis.call('HGET', tops, ARGV[1]) or '0')
if w and #w >= 2 and w[#w] < highest then highest = w[#w] end
local top = tonumber(ARGV[2])
if top <= 0 then top = highest elseif top > highest then return nil end
local out = {}
local size = tonumber(ARGV[5])
for seq = math.max(1, top - tonumber(ARGV[3]) + 1), top do
  if may_read(w, seq) then
    local rec = redis.call('HGET', chat .. math.floor(seq / size), seq)
    if rec then table.insert(out, rec) end
  end
end
return out
`;

/**
 * The forwards of an upstream account (`fu:<self>:<resid>`) kept at once: resids are the
 * tenant's choice (get_forward_msg) and the nodes the upstream's word, so without a count the
 * account could fill Redis for the age retention's 30 days (or for ever without it).
 */
export const MAX_FORWARDS_PER_ACCOUNT = 128;

/**
 * Stores an upstream account's forward and indexes it; past MAX_FORWARDS_PER_ACCOUNT the
 * oldest go (their records and index entries). KEYS: the forward's key, the account's forward
 * index (sorted set key → when stored). ARGV: record, ttl in s (0: none), now (ms), the cap.
 */
const PUT_OWN_FORWARD = `
if ARGV[2] ~= '0' then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
else redis.call('SET', KEYS[1], ARGV[1]) end
redis.call('ZADD', KEYS[2], ARGV[3], KEYS[1])
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if over > 0 then
  for _, key in ipairs(redis.call('ZRANGE', KEYS[2], 0, over - 1)) do redis.call('DEL', key) end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, over - 1)
end
if ARGV[2] ~= '0' then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
return over
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    historyPutMany(
      numberOfKeys: number,
      ...args: Array<string | number | Buffer>
    ): Result<number[], Context>;
    historyPutOwnForward(
      forwardKey: string,
      index: string,
      record: Buffer,
      ttlS: number,
      now: number,
      cap: number,
    ): Result<number, Context>;
    historyDropBucket(
      numberOfKeys: number,
      ...args: Array<string | number>
    ): Result<number, Context>;
    historyGetMessageBuffer(
      ...args: Array<string | number>
    ): Result<[Buffer, Buffer] | null, Context>;
    historyGroupPageBuffer(...args: Array<string | number>): Result<Buffer[] | null, Context>;
  }
}

/** Registers the scripts on a connection (ioredis sends EVALSHA, and the body when missing). */
export function defineScripts(redis: Redis): void {
  redis.defineCommand('historyPutMany', { lua: PUT_MANY });
  redis.defineCommand('historyDropBucket', { lua: DROP_BUCKET });
  redis.defineCommand('historyPutOwnForward', { numberOfKeys: 2, lua: PUT_OWN_FORWARD });
  redis.defineCommand('historyGetMessage', { numberOfKeys: 3, lua: GET_MESSAGE });
  redis.defineCommand('historyGroupPage', { numberOfKeys: 5, lua: GROUP_PAGE });
}
