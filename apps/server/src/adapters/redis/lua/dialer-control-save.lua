--[[
  Writes a campaign's predictive controller state (JSON PacingControl) while the caller holds the
  campaign's lease: a stalled former holder must not overwrite the state its successor continues
  from. Both keys share the {dialer} hash tag.

  KEYS[1] lease key           p:{dialer}:lease:<campaignId>
  KEYS[2] pacing control key  p:{dialer}:pacing:<campaignId>
  ARGV[1] owner id (the dialer instance)
  ARGV[2] control state, JSON

  Result: 1 when written, 0 when the caller does not hold the lease.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[2], ARGV[2])
return 1
