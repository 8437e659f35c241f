--[[
  Pops the next leads (callback, then recycle, then new; FIFO within a class) and leases them.

  The lists may hold stale ids ("tombstones"): ids removed by removeClosed or acked, and extra
  copies left by release/reclaim. An id is handed out only when it is in the entries hash, not
  leased, and its window is still open; any other id is discarded as it comes off the list.
  Removal therefore never scans a list, and each pop is O(1) plus the tombstones it drops
  (amortized O(1): each tombstone is dropped once), plus O(log n) for the lease zset.

  KEYS[1] callback list    p:{hopper:<c>}:q:callback
  KEYS[2] recycle list     p:{hopper:<c>}:q:recycle
  KEYS[3] new list         p:{hopper:<c>}:q:new
  KEYS[4] entries hash     p:{hopper:<c>}:entries
  KEYS[5] closes zset      p:{hopper:<c>}:closes
  KEYS[6] leases zset      p:{hopper:<c>}:leases
  KEYS[7] owners hash      p:{hopper:<c>}:owners
  ARGV[1] consumerId
  ARGV[2] lease expiry, epoch ms
  ARGV[3] now, epoch ms (an entry whose window closes at or before now is not handed out)
  ARGV[4] how many leads at most (1 for a single pop)

  Result: array: first the number of leads still queued (not leased) after this pop, then the
  leased entries' JSON in pop order (none when nothing could be popped)
]]
local now = tonumber(ARGV[3])
local want = tonumber(ARGV[4])
local out = { 0 }
for q = 1, 3 do
  while #out - 1 < want do
    local leadId = redis.call('LPOP', KEYS[q])
    if not leadId then break end
    local entry = redis.call('HGET', KEYS[4], leadId)
    if entry and not redis.call('ZSCORE', KEYS[6], leadId) then
      local closes = tonumber(redis.call('ZSCORE', KEYS[5], leadId) or '0')
      if closes > now then
        redis.call('ZADD', KEYS[6], ARGV[2], leadId)
        redis.call('HSET', KEYS[7], leadId, ARGV[1])
        out[#out + 1] = entry
      end
    end
  end
end
out[1] = redis.call('HLEN', KEYS[4]) - redis.call('ZCARD', KEYS[6])
return out
