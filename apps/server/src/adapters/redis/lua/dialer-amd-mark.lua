--[[
  An agent marks a MACHINE verdict the dialer sent them "a person" or "a machine" (the AMD audit,
  docs/pacing.md): counted once; a changed mind moves the count.

  KEYS[1] the call's mark key        p:{dialer}:amd-mark:<callId>  ('pending:<campaignId>', or the mark)
  KEYS[2] the campaign's audit hash  p:{dialer}:amd-audit:<campaignId>  (person / machine -> count)
  ARGV[1] campaign id
  ARGV[2] 'person' | 'machine'

  Result: 0 the call is not a MACHINE verdict of that campaign sent to an agent (or too old);
  1 counted; 2 the same mark again (nothing changes); 3 the mark changed (counts moved).
]]
local cur = redis.call('GET', KEYS[1])
if cur == false then return 0 end
if cur == 'pending:' .. ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
  redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
  return 1
end
if cur == ARGV[2] then return 2 end
if cur == 'person' or cur == 'machine' then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
  redis.call('HINCRBY', KEYS[2], cur, -1)
  redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
  return 3
end
return 0
