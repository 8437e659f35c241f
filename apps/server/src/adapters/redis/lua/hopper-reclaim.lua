--[[
  Returns every lease that expired at or before now to the head of its class. One script run is
  atomic, so with several reclaimers each expired lease is returned by exactly one of them.

  KEYS[1] entries hash     p:{hopper:<c>}:entries
  KEYS[2] leases zset      p:{hopper:<c>}:leases
  KEYS[3] owners hash      p:{hopper:<c>}:owners
  KEYS[4] callback list    p:{hopper:<c>}:q:callback
  KEYS[5] recycle list     p:{hopper:<c>}:q:recycle
  KEYS[6] new list         p:{hopper:<c>}:q:new
  ARGV[1] now, epoch ms
  ARGV[2] at most this many leases per run

  Result: array of the reclaimed entries' JSON, earliest expiry first (that one also ends up
  first in its class)
]]
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local queue = { callback = KEYS[4], recycle = KEYS[5], new = KEYS[6] }
local out = {}
for i = #ids, 1, -1 do
  local leadId = ids[i]
  redis.call('ZREM', KEYS[2], leadId)
  redis.call('HDEL', KEYS[3], leadId)
  local entry = redis.call('HGET', KEYS[1], leadId)
  if entry then
    redis.call('LPUSH', queue[cjson.decode(entry).priority], leadId)
    table.insert(out, 1, entry)
  end
end
return out
