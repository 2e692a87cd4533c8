//! Lua scripts: each moves a job between keys of one queue atomically.

/// KEYS: stream. ARGV: group, ids… — acknowledges and deletes handled entries.
pub(crate) const ACK: &str = r"
redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
return redis.call('XDEL', KEYS[1], unpack(ARGV, 2))
";

/// KEYS: stream, delayed. ARGV: group, id, due (ms), job — schedules the next attempt.
/// Only while the entry is still pending: a call replayed after a reconnect adds nothing.
pub(crate) const RETRY_LATER: &str = r"
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
end
return redis.call('XDEL', KEYS[1], ARGV[2])
";

/// KEYS: stream, dead. ARGV: group, id, job, error, failed_at — buries a job (once, as above).
pub(crate) const BURY: &str = r"
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', '10000', '*', 'job', ARGV[3], 'error', ARGV[4], 'failed_at', ARGV[5])
end
return redis.call('XDEL', KEYS[1], ARGV[2])
";

/// KEYS: stream, then one `seen` key per job. ARGV: ttl (s), then the jobs — appends each
/// job whose `seen` key is not set, and sets it: enqueueing the same job twice (a relay
/// retry, a command replayed on reconnect) leaves one entry.
pub(crate) const ENQUEUE: &str = r"
local added = 0
for i = 2, #KEYS do
  if redis.call('SET', KEYS[i], '1', 'NX', 'EX', ARGV[1]) then
    redis.call('XADD', KEYS[1], '*', 'job', ARGV[i])
    added = added + 1
  end
end
return added
";

/// KEYS: stream. ARGV: group, me, alive-key prefix, most entries — takes over every entry
/// of the group's consumers whose alive key expired (their worker died), then forgets
/// those consumers. Atomic, so two workers never take the same entry. The alive keys share
/// the stream's hash tag (same cluster slot).
pub(crate) const RESCUE: &str = r"
local out = {}
for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local name, pending
  for i = 1, #c, 2 do
    if c[i] == 'name' then name = c[i + 1] elseif c[i] == 'pending' then pending = c[i + 1] end
  end
  if name ~= ARGV[2] and redis.call('EXISTS', ARGV[3] .. name) == 0 then
    local ids = {}
    if pending > 0 then
      for _, p in ipairs(redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', ARGV[4], name)) do
        ids[#ids + 1] = p[1]
      end
    end
    if #ids > 0 then
      for _, e in ipairs(redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, unpack(ids))) do
        out[#out + 1] = e
      end
    end
    if pending <= #ids then
      redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], name)
    end
  end
end
return out
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

/// KEYS: stream. ARGV: group, me, id — resets the idle time of an entry this consumer still
/// owns; 0 when another consumer took it over (a stolen claim is never taken back).
pub(crate) const KEEP: &str = r"
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #p == 1 and p[1][2] == ARGV[2] then
  redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
  return 1
end
return 0
";
