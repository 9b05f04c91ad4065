namespace Tollgate.Shared;

/// <summary>
/// The spend-account scripts. An account is a hash <c>{b, r}</c>: <c>b</c> is the wallet's funds
/// (or minus a budget's spend) and <c>r</c> what is held; headroom is <c>b + ceiling − r</c>. Each
/// hold also sits in <c>&lt;account&gt;:h</c> (hold id → amount) and <c>&lt;account&gt;:e</c> (hold
/// id scored by lease expiry), so a dead node's holds are pruned once their lease ends.
/// Time is Redis's own clock, so nodes' clocks need not agree.
/// </summary>
internal static class AccountScripts
{
    /// <summary>Gives one hold back on one account: an expired lease, a settlement and a release all end a hold alike.</summary>
    private const string Drop = """
        local function drop(k, id)
          local held = redis.call('HGET', k .. ':h', id)
          if held then
            if held ~= '0' then redis.call('HINCRBY', k, 'r', '-' .. held) end
            redis.call('HDEL', k .. ':h', id)
          end
          redis.call('ZREM', k .. ':e', id)
        end

        """;

    private const string Prune = Drop + """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local function prune(k)
          local expired = redis.call('ZRANGEBYSCORE', k .. ':e', '-inf', now)
          for _, id in ipairs(expired) do drop(k, id) end
        end
        """;

    /// <summary>
    /// KEYS: accounts. ARGV: hold id, lease ms, amount, then each account's ceiling ('' = only counts).
    /// Returns {0} when held on all, {1, i} when account i is not seeded (nothing taken),
    /// {2, i, available} when account i cannot cover the amount (nothing taken).
    /// </summary>
    public static readonly SharedScript Reserve = new("reserve", Prune + """

        for i, k in ipairs(KEYS) do
          if redis.call('EXISTS', k) == 0 then return {1, i} end
        end
        local amount = tonumber(ARGV[3])
        for i, k in ipairs(KEYS) do
          prune(k)
          local ceiling = ARGV[3 + i]
          if ceiling ~= '' then
            local v = redis.call('HMGET', k, 'b', 'r')
            local available = tonumber(v[1]) + tonumber(ceiling) - tonumber(v[2] or '0')
            if amount > available then return {2, i, available} end
          end
        end
        local expiry = now + tonumber(ARGV[2])
        for _, k in ipairs(KEYS) do
          if ARGV[3] ~= '0' then redis.call('HINCRBY', k, 'r', ARGV[3]) end
          redis.call('HSET', k .. ':h', ARGV[1], ARGV[3])
          redis.call('ZADD', k .. ':e', expiry, ARGV[1])
        end
        return {0}
        """);

    /// <summary>
    /// KEYS: accounts, then the hold's settled marker. ARGV: hold id, charged amount, marker ttl ms.
    /// Releases the hold and charges every account that exists (an absent one is seeded from the
    /// ledger, which already holds this charge: settlement follows the usage commit). Runs once per
    /// hold, however often it is retried. Returns each account's b after (or nil when absent).
    /// </summary>
    public static readonly SharedScript Settle = new("settle", Drop + """
        local n = #KEYS - 1
        if not redis.call('SET', KEYS[#KEYS], '1', 'NX', 'PX', ARGV[3]) then return {} end
        local after = {}
        for i = 1, n do
          local k = KEYS[i]
          drop(k, ARGV[1])
          if redis.call('EXISTS', k) == 1 then
            if ARGV[2] ~= '0' then
              after[i] = redis.call('HINCRBY', k, 'b', '-' .. ARGV[2])
            else
              after[i] = tonumber(redis.call('HGET', k, 'b'))
            end
          else
            after[i] = 'absent'
          end
        end
        return after
        """);

    /// <summary>KEYS: accounts. ARGV: hold id. Gives the hold back.</summary>
    public static readonly SharedScript Release = new("release", Drop + """
        for _, k in ipairs(KEYS) do drop(k, ARGV[1]) end
        return 1
        """);

    /// <summary>KEYS: one wallet. ARGV: signed delta. Grants, payments and expiries; an absent wallet is seeded from the ledger later.</summary>
    public static readonly SharedScript Adjust = new("adjust", """
        if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HINCRBY', KEYS[1], 'b', ARGV[1]) end
        return 1
        """);

    /// <summary>
    /// KEYS: accounts. ARGV: each account's b from the ledger, then each one's ttl ms (0 = none).
    /// Creates only absent accounts; holds still recorded for one count as held.
    /// </summary>
    public static readonly SharedScript Seed = new("seed", """
        local n = #KEYS
        for i, k in ipairs(KEYS) do
          if redis.call('EXISTS', k) == 0 then
            local r = 0
            for _, v in ipairs(redis.call('HVALS', k .. ':h')) do r = r + tonumber(v) end
            redis.call('HSET', k, 'b', ARGV[i], 'r', string.format('%d', r))
            local ttl = tonumber(ARGV[n + i])
            if ttl > 0 then redis.call('PEXPIRE', k, ttl) end
          end
        end
        return 1
        """);

    /// <summary>KEYS: accounts. Returns {1, i} when account i is not seeded, else {0, b, r, …} per account (expired holds pruned).</summary>
    public static readonly SharedScript Read = new("account-read", Prune + """

        local out = {0}
        for i, k in ipairs(KEYS) do
          if redis.call('EXISTS', k) == 0 then return {1, i} end
          prune(k)
          local v = redis.call('HMGET', k, 'b', 'r')
          out[#out + 1] = tonumber(v[1])
          out[#out + 1] = tonumber(v[2] or '0')
        end
        return out
        """);
}
