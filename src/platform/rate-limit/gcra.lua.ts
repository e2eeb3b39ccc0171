/**
 * `takeToken()` (gcra.ts) as one atomic Redis script, so replicas sharing a Redis share one bucket per
 * client without races. The clock is the Redis server's `TIME`: replicas' clocks never disagree.
 * KEYS[1] = bucket key, ARGV[1] = ms per token, ARGV[2] = burst.
 * Returns { allowed (0|1), remaining, ceil(resetMs), ceil(retryMs) } (Redis truncates Lua numbers).
 * The key expires when the bucket is full again, so idle clients cost Redis nothing.
 */
export const GCRA_LUA = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if tat < now then tat = now end
local newTat = tat + interval
local allowAt = newTat - burst * interval
if allowAt - now > 1e-6 then
  return { 0, 0, math.ceil(tat - now), math.ceil(allowAt - now) }
end
redis.call('SET', KEYS[1], string.format('%.3f', newTat), 'PX', math.max(1, math.ceil(newTat - now)))
return { 1, math.floor((now - allowAt) / interval + 1e-6), math.ceil(newTat - now), 0 }
`;
