namespace Tollgate.Storage.Redis;

/// <summary>
/// Rate-limit scripts. A per-minute limit is a token bucket hash <c>{l, ts}</c> refilled at
/// limit/60 per second (the same rule as the in-memory bucket); requests in flight are a sorted
/// set of hold ids scored by lease expiry, so a dead node's places free themselves.
/// </summary>
internal static class LimitScripts
{
    private const string Clock = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local function level(k, limit)
          local v = redis.call('HMGET', k, 'l', 'ts')
          local l = tonumber(v[1])
          if not l then return limit end
          return math.min(limit, l + math.max(now - tonumber(v[2]), 0) * limit / 60000)
        end
        """;

    /// <summary>
    /// KEYS: one per limit. ARGV: hold id, lease ms, token estimate, then per key its kind
    /// ('c' in flight, 'r' requests, 't' tokens) and limit. Takes from every limit or none.
    /// Returns {0, r remaining, r reset ms, t remaining, t reset ms} (-1 when that kind is absent),
    /// or {i, retry ms} when limit i refused.
    /// </summary>
    public static readonly SharedScript Admit = new("admit", Clock + """

        local levels = {}
        for i, k in ipairs(KEYS) do
          local kind = ARGV[2 + 2 * i]
          local limit = tonumber(ARGV[3 + 2 * i])
          if kind == 'c' then
            redis.call('ZREMRANGEBYSCORE', k, '-inf', now)
            if redis.call('ZCARD', k) >= limit then return {i, 1000} end
          else
            local need = 1
            if kind == 't' then need = tonumber(ARGV[3]) end
            local l = level(k, limit)
            if need > l then
              return {i, math.ceil(math.max(math.min(need, limit) - l, 0) * 60000 / limit)}
            end
            levels[i] = l - need
          end
        end
        local out = {0, -1, -1, -1, -1}
        for i, k in ipairs(KEYS) do
          local kind = ARGV[2 + 2 * i]
          local limit = tonumber(ARGV[3 + 2 * i])
          if kind == 'c' then
            redis.call('ZADD', k, now + tonumber(ARGV[2]), ARGV[1])
            redis.call('PEXPIRE', k, tonumber(ARGV[2]))
          else
            redis.call('HSET', k, 'l', tostring(levels[i]), 'ts', string.format('%d', now))
            redis.call('PEXPIRE', k, 120000)
            local at = 2
            if kind == 't' then at = 4 end
            if out[at] == -1 then
              out[at] = math.floor(math.max(levels[i], 0))
              out[at + 1] = math.ceil((limit - levels[i]) * 60000 / limit)
            end
          end
        end
        return out
        """);

    /// <summary>
    /// KEYS: limits. ARGV: hold id, token delta (positive gives back), then each key's kind and limit.
    /// Leaves the in-flight sets (when the delta is a release) and trues token buckets up.
    /// </summary>
    public static readonly SharedScript Adjust = new("limit-adjust", Clock + """

        local delta = tonumber(ARGV[2])
        for i, k in ipairs(KEYS) do
          local kind = ARGV[1 + 2 * i]
          local limit = tonumber(ARGV[2 + 2 * i])
          if kind == 'c' then
            redis.call('ZREM', k, ARGV[1])
          elseif kind == 't' and delta ~= 0 then
            local l = math.min(limit, level(k, limit) + delta)
            redis.call('HSET', k, 'l', tostring(l), 'ts', string.format('%d', now))
            redis.call('PEXPIRE', k, 120000)
          end
        end
        return 1
        """);

    /// <summary>KEYS: per-minute limits. ARGV: each key's limit. Returns {remaining, reset ms, …} per key (an absent bucket is full); takes nothing.</summary>
    public static readonly SharedScript Read = new("limit-read", Clock + """

        local out = {}
        for i, k in ipairs(KEYS) do
          local limit = tonumber(ARGV[i])
          local l = level(k, limit)
          out[#out + 1] = math.floor(math.max(l, 0))
          out[#out + 1] = math.ceil((limit - l) * 60000 / limit)
        end
        return out
        """);
}
