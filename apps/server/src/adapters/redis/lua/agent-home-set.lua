--[[
  Homes an agent on an Asterisk server (or moves it) and publishes agent.homed, atomically.

  KEYS[1] homes hash                   p:{agents}:homes
  KEYS[2] agents stream                p:{agents}:events
  KEYS[3] agents stream seq counter    p:{agents}:seq
  ARGV[1] agentId
  ARGV[2] serverId
  ARGV[3] the agent.homed event JSON
  ARGV[4] envelope timestamp, epoch ms
  ARGV[5] stream MAXLEN
  ARGV[6] '~' or '='

  Result: the event's seq
]]
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local seq = redis.call('INCR', KEYS[3])
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[6], ARGV[5], '*', 'seq', seq, 'ts', ARGV[4], 'e', ARGV[3])
return seq
