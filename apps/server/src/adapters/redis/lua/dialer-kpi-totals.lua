--[[
  Adds whole sums to a campaign's KPI figures of one UTC day, with no event mark (the rebuild from
  PostgreSQL after Redis lost them: services/agents/state-rebuild.ts).

  KEYS[1] the campaign's KPI hash of one day  p:{dialer}:kpi:<campaignId>:<day>
  ARGV[1] TTL of the hash, ms
  ARGV[2..] field, increment pairs

  Result: 1.
]]
for i = 2, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
