--[[
  Removes queued entries whose calling window closed at or before now. Leased entries stay: the
  dialer holding them re-checks the window before dialing and acks or releases them.
  Their ids stay in the lists as tombstones that hopper-pop.lua discards; when the hopper is
  empty the lists are dropped outright.

  KEYS[1] entries hash     p:{hopper:<c>}:entries
  KEYS[2] closes zset      p:{hopper:<c>}:closes
  KEYS[3] leases zset      p:{hopper:<c>}:leases
  KEYS[4] callback list    p:{hopper:<c>}:q:callback
  KEYS[5] recycle list     p:{hopper:<c>}:q:recycle
  KEYS[6] new list         p:{hopper:<c>}:q:new
  ARGV[1] now, epoch ms
  ARGV[2] at most this many entries per run

  Result: array of the removed entries' JSON, earliest closing first
]]
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, leadId in ipairs(ids) do
  if not redis.call('ZSCORE', KEYS[3], leadId) then
    local entry = redis.call('HGET', KEYS[1], leadId)
    redis.call('HDEL', KEYS[1], leadId)
    redis.call('ZREM', KEYS[2], leadId)
    if entry then table.insert(out, entry) end
  end
end
if redis.call('HLEN', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[4], KEYS[5], KEYS[6])
end
return out
