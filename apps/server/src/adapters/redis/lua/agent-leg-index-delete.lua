--[[
  Forgets an agent phone leg: its entry and its membership of the index set, together.

  KEYS[1] the leg's entry            p:{agents}:leg:<channelId>
  KEYS[2] the set of leg channel ids p:{agents}:legs
  ARGV[1] channel id

  Result: 1 when the entry existed, else 0
]]
local existed = redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
return existed
