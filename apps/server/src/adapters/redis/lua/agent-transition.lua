--[[
  Compare-and-set of one agent's status, atomic with the XADD of its agent.state_changed event.
  Keeps the campaign ready sets in step: the agent is in ready:<campaign> exactly while READY.

  KEYS[1] status hash of the agent          p:{agents}:status:<agentId>
  KEYS[2] agent index set                   p:{agents}:all
  KEYS[3] ready zset of the campaign the caller read as current (ARGV[2])
  KEYS[4] ready zset of the new campaign    p:{agents}:ready:<campaignId>
  KEYS[5] agents stream                     p:{agents}:events
  KEYS[6] agents stream seq counter         p:{agents}:seq
  ARGV[1]  expected current state; '' = the hash must be absent or LOGGED_OUT
  ARGV[2]  campaign id the caller read as current ('' = none); guards KEYS[3]
  ARGV[3]  agentId
  ARGV[4]  new state
  ARGV[5]  new sinceMs (also the READY score)
  ARGV[6]  campaignId ('' = null)
  ARGV[7]  callId ('' = null)
  ARGV[8]  pauseCode ('' = null)
  ARGV[9]  bridgeId ('' = null)
  ARGV[10] legChannelId ('' = null)
  ARGV[11] event JSON
  ARGV[12] envelope timestamp, epoch ms
  ARGV[13] stream MAXLEN
  ARGV[14] '~' or '='
  ARGV[15] '1': also compare the phone leg (ARGV[16]); '0' or absent: the state alone
  ARGV[16] legChannelId the caller read ('' = null)

  Result: seq of the published event (>= 1); 0 when the current state (or, with ARGV[15], the
  phone leg) is not the expected one (nothing written): a transition computed from a status whose
  leg was replaced meanwhile (the leg was lost and dialed again) must not write the old leg back; -1 when the current campaign is not ARGV[2] (nothing written: the caller
  re-reads the campaign and retries).
]]
local cur = redis.call('HMGET', KEYS[1], 'state', 'campaignId', 'legChannelId')
local state = cur[1]
local campaign = cur[2] or ''
if ARGV[1] == '' then
  if state and state ~= 'LOGGED_OUT' then return 0 end
elseif state ~= ARGV[1] then
  return 0
end
if ARGV[15] == '1' and (cur[3] or '') ~= ARGV[16] then return 0 end
if campaign ~= ARGV[2] then return -1 end

redis.call('ZREM', KEYS[3], ARGV[3])
redis.call('ZREM', KEYS[4], ARGV[3])
redis.call('HSET', KEYS[1], 'state', ARGV[4], 'sinceMs', ARGV[5], 'campaignId', ARGV[6],
  'callId', ARGV[7], 'pauseCode', ARGV[8], 'bridgeId', ARGV[9], 'legChannelId', ARGV[10])
redis.call('SADD', KEYS[2], ARGV[3])
if ARGV[4] == 'READY' and ARGV[6] ~= '' then
  redis.call('ZADD', KEYS[4], ARGV[5], ARGV[3])
end

local seq = redis.call('INCR', KEYS[6])
redis.call('XADD', KEYS[5], 'MAXLEN', ARGV[14], ARGV[13], '*', 'seq', seq, 'ts', ARGV[12], 'e', ARGV[11])
return seq
