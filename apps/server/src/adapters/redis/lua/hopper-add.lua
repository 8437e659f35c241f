--[[
  Queues hopper entries that are not already in the campaign's hopper (queued or leased), at the
  tail of their priority class.

  KEYS[1] entries hash     p:{hopper:<c>}:entries
  KEYS[2] closes zset      p:{hopper:<c>}:closes
  KEYS[3] callback list    p:{hopper:<c>}:q:callback
  KEYS[4] recycle list     p:{hopper:<c>}:q:recycle
  KEYS[5] new list         p:{hopper:<c>}:q:new
  ARGV    groups of four: leadId, priority ('callback'|'recycle'|'new'), windowClosesAtMs, entry JSON

  Result: how many entries were added
]]
local queue = { callback = KEYS[3], recycle = KEYS[4], new = KEYS[5] }
local added = 0
for i = 1, #ARGV, 4 do
  local leadId = ARGV[i]
  if redis.call('HSETNX', KEYS[1], leadId, ARGV[i + 3]) == 1 then
    redis.call('ZADD', KEYS[2], ARGV[i + 2], leadId)
    redis.call('RPUSH', queue[ARGV[i + 1]], leadId)
    added = added + 1
  end
end
return added
