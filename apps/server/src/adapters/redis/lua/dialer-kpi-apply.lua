--[[
  Adds one bus event's KPI figures to a campaign's sums of one UTC day, once per event: every
  dialer instance counts every event; the per-stream mark makes each count once (each consumer
  reads a stream in order, so a mark never skips an event nobody applied).

  KEYS[1] the campaign's KPI hash of one day  p:{dialer}:kpi:<campaignId>:<day>
  ARGV[1] stream name
  ARGV[2] the event's seq in that stream
  ARGV[3] TTL of the hash, ms
  ARGV[4..] field, increment pairs

  Result: 1 when applied, 0 when an event at or after this seq of the stream was applied already.
]]
local field = 'seq:' .. ARGV[1]
local mark = tonumber(redis.call('HGET', KEYS[1], field) or '0')
if tonumber(ARGV[2]) <= mark then
  return 0
end
redis.call('HSET', KEYS[1], field, ARGV[2])
for i = 4, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
