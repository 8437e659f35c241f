--[[
  Records an agent phone leg in the leg index: its entry and its membership of the index set,
  together (the ARI worker's resync lists the set, then reads the entries).

  KEYS[1] the leg's entry            p:{agents}:leg:<channelId>
  KEYS[2] the set of leg channel ids p:{agents}:legs
  ARGV[1] channel id
  ARGV[2] entry JSON {"agentId","serverId"}
  ARGV[3] entry TTL, s (a backstop: entries are deleted when the leg goes)

  Result: 1
]]
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
return 1
