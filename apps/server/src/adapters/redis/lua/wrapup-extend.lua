--[[
  Takes one wrap-up extension of an agent's call, unless the campaign's allowance is used up.
  The count is per call (it survives DEAD -> WRAPUP); the extended deadline belongs to the state
  that began at ARGV[2] (a new state starts from its own base deadline).

  KEYS[1] the agent's extension hash   p:{agents}:wrapup-ext:<agentId>
          fields: callId, sinceMs, used, untilMs

  ARGV[1] callId
  ARGV[2] sinceMs of the agent's current DEAD or WRAPUP state (epoch ms)
  ARGV[3] base deadline: sinceMs + the campaign's wrap-up time (epoch ms)
  ARGV[4] ms to add
  ARGV[5] extensions allowed per call
  ARGV[6] TTL of the hash, seconds

  Result: { used, untilMs }; untilMs = -1 when refused (used = extensions already taken)
]]
local cur = redis.call('HMGET', KEYS[1], 'callId', 'sinceMs', 'used', 'untilMs')
local used = 0
local untilMs = tonumber(ARGV[3])
if cur[1] == ARGV[1] then
  used = tonumber(cur[3]) or 0
  if cur[2] == ARGV[2] and cur[4] then
    untilMs = math.max(untilMs, tonumber(cur[4]))
  end
end
if used >= tonumber(ARGV[5]) then
  return { used, -1 }
end
used = used + 1
untilMs = untilMs + tonumber(ARGV[4])
local untilText = string.format('%d', untilMs)
redis.call('HSET', KEYS[1], 'callId', ARGV[1], 'sinceMs', ARGV[2], 'used', used, 'untilMs', untilText)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[6]))
return { used, untilText }
