--[[
  As agent-reserve.lua, but prefers an agent homed on the customer's Asterisk server: takes the
  longest-ready agent of the campaign homed on ARGV[7]; if none of the first ARGV[9] ready agents
  is, the longest-ready agent anywhere (the call then crosses on the inter-server trunk). Sets it
  RESERVED for the call and publishes READY -> RESERVED, atomically. The same rule as
  chooseHandoff in domain/fleet.ts.

  KEYS[1] ready zset of the campaign   p:{agents}:ready:<campaignId>
  KEYS[2] agents stream                p:{agents}:events
  KEYS[3] agents stream seq counter    p:{agents}:seq
  KEYS[4] homes hash                   p:{agents}:homes
  ARGV[1] status key prefix            p:{agents}:status: (the chosen agent's key is derived
          from it; it shares the {agents} hash tag, so on Redis Cluster it is in the same slot)
  ARGV[2] campaignId
  ARGV[3] callId
  ARGV[4] now, epoch ms (new sinceMs, event atMs, envelope timestamp)
  ARGV[5] stream MAXLEN
  ARGV[6] '~' or '='
  ARGV[7] the customer's server id
  ARGV[8] the server an agent with no home counts as on (the fleet's first)
  ARGV[9] how many of the longest-ready agents to look through for one on the same server
  ARGV[10] servers that are down, comma separated ('' none): their agents are passed over (they
          stay READY in the set; domain/fleet.ts chooseHandoff's `down`)

  Result: nil when no agent of the campaign is READY; else a flat array: agentId, state, sinceMs,
  campaignId, callId, pauseCode, bridgeId, legChannelId ('' = null), homeServerId.
]]
local top = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[9]) - 1)
local down = {}
for id in string.gmatch(ARGV[10] or '', '[^,]+') do down[id] = true end
local chosen = nil
local chosenHome = nil
local chosenFields = nil
for _, agentId in ipairs(top) do
  local f = redis.call('HMGET', ARGV[1] .. agentId, 'state', 'sinceMs', 'campaignId', 'pauseCode',
    'bridgeId', 'legChannelId')
  if f[1] == 'READY' and f[3] == ARGV[2] then
    local home = redis.call('HGET', KEYS[4], agentId)
    if not home then home = ARGV[8] end
    if down[home] then
      -- Homed on a server that is down: READY, but not reachable now.
    elseif home == ARGV[7] then
      chosen, chosenHome, chosenFields = agentId, home, f
      break
    elseif not chosen then
      chosen, chosenHome, chosenFields = agentId, home, f
    end
  else
    -- A member whose hash says otherwise is stale: dropping it keeps the set honest.
    redis.call('ZREM', KEYS[1], agentId)
  end
end
if not chosen then return nil end
redis.call('ZREM', KEYS[1], chosen)
redis.call('HSET', ARGV[1] .. chosen, 'state', 'RESERVED', 'sinceMs', ARGV[4], 'callId', ARGV[3])
local event = string.format(
  '{"type":"agent.state_changed","agentId":%s,"campaignId":%s,"from":"READY",' ..
  '"to":"RESERVED","pauseCode":null,"callId":%s,"reason":"dialer","sinceMs":%d,"atMs":%d}',
  cjson.encode(chosen), cjson.encode(ARGV[2]), cjson.encode(ARGV[3]),
  tonumber(chosenFields[2]), tonumber(ARGV[4]))
local seq = redis.call('INCR', KEYS[3])
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[6], ARGV[5], '*', 'seq', seq, 'ts', ARGV[4], 'e', event)
return { chosen, 'RESERVED', ARGV[4], ARGV[2], ARGV[3], chosenFields[4] or '',
  chosenFields[5] or '', chosenFields[6] or '', chosenHome }
