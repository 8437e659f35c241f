--[[
  Appends one domain event to a stream with the stream's next sequence number.
  Shared tail of every state-changing script (each inlines the same three calls).

  KEYS[1] stream        p:{<name>}:events
  KEYS[2] seq counter   p:{<name>}:seq
  ARGV[1] event JSON (a DomainEvent)
  ARGV[2] envelope timestamp, epoch ms
  ARGV[3] MAXLEN (events kept in the stream)
  ARGV[4] '~' (approximate trimming, cheap) or '=' (exact)

  Result: the event's seq (integer >= 1)
]]
local seq = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[4], ARGV[3], '*', 'seq', seq, 'ts', ARGV[2], 'e', ARGV[1])
return seq
