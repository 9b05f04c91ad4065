namespace Tollgate.Storage.Redis;

/// <summary>
/// The spend-account scripts. Every key of one customer carries its hash tag, so each script
/// touches one slot. An account is a hash <c>{b, r}</c>: <c>b</c> is the wallet's funds (or minus
/// a budget's spend) and <c>r</c> what is held; headroom is <c>b + ceiling − r</c>. Each hold also
/// sits in <c>&lt;account&gt;:h</c> (hold id → amount) and <c>&lt;account&gt;:e</c> (hold id scored
/// by lease expiry), so a dead node's holds are pruned once their lease ends.
///
/// <para>Exactly once, driven from the database: <c>b</c> is the ledger as of a PostgreSQL snapshot
/// (kept in the customer's <c>sync</c> hash as <c>xmin:xmax:xip,…</c>) plus the charges applied since
/// that the snapshot does not include. Those are kept in the customer's <c>applied</c> hash (hold id
/// → <c>xid amount account…</c>). A settle whose commit the snapshot already includes changes nothing;
/// a sync from a newer snapshot recomputes <c>b</c> and forgets the entries it now includes. A sync
/// from an older snapshot than the stored one is ignored.</para>
///
/// Time is Redis's own clock, so nodes' clocks need not agree.
/// </summary>
internal static class AccountScripts
{
    /// <summary>Gives one hold back on one account: an expired lease, a settlement and a release all end a hold alike.</summary>
    private const string Drop = """
        local function drop(k, id)
          local held = redis.call('HGET', k .. ':h', id)
          if held then
            -- An account not yet seeded has no r: its seed counts only the holds still registered.
            if held ~= '0' and redis.call('EXISTS', k) == 1 then redis.call('HINCRBY', k, 'r', '-' .. held) end
            redis.call('HDEL', k .. ':h', id)
          end
          redis.call('ZREM', k .. ':e', id)
        end

        """;

    private const string Clock = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

        """;

    private const string Prune = Drop + Clock + """
        local function prune(k)
          local expired = redis.call('ZRANGEBYSCORE', k .. ':e', '-inf', now)
          for _, id in ipairs(expired) do drop(k, id) end
        end

        """;

    /// <summary>PostgreSQL snapshots (<c>xmin:xmax:xip,…</c>): whether a committed transaction is visible in one, and their order.</summary>
    private const string Snapshots = """
        local function snapshot(s)
          local xmin, xmax, rest = string.match(s, '^(%d+):(%d+):(.*)$')
          local xip, n = {}, 0
          for x in string.gmatch(rest, '%d+') do xip[x] = true; n = n + 1 end
          return tonumber(xmin), tonumber(xmax), xip, n
        end
        local function visible(xid, s)
          local xmin, xmax, xip = snapshot(s)
          local x = tonumber(xid)
          if x < xmin then return true end
          if x >= xmax then return false end
          return not xip[xid]
        end
        local function not_older(new, old)
          local nmin, nmax, _, nn = snapshot(new)
          local omin, omax, _, on = snapshot(old)
          if nmax ~= omax then return nmax > omax end
          if nmin ~= omin then return nmin > omin end
          return nn <= on
        end

        """;

    /// <summary>
    /// KEYS: the customer's sync hash, then accounts. ARGV: hold id, lease ms, amount, then each
    /// account's ceiling ('' = only counts). Returns {0} when held on all, {1, i} when the customer
    /// or account i is not seeded (nothing taken), {2, i, available} when account i cannot cover the
    /// amount (nothing taken). A hold id already registered is never counted twice.
    /// </summary>
    public static readonly SharedScript Reserve = new("reserve", Prune + """
        if redis.call('EXISTS', KEYS[1]) == 0 then return {1, 0} end
        for i = 2, #KEYS do
          if redis.call('EXISTS', KEYS[i]) == 0 then return {1, i - 1} end
        end
        local amount = tonumber(ARGV[3])
        for i = 2, #KEYS do
          local k = KEYS[i]
          prune(k)
          local ceiling = ARGV[2 + i]
          if ceiling ~= '' then
            local v = redis.call('HMGET', k, 'b', 'r')
            local available = tonumber(v[1]) + tonumber(ceiling) - tonumber(v[2] or '0')
            if amount > available then return {2, i - 1, available} end
          end
        end
        local expiry = now + tonumber(ARGV[2])
        for i = 2, #KEYS do
          local k = KEYS[i]
          if redis.call('HSETNX', k .. ':h', ARGV[1], ARGV[3]) == 1 and ARGV[3] ~= '0' then redis.call('HINCRBY', k, 'r', ARGV[3]) end
          redis.call('ZADD', k .. ':e', expiry, ARGV[1])
        end
        return {0}
        """);

    /// <summary>
    /// KEYS: accounts. ARGV: hold id, lease ms left, amount. Puts back a hold a node still owns after
    /// Redis lost it (a new epoch); an account not yet seeded counts it when the seed creates it.
    /// </summary>
    public static readonly SharedScript Rehold = new("rehold", Clock + """
        for _, k in ipairs(KEYS) do
          if redis.call('HSETNX', k .. ':h', ARGV[1], ARGV[3]) == 1 then
            if ARGV[3] ~= '0' and redis.call('EXISTS', k) == 1 then redis.call('HINCRBY', k, 'r', ARGV[3]) end
          end
          redis.call('ZADD', k .. ':e', now + tonumber(ARGV[2]), ARGV[1])
        end
        return 1
        """);

    /// <summary>
    /// KEYS: the customer's sync and applied hashes, then accounts. ARGV: hold id, charged amount,
    /// the commit's transaction id ('' when nothing was stored), then each account's name.
    /// Releases the hold; charges every existing account unless the snapshot behind it already has
    /// the commit, and remembers the charge for the syncs to come. Runs once per hold, however often
    /// it is retried. Returns each account's b after (or 'absent').
    /// </summary>
    public static readonly SharedScript Settle = new("settle", Drop + Snapshots + """
        local n = (#KEYS - 2)
        local after = {}
        local function balances()
          for i = 1, n do
            local b = redis.call('HGET', KEYS[2 + i], 'b')
            if b then after[i] = tonumber(b) else after[i] = 'absent' end
          end
          return after
        end
        for i = 1, n do drop(KEYS[2 + i], ARGV[1]) end
        if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return balances() end
        if ARGV[3] == '' or ARGV[2] == '0' then return balances() end
        local snap = redis.call('HGET', KEYS[1], 'snap')
        if snap and visible(ARGV[3], snap) then return balances() end
        local names = {}
        for i = 1, n do names[i] = ARGV[3 + i] end
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[3] .. ' ' .. ARGV[2] .. ' ' .. table.concat(names, ' '))
        for i = 1, n do
          local k = KEYS[2 + i]
          if redis.call('EXISTS', k) == 1 then redis.call('HINCRBY', k, 'b', '-' .. ARGV[2]) end
        end
        return balances()
        """);

    /// <summary>KEYS: accounts. ARGV: hold id. Gives the hold back.</summary>
    public static readonly SharedScript Release = new("release", Drop + """
        for _, k in ipairs(KEYS) do drop(k, ARGV[1]) end
        return 1
        """);

    /// <summary>
    /// KEYS: the customer's sync and applied hashes, then accounts. ARGV: the snapshot, '1' to create
    /// (a request's seed) or '0' (only bring existing accounts in line), then per account its name,
    /// its b from the ledger at the snapshot, and its ttl ms (0 = none).
    /// Sets each account's b to the ledger's less the applied charges the snapshot lacks; a new
    /// account counts the holds already registered on it. Returns {0} when not seeded (and not
    /// created), {2} for a stale snapshot, else {1, corrected, drift}: the accounts whose b moved while
    /// nothing was held on them (no settle can have been in flight: a drift), and the total moved.
    /// </summary>
    public static readonly SharedScript Sync = new("sync", Prune + Snapshots + """
        local snap = ARGV[1]
        local current = redis.call('HGET', KEYS[1], 'snap')
        if not current and ARGV[2] ~= '1' then return {0} end
        if current and not not_older(snap, current) then return {2} end
        local pending = {}
        local entries = redis.call('HGETALL', KEYS[2])
        for i = 1, #entries, 2 do
          local words = {}
          for w in string.gmatch(entries[i + 1], '%S+') do words[#words + 1] = w end
          if visible(words[1], snap) then
            redis.call('HDEL', KEYS[2], entries[i])
          else
            local amount = tonumber(words[2])
            for j = 3, #words do pending[words[j]] = (pending[words[j]] or 0) + amount end
          end
        end
        local corrected, drift = 0, 0
        for i = 3, #KEYS do
          local k = KEYS[i]
          local a = 3 + (i - 3) * 3
          local b = tonumber(ARGV[a + 1]) - (pending[ARGV[a]] or 0)
          prune(k)
          local v = redis.call('HMGET', k, 'b', 'r')
          if v[1] then
            local old = tonumber(v[1])
            if old ~= b and tonumber(v[2] or '0') == 0 then
              corrected = corrected + 1
              drift = drift + math.abs(old - b)
            end
            redis.call('HSET', k, 'b', string.format('%d', b))
          elseif ARGV[2] == '1' then
            local r = 0
            for _, h in ipairs(redis.call('HVALS', k .. ':h')) do r = r + tonumber(h) end
            redis.call('HSET', k, 'b', string.format('%d', b), 'r', string.format('%d', r))
          end
          local ttl = tonumber(ARGV[a + 2])
          if ttl > 0 and redis.call('EXISTS', k) == 1 then redis.call('PEXPIRE', k, ttl) end
        end
        redis.call('HSET', KEYS[1], 'snap', snap)
        return {1, corrected, string.format('%d', drift)}
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

    /// <summary>
    /// KEYS: the epoch hash. ARGV: an id for a new epoch, the rebuild grace ms. Returns the epoch's id
    /// and the ms until it is ready. A Redis that lost its data has no epoch: the first node to see
    /// that starts one, and no account is seeded in it before every node had the grace to put its
    /// holds back.
    /// </summary>
    public static readonly SharedScript Epoch = new("epoch", Clock + """
        local v = redis.call('HMGET', KEYS[1], 'id', 'ready')
        if not v[1] then
          redis.call('HSET', KEYS[1], 'id', ARGV[1], 'ready', string.format('%d', now + tonumber(ARGV[2])))
          return {ARGV[1], tonumber(ARGV[2])}
        end
        return {v[1], math.max(0, tonumber(v[2]) - now)}
        """);
}
