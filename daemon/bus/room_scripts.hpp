#pragma once

// The Lua scripts that change a shared room in Redis (redis_room.hpp says
// what each key holds). Every script gets the same KEYS, in this order:
//   1 stream  2 members  3 roster  4 names  5 daemons  6 history  7 seen
//   8 order (a counter: join order)  9 reaped (daemons taken for dead)
// A member is "DAEMON/CONNECTION"; its value in `members` is
// "NAME\nHOST\nJOIN-ENTRY-ID". Names, hosts and lines never hold a LF
// (the chat session removes control characters), and names are ASCII, so
// string.lower folds them as the daemons do.
//
// Stream entries' fields: k (j joined, r rejoined, l left, n renamed,
// s line, a action), d (daemon), m (connection), n (name), h (host),
// x (text: the line, the reason, the old name), o (members after a join or
// leave).

#include <string_view>

namespace netcook::bus::scripts {

inline constexpr int kKeys = 9;

// Shared by the scripts below: Redis's clock; a member's value taken
// apart; a member removed and its leave announced.
inline constexpr std::string_view kCommon = R"lua(
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function split(v)
  local a = string.find(v, '\n', 1, true)
  local b = string.find(v, '\n', a + 1, true)
  return string.sub(v, 1, a - 1), string.sub(v, a + 1, b - 1), string.sub(v, b + 1)
end
local function remove(key, why, maxlen)
  local v = redis.call('HGET', KEYS[2], key)
  if not v then return false end
  local name, host = split(v)
  redis.call('HDEL', KEYS[2], key)
  redis.call('ZREM', KEYS[3], key)
  local folded = string.lower(name)
  if redis.call('HGET', KEYS[4], folded) == key then redis.call('HDEL', KEYS[4], folded) end
  local slash = string.find(key, '/', 1, true)
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', 'k', 'l',
             'd', string.sub(key, 1, slash - 1), 'm', string.sub(key, slash + 1),
             'n', name, 'h', host, 'x', why, 'o', redis.call('ZCARD', KEYS[3]))
  return true
end
-- The members' names in join order: one HMGET per thousand members (a
-- call per member made a room's filling quadratic in calls).
local function roster()
  local keys = redis.call('ZRANGE', KEYS[3], 0, -1)
  local names = {}
  for first = 1, #keys, 1000 do
    local values = redis.call('HMGET', KEYS[2], unpack(keys, first, math.min(first + 999, #keys)))
    for _, v in ipairs(values) do
      if v then names[#names + 1] = split(v) end
    end
  end
  return names
end
local function fresh_seq(daemon, seq)
  local seen = tonumber(redis.call('HGET', KEYS[7], daemon) or '0')
  if tonumber(seq) <= seen then return false end
  redis.call('HSET', KEYS[7], daemon, seq)
  return true
end
)lua";

// ARGV: daemon, connection, name, host, max_members, history lines,
// kind (j, or r to enter again), stream length.
// {'ok', join entry id, members, {names}, {history, newest first}} |
// {'taken'} | {'full', members}. A join that ran already answers the same.
inline constexpr std::string_view kJoin = R"lua(
local key = ARGV[1] .. '/' .. ARGV[2]
local folded = string.lower(ARGV[3])
local holder = redis.call('HGET', KEYS[4], folded)
if holder and holder ~= key then return {'taken'} end
local v = redis.call('HGET', KEYS[2], key)
local id
if v then
  local _, _, joined = split(v)
  id = joined
else
  local online = redis.call('ZCARD', KEYS[3])
  if ARGV[7] == 'j' and online >= tonumber(ARGV[5]) then return {'full', online} end
  local kind = ARGV[7]
  -- The others saw this daemon's members leave when it was taken for dead.
  if kind == 'r' and redis.call('ZSCORE', KEYS[9], ARGV[1]) then kind = 'j' end
  redis.call('HSET', KEYS[4], folded, key)
  redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[8]), key)
  id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[8], '*', 'k', kind, 'd', ARGV[1],
                  'm', ARGV[2], 'n', ARGV[3], 'h', ARGV[4], 'o', online + 1)
  redis.call('HSET', KEYS[2], key, ARGV[3] .. '\n' .. ARGV[4] .. '\n' .. id)
end
local names = roster()
local history = {}
local n = tonumber(ARGV[6])
if n > 0 then history = redis.call('LRANGE', KEYS[6], 0, n - 1) end
return {'ok', id, #names, names, history}
)lua";

// ARGV: daemon, connection, new name, stream length.
// {'ok', entry id} | {'taken'} | {'gone'} (the room does not have it).
inline constexpr std::string_view kRename = R"lua(
local key = ARGV[1] .. '/' .. ARGV[2]
local v = redis.call('HGET', KEYS[2], key)
if not v then return {'gone'} end
local name, host, joined = split(v)
if name == ARGV[3] then return {'ok', '0-0'} end
local folded = string.lower(ARGV[3])
local holder = redis.call('HGET', KEYS[4], folded)
if holder and holder ~= key then return {'taken'} end
local old = string.lower(name)
if redis.call('HGET', KEYS[4], old) == key then redis.call('HDEL', KEYS[4], old) end
redis.call('HSET', KEYS[4], folded, key)
redis.call('HSET', KEYS[2], key, ARGV[3] .. '\n' .. host .. '\n' .. joined)
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 'k', 'n', 'd', ARGV[1],
                      'm', ARGV[2], 'n', ARGV[3], 'h', host, 'x', name)
return {'ok', id}
)lua";

// ARGV: daemon, connection, sequence number, kind (s or a), name, host,
// text, stream length, history length. 1, or 0 when it ran already.
inline constexpr std::string_view kSay = R"lua(
if not fresh_seq(ARGV[1], ARGV[3]) then return 0 end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[8], '*', 'k', ARGV[4], 'd', ARGV[1],
           'm', ARGV[2], 'n', ARGV[5], 'h', ARGV[6], 'x', ARGV[7])
redis.call('LPUSH', KEYS[6], ARGV[4] .. '\n' .. ARGV[5] .. '\n' .. ARGV[6] .. '\n' .. ARGV[7])
redis.call('LTRIM', KEYS[6], 0, tonumber(ARGV[9]) - 1)
return 1
)lua";

// ARGV: daemon, connection, sequence number, reason, stream length.
// 1, or 0 when it ran already or the room does not have the member.
inline constexpr std::string_view kLeave = R"lua(
if not fresh_seq(ARGV[1], ARGV[3]) then return 0 end
if remove(ARGV[1] .. '/' .. ARGV[2], ARGV[4], ARGV[5]) then return 1 end
return 0
)lua";

// {members, {names}}
inline constexpr std::string_view kWho = R"lua(
local names = roster()
return {#names, names}
)lua";

// The heartbeat. ARGV: daemon, presence ttl ms, stream length.
// Renews this daemon's presence, and takes every daemon whose presence
// expired for dead: its members are removed and their leaves announced.
// 1 when the room did not know this daemon (its first heartbeat, or the
// room forgot it), else 0.
inline constexpr std::string_view kHeartbeat = R"lua(
local now = now_ms()
local fresh = redis.call('ZADD', KEYS[5], now + tonumber(ARGV[2]), ARGV[1])
local dead = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', '(' .. now)
if #dead > 0 then
  local members = redis.call('HKEYS', KEYS[2])
  for _, d in ipairs(dead) do
    local prefix = d .. '/'
    for _, key in ipairs(members) do
      if string.sub(key, 1, #prefix) == prefix then remove(key, 'server lost', ARGV[3]) end
    end
    redis.call('ZREM', KEYS[5], d)
    redis.call('HDEL', KEYS[7], d)
    redis.call('ZADD', KEYS[9], now, d)
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[9], '-inf', now - 86400000)
return fresh
)lua";

// This daemon leaves the room. ARGV: daemon, reason, stream length.
inline constexpr std::string_view kFarewell = R"lua(
local prefix = ARGV[1] .. '/'
for _, key in ipairs(redis.call('HKEYS', KEYS[2])) do
  if string.sub(key, 1, #prefix) == prefix then remove(key, ARGV[2], ARGV[3]) end
end
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('HDEL', KEYS[7], ARGV[1])
return 1
)lua";

}  // namespace netcook::bus::scripts
