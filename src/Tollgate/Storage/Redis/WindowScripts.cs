namespace Tollgate.Storage.Redis;

/// <summary>
/// Allowance-window scripts, counting exactly as <see cref="Billing.Subscriptions.WindowUsage"/> does.
/// A window is a hash: <c>u</c> (units used) and, for session and calendar windows, <c>o</c> (opened)
/// and <c>e</c> (when it ends); a rolling window instead keeps units per minute bucket (field = the
/// bucket's start) with the buckets also in <c>&lt;window&gt;:b</c>, scored by start, to expire the
/// oldest in order. A subscription's marker key holds the generation of its seeding: present, an
/// absent window is empty (its key expired once it no longer mattered); absent, every window is
/// rebuilt from the usage events. Times are milliseconds of the caller's clock (see RedisAllowances).
/// </summary>
internal static class WindowScripts
{
    /// <summary>ARGV[1] is now; numbers go to Redis through '%d' (a bare Lua -0 would not parse as an integer). Defines used(k, kind, duration) after expiry, and resets(k, kind, duration) (-1 = none).</summary>
    private const string Windows = """
        local now = tonumber(ARGV[1])
        local function used(k, kind, dur)
          if kind == 'r' then
            local horizon = now - 60000 - dur
            local old = redis.call('ZRANGEBYSCORE', k .. ':b', '-inf', horizon)
            for _, b in ipairs(old) do
              local n = redis.call('HGET', k, b)
              if n then
                redis.call('HINCRBY', k, 'u', string.format('%d', -tonumber(n)))
                redis.call('HDEL', k, b)
              end
              redis.call('ZREM', k .. ':b', b)
            end
          else
            local e = redis.call('HGET', k, 'e')
            if e and now >= tonumber(e) then redis.call('DEL', k) end
          end
          return tonumber(redis.call('HGET', k, 'u') or '0')
        end
        local function resets(k, kind, dur)
          if kind == 'r' then
            local oldest = redis.call('ZRANGE', k .. ':b', 0, 0, 'WITHSCORES')
            if oldest[2] then return tonumber(oldest[2]) + 60000 + dur end
            return -1
          end
          return tonumber(redis.call('HGET', k, 'e') or '-1')
        end
        local function ttl(ms)
          return string.format('%d', math.max(ms, 1))
        end
        """;

    /// <summary>
    /// KEYS: the subscription's marker, the hold's take record, then each applicable window.
    /// ARGV: now, units, marker ttl, margin ms, lease ms, then per window: kind (s, r, c), duration ms,
    /// size, month start, next month start. All windows or none: returns {0, generation} when taken,
    /// {1} when the subscription is not seeded (nothing taken), {2, used, resets, …} per window when
    /// one cannot cover the units (nothing taken).
    /// </summary>
    public static readonly SharedScript Take = new("window-take", Windows + """

        local gen = redis.call('GET', KEYS[1])
        if not gen then return {1} end
        local units = tonumber(ARGV[2])
        local out = {2}
        local refused = false
        for i = 3, #KEYS do
          local a = 6 + (i - 3) * 5
          local u = used(KEYS[i], ARGV[a], tonumber(ARGV[a + 1]))
          if math.max(tonumber(ARGV[a + 2]) - u, 0) < units then refused = true end
          out[#out + 1] = u
          out[#out + 1] = resets(KEYS[i], ARGV[a], tonumber(ARGV[a + 1]))
        end
        if refused then return out end
        local margin = tonumber(ARGV[4])
        for i = 3, #KEYS do
          local k = KEYS[i]
          local a = 6 + (i - 3) * 5
          local kind, dur = ARGV[a], tonumber(ARGV[a + 1])
          if kind == 'r' then
            local b = now - now % 60000
            local field = string.format('%d', b)
            redis.call('HINCRBY', k, field, units)
            redis.call('ZADD', k .. ':b', b, field)
            redis.call('HINCRBY', k, 'u', units)
            local last = ttl(b + 60000 + dur - now + margin)
            redis.call('PEXPIRE', k, last)
            redis.call('PEXPIRE', k .. ':b', last)
          else
            if redis.call('HEXISTS', k, 'o') == 0 then
              if kind == 's' then
                redis.call('HSET', k, 'o', string.format('%d', now), 'e', string.format('%d', now + dur))
              else
                redis.call('HSET', k, 'o', ARGV[a + 3], 'e', ARGV[a + 4])
              end
            end
            redis.call('HINCRBY', k, 'u', units)
            redis.call('PEXPIRE', k, ttl(tonumber(redis.call('HGET', k, 'e')) - now + margin))
          end
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        redis.call('SET', KEYS[2], gen, 'PX', ARGV[5])
        return {0, gen}
        """);

    /// <summary>
    /// KEYS: the marker, the hold's take record, then the windows the units were taken from.
    /// ARGV: now, taken at, units, then per window kind and duration ms. Gives the units back once,
    /// only if the take happened and the windows were not rebuilt since (a rebuild never counted it).
    /// </summary>
    public static readonly SharedScript Refund = new("window-refund", Windows + """

        local gen = redis.call('GET', KEYS[2])
        if not gen then return 0 end
        redis.call('DEL', KEYS[2])
        if redis.call('GET', KEYS[1]) ~= gen then return 0 end
        local taken, units = tonumber(ARGV[2]), tonumber(ARGV[3])
        for i = 3, #KEYS do
          local k = KEYS[i]
          local a = 4 + (i - 3) * 2
          local kind = ARGV[a]
          local u = used(k, kind, tonumber(ARGV[a + 1]))
          if kind == 'r' then
            local field = string.format('%d', taken - taken % 60000)
            local n = redis.call('HGET', k, field)
            if n then
              local back = math.min(tonumber(n), units)
              redis.call('HINCRBY', k, field, string.format('%d', -back))
              redis.call('HINCRBY', k, 'u', string.format('%d', -back))
            end
          else
            local o = redis.call('HGET', k, 'o')
            if o and taken >= tonumber(o) then redis.call('HSET', k, 'u', string.format('%d', math.max(u - units, 0))) end
          end
        end
        return 1
        """);

    /// <summary>KEYS: the marker, then windows. ARGV: now, then per window kind and duration ms. Returns {1} when not seeded, else {0, used, resets, …}.</summary>
    public static readonly SharedScript Read = new("window-read", Windows + """

        if redis.call('EXISTS', KEYS[1]) == 0 then return {1} end
        local out = {0}
        for i = 2, #KEYS do
          local a = 2 + (i - 2) * 2
          local dur = tonumber(ARGV[a + 1])
          out[#out + 1] = used(KEYS[i], ARGV[a], dur)
          out[#out + 1] = resets(KEYS[i], ARGV[a], dur)
        end
        return out
        """);

    /// <summary>
    /// KEYS: the marker, then every window of the subscription. ARGV: generation, marker ttl, now,
    /// margin ms, then per window: kind, duration ms, opened ('' = not open), ends, used, bucket count,
    /// then that many (start, units) pairs oldest first. Writes the windows only if the marker is absent
    /// (another node may have seeded meanwhile); returns the generation in force.
    /// </summary>
    public static readonly SharedScript Seed = new("window-seed", """
        local existing = redis.call('GET', KEYS[1])
        if existing then return existing end
        local now, margin = tonumber(ARGV[3]), tonumber(ARGV[4])
        local function ttl(ms)
          return string.format('%d', math.max(ms, 1))
        end
        local a = 5
        for i = 2, #KEYS do
          local k = KEYS[i]
          local kind, dur, o, e, u, nb = ARGV[a], tonumber(ARGV[a + 1]), ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], tonumber(ARGV[a + 5])
          a = a + 6
          redis.call('DEL', k, k .. ':b')
          if kind == 'r' then
            local newest = nil
            for _ = 1, nb do
              redis.call('HSET', k, ARGV[a], ARGV[a + 1])
              redis.call('ZADD', k .. ':b', ARGV[a], ARGV[a])
              newest = tonumber(ARGV[a])
              a = a + 2
            end
            if newest then
              redis.call('HSET', k, 'u', u)
              local last = ttl(newest + 60000 + dur - now + margin)
              redis.call('PEXPIRE', k, last)
              redis.call('PEXPIRE', k .. ':b', last)
            end
          elseif o ~= '' then
            redis.call('HSET', k, 'o', o, 'e', e, 'u', u)
            redis.call('PEXPIRE', k, ttl(tonumber(e) - now + margin))
          end
        end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return ARGV[1]
        """);
}
