--[[
  Creates, replaces or removes one live call, atomic with the XADD of its domain event.

  KEYS[1] call key               p:{calls}:call:<callId>
  KEYS[2] call index set         p:{calls}:all
  KEYS[3] calls stream           p:{calls}:events
  KEYS[4] calls stream counter   p:{calls}:seq
  ARGV[1] 'put' or 'end'
  ARGV[2] callId
  ARGV[3] LiveCall JSON (ignored for 'end')
  ARGV[4] event JSON
  ARGV[5] envelope timestamp, epoch ms
  ARGV[6] stream MAXLEN
  ARGV[7] '~' or '='
  KEYS[5] (optional) fence: the writer's lease  p:{calls}:ari-lease:<serverId>
  ARGV[8] (with KEYS[5]) the lease owner the writer is

  Result: seq of the published event; -1 when a fence is given and the writer does not hold it
  (nothing written: another ari-worker has taken the server over).
]]
if KEYS[5] and redis.call('GET', KEYS[5]) ~= ARGV[8] then
  return -1
end
if ARGV[1] == 'put' then
  redis.call('SET', KEYS[1], ARGV[3])
  redis.call('SADD', KEYS[2], ARGV[2])
else
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[2])
end
local seq = redis.call('INCR', KEYS[4])
redis.call('XADD', KEYS[3], 'MAXLEN', ARGV[7], ARGV[6], '*', 'seq', seq, 'ts', ARGV[5], 'e', ARGV[4])
return seq
