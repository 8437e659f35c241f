--[[
  Every agent's status (or one campaign's agents') in one round trip, for readers that need the
  whole floor at once (the dialer's pacing decision reads it on every decision): one script
  instead of one HGETALL per agent, which at 1,000 agents cost the dialer about 10 ms of CPU per
  decision in command building and reply parsing (docs/pacing.md, "Headline").

  KEYS[1] every agent id               p:{agents}:all
  ARGV[1] status key prefix            p:{agents}:status:
          Each agent's key is derived from it; they share the {agents} hash tag, so on Redis
          Cluster they are in the script's slot (as in agent-reserve.lua).
  ARGV[2] campaignId, or '' for every agent

  Result: a flat array, 8 entries per agent with a status, in agent id order (byte order):
  agentId, state, sinceMs, campaignId, callId, pauseCode, bridgeId, legChannelId ('' = null).
]]
local ids = redis.call('SMEMBERS', KEYS[1])
table.sort(ids)
local out = {}
local n = 0
for _, id in ipairs(ids) do
  local f = redis.call('HMGET', ARGV[1] .. id, 'state', 'sinceMs', 'campaignId', 'callId',
    'pauseCode', 'bridgeId', 'legChannelId')
  if f[1] and (ARGV[2] == '' or f[3] == ARGV[2]) then
    out[n + 1] = id
    for i = 1, 7 do out[n + 1 + i] = f[i] or '' end
    n = n + 8
  end
end
return out
