--[[
  Ends a lease: 'ack' (the lead was dialed: forget it) or 'release' (put it back at the head of
  its class).

  KEYS[1] entries hash     p:{hopper:<c>}:entries
  KEYS[2] closes zset      p:{hopper:<c>}:closes
  KEYS[3] leases zset      p:{hopper:<c>}:leases
  KEYS[4] owners hash      p:{hopper:<c>}:owners
  KEYS[5] callback list    p:{hopper:<c>}:q:callback
  KEYS[6] recycle list     p:{hopper:<c>}:q:recycle
  KEYS[7] new list         p:{hopper:<c>}:q:new
  ARGV[1] 'ack' or 'release'
  ARGV[2] leadId
  ARGV[3] consumerId that must hold the lease ('' = any)

  Result: 1 when the lease existed (and belonged to ARGV[3]) and was ended, else 0
]]
local leadId = ARGV[2]
if not redis.call('ZSCORE', KEYS[3], leadId) then return 0 end
if ARGV[3] ~= '' and redis.call('HGET', KEYS[4], leadId) ~= ARGV[3] then return 0 end
redis.call('ZREM', KEYS[3], leadId)
redis.call('HDEL', KEYS[4], leadId)
if ARGV[1] == 'ack' then
  redis.call('HDEL', KEYS[1], leadId)
  redis.call('ZREM', KEYS[2], leadId)
  return 1
end
local entry = redis.call('HGET', KEYS[1], leadId)
if entry then
  local queue = { callback = KEYS[5], recycle = KEYS[6], new = KEYS[7] }
  redis.call('LPUSH', queue[cjson.decode(entry).priority], leadId)
end
return 1
