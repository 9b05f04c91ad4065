namespace Tollgate.Storage.Redis;

/// <summary>
/// Rate-limit scripts. A per-minute limit is a token bucket hash <c>{l, ts}</c> refilled at
/// limit/60 per second (the same rule as the in-memory bucket); requests in flight are a sorted
/// set of hold ids scored by lease expiry, so a dead node's places free themselves. The limit
/// functions (<see cref="Functions"/>) are also joined into the spend-account scripts, so a
/// request's limits and its reservation are one call, and its true-up and settlement another.
/// </summary>
internal static class LimitScripts
{
    /// <summary>Redis's clock in ms as <c>now</c>: one clock for every node.</summary>
    public const string Clock = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

        """;

    /// <summary>
    /// Needs <see cref="Clock"/>. Limits are the keys KEYS[lk + 1 … lk + ln], each with its kind ('c' in
    /// flight, 'r' requests, 't' tokens) and size at ARGV[la + 2i − 1], ARGV[la + 2i].
    /// <c>limits_check</c> returns {i, retry ms} for the first limit that refuses (taking nothing), else
    /// nil and each bucket's level after the take; <c>limits_take</c> takes (only the request counts when
    /// <c>only_r</c>) and returns {r remaining, r reset ms, t remaining, t reset ms} (-1 when absent), which
    /// <c>limits_read</c> returns without taking;
    /// <c>limits_adjust</c> leaves the in-flight sets and gives <c>delta</c> tokens back (negative takes more).
    /// </summary>
    public const string Functions = """
        local function level(k, limit)
          local v = redis.call('HMGET', k, 'l', 'ts')
          local l = tonumber(v[1])
          if not l then return limit end
          return math.min(limit, l + math.max(now - tonumber(v[2]), 0) * limit / 60000)
        end
        local function limits_check(lk, ln, la, tokens)
          local levels = {}
          for i = 1, ln do
            local k = KEYS[lk + i]
            local kind = ARGV[la + 2 * i - 1]
            local limit = tonumber(ARGV[la + 2 * i])
            if kind == 'c' then
              redis.call('ZREMRANGEBYSCORE', k, '-inf', now)
              if redis.call('ZCARD', k) >= limit then return {i, 1000}, nil end
            else
              local need = 1
              if kind == 't' then need = tokens end
              local l = level(k, limit)
              if need > l then
                return {i, math.ceil(math.max(math.min(need, limit) - l, 0) * 60000 / limit)}, nil
              end
              levels[i] = l - need
            end
          end
          return nil, levels
        end
        local function limits_take(lk, ln, la, levels, hold, lease, only_r)
          local out = {-1, -1, -1, -1}
          for i = 1, ln do
            local k = KEYS[lk + i]
            local kind = ARGV[la + 2 * i - 1]
            local limit = tonumber(ARGV[la + 2 * i])
            if kind == 'c' then
              if not only_r then
                redis.call('ZADD', k, now + lease, hold)
                redis.call('PEXPIRE', k, lease)
              end
            elseif kind == 'r' or not only_r then
              redis.call('HSET', k, 'l', tostring(levels[i]), 'ts', string.format('%d', now))
              redis.call('PEXPIRE', k, 120000)
              local at = 1
              if kind == 't' then at = 3 end
              if out[at] == -1 then
                out[at] = math.floor(math.max(levels[i], 0))
                out[at + 1] = math.ceil((limit - levels[i]) * 60000 / limit)
              end
            end
          end
          return out
        end
        local function limits_read(lk, ln, la)
          local out = {-1, -1, -1, -1}
          for i = 1, ln do
            local kind = ARGV[la + 2 * i - 1]
            local at = 1
            if kind == 't' then at = 3 end
            if kind ~= 'c' and out[at] == -1 then
              local limit = tonumber(ARGV[la + 2 * i])
              local l = level(KEYS[lk + i], limit)
              out[at] = math.floor(math.max(l, 0))
              out[at + 1] = math.ceil((limit - l) * 60000 / limit)
            end
          end
          return out
        end
        local function limits_adjust(lk, ln, la, hold, delta)
          for i = 1, ln do
            local k = KEYS[lk + i]
            local kind = ARGV[la + 2 * i - 1]
            local limit = tonumber(ARGV[la + 2 * i])
            if kind == 'c' then
              redis.call('ZREM', k, hold)
            elseif kind == 't' and delta ~= 0 then
              local l = math.min(limit, level(k, limit) + delta)
              redis.call('HSET', k, 'l', tostring(l), 'ts', string.format('%d', now))
              redis.call('PEXPIRE', k, 120000)
            end
          end
        end

        """;

    /// <summary>
    /// KEYS: one per limit. ARGV: hold id, lease ms, token estimate, then per key its kind and size.
    /// Takes from every limit or none. Returns {0, r remaining, r reset ms, t remaining, t reset ms}
    /// (-1 when that kind is absent), or {i, retry ms, readings…} when limit i refused.
    /// </summary>
    public static readonly SharedScript Admit = new("admit", Clock + Functions + """
        local refused, levels = limits_check(0, #KEYS, 3, tonumber(ARGV[3]))
        if refused then
          local read = limits_read(0, #KEYS, 3)
          return {refused[1], refused[2], read[1], read[2], read[3], read[4]}
        end
        local out = limits_take(0, #KEYS, 3, levels, ARGV[1], tonumber(ARGV[2]), false)
        return {0, out[1], out[2], out[3], out[4]}
        """);

    /// <summary>
    /// KEYS: limits. ARGV: hold id, token delta (positive gives back), then each key's kind and size.
    /// Leaves the in-flight sets and trues token buckets up.
    /// </summary>
    public static readonly SharedScript Adjust = new("limit-adjust", Clock + Functions + """
        limits_adjust(0, #KEYS, 2, ARGV[1], tonumber(ARGV[2]))
        return 1
        """);

    /// <summary>KEYS: per-minute limits. ARGV: each key's size. Returns {remaining, reset ms, …} per key (an absent bucket is full); takes nothing.</summary>
    public static readonly SharedScript Read = new("limit-read", Clock + Functions + """
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
