//! Lua scripts: each moves a job between keys of one queue atomically.

/// KEYS: stream. ARGV: group, ids… — acknowledges and deletes handled entries.
pub(crate) const ACK: &str = r"
redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
return redis.call('XDEL', KEYS[1], unpack(ARGV, 2))
";

/// KEYS: stream, delayed. ARGV: group, id, due (ms), job — schedules the next attempt.
pub(crate) const RETRY_LATER: &str = r"
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return redis.call('XDEL', KEYS[1], ARGV[2])
";

/// KEYS: stream, dead. ARGV: group, id, job, error, failed_at — buries a job.
pub(crate) const BURY: &str = r"
redis.call('XADD', KEYS[2], 'MAXLEN', '~', '10000', '*', 'job', ARGV[3], 'error', ARGV[4], 'failed_at', ARGV[5])
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return redis.call('XDEL', KEYS[1], ARGV[2])
";

/// KEYS: delayed, stream. ARGV: now (ms), limit — moves due jobs back to the stream.
pub(crate) const PROMOTE: &str = r"
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, job in ipairs(due) do
  redis.call('XADD', KEYS[2], '*', 'job', job)
  redis.call('ZREM', KEYS[1], job)
end
return #due
";

/// KEYS: dead, stream. ARGV: dead id, job — moves one dead job back to the stream.
pub(crate) const RESURRECT: &str = r"
if redis.call('XDEL', KEYS[1], ARGV[1]) == 1 then
  redis.call('XADD', KEYS[2], '*', 'job', ARGV[2])
  return 1
end
return 0
";
