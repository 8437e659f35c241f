--[[
  Gives a lease back (a campaign's dialer lease, an Asterisk server's ari-worker lease), only when
  the caller holds it.

  KEYS[1] lease key           p:{dialer}:lease:<campaignId> or p:{calls}:ari-lease:<serverId>
  ARGV[1] owner id (the dialer or ari-worker instance)

  Result: 1 when the caller's lease was deleted, 0 when it was not the caller's.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
