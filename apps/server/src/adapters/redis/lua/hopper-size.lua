--[[
  Counts a campaign's hopper in one consistent read.

  KEYS[1] entries hash     p:{hopper:<c>}:entries
  KEYS[2] leases zset      p:{hopper:<c>}:leases

  Result: { queued (entries not leased), leased }
]]
local total = redis.call('HLEN', KEYS[1])
local leased = redis.call('ZCARD', KEYS[2])
return { total - leased, leased }
