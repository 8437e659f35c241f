--[[
  Takes the campaign's longest-ready agent (lowest READY-since score; ties by agent id), sets it
  RESERVED for a call and publishes READY -> RESERVED, atomically: two dialers never get the
  same agent.

  KEYS[1] ready zset of the campaign   p:{agents}:ready:<campaignId>
  KEYS[2] agents stream                p:{agents}:events
  KEYS[3] agents stream seq counter    p:{agents}:seq
  ARGV[1] status key prefix            p:{agents}:status:
          The chosen agent's key is derived from it: it is not known before the script runs.
          It shares the {agents} hash tag, so on Redis Cluster it is in the same slot.
  ARGV[2] campaignId
  ARGV[3] callId
  ARGV[4] now, epoch ms (new sinceMs, event atMs, envelope timestamp)
  ARGV[5] stream MAXLEN
  ARGV[6] '~' or '='

  Result: nil when no agent of the campaign is READY; else a flat array of the agent's new
  status fields: agentId, state, sinceMs, campaignId, callId, pauseCode, bridgeId, legChannelId
  ('' = null).
]]
while true do
  local top = redis.call('ZRANGE', KEYS[1], 0, 0)
  local agentId = top[1]
  if not agentId then return nil end
  redis.call('ZREM', KEYS[1], agentId)
  local key = ARGV[1] .. agentId
  local f = redis.call('HMGET', key, 'state', 'sinceMs', 'campaignId', 'pauseCode', 'bridgeId',
    'legChannelId')
  -- A member whose hash says otherwise is stale (cannot happen through agent-transition.lua);
  -- dropping it keeps the set honest.
  if f[1] == 'READY' and f[3] == ARGV[2] then
    redis.call('HSET', key, 'state', 'RESERVED', 'sinceMs', ARGV[4], 'callId', ARGV[3])
    -- Numbers are formatted with %d so epoch ms never turn into floats or exponents.
    local event = string.format(
      '{"type":"agent.state_changed","agentId":%s,"campaignId":%s,"from":"READY",' ..
      '"to":"RESERVED","pauseCode":null,"callId":%s,"reason":"dialer","sinceMs":%d,"atMs":%d}',
      cjson.encode(agentId), cjson.encode(ARGV[2]), cjson.encode(ARGV[3]),
      tonumber(f[2]), tonumber(ARGV[4]))
    local seq = redis.call('INCR', KEYS[3])
    redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[6], ARGV[5], '*', 'seq', seq, 'ts', ARGV[4],
      'e', event)
    return { agentId, 'RESERVED', ARGV[4], ARGV[2], ARGV[3], f[4] or '', f[5] or '', f[6] or '' }
  end
end
