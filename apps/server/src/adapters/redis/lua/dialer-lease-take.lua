--[[
  Takes a lease when free, or renews it when the caller holds it (a campaign's dialer lease, and
  an Asterisk server's ari-worker lease, adapters/redis/ari-lease.ts). One script, so
  a renewal never extends a lease someone else took meanwhile (adapters/redis/dialer-state.ts).

  KEYS[1] lease key           p:{dialer}:lease:<campaignId> or p:{calls}:ari-lease:<serverId>
  ARGV[1] owner id (the dialer or ari-worker instance)
  ARGV[2] TTL, ms

  Result: 1 when the caller holds the lease afterwards (taken now, or renewed), 0 when another
  owner holds it.
]]
local cur = redis.call('GET', KEYS[1])
if cur == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
