namespace Tollgate.Storage.Redis;

/// <summary>
/// The spend-account scripts. Every key of one customer carries its hash tag, so each script
/// touches one slot. An account is a hash <c>{b, r}</c>: <c>b</c> is the wallet's funds (or minus
/// a budget's spend) and <c>r</c> what is held; headroom is <c>b + ceiling − r</c>. Each hold also
/// sits in <c>&lt;account&gt;:h</c> (hold id → amount) and <c>&lt;account&gt;:e</c> (hold id scored
/// by lease expiry), so a dead node's holds are pruned once their lease ends.
///
/// <para>Exactly once, driven from the database: an account's <c>b</c> is the ledger as of a
/// PostgreSQL snapshot (kept in the account as <c>s</c>, <c>xmin:xmax:xip,…</c>) plus the charges
/// applied since that the snapshot does not include. Those are kept in the customer's <c>applied</c>
/// hash (hold id → <c>xid amount account…</c>). A settle changes no account whose snapshot already
/// includes its commit; a sync from a newer snapshot recomputes <c>b</c>, and an entry is forgotten
/// once every account it names has it. A sync from an older snapshot than an account's is ignored
/// for that account. Each account also records the epoch (<c>e</c>) it was seeded in: one seeded
/// before Redis lost or rolled back its data counts as not seeded.</para>
///
/// Time is Redis's own clock, so nodes' clocks need not agree.
/// </summary>
internal static class AccountScripts
{
    /// <summary>
    /// Gives one hold back on one account: an expired lease, a settlement and a release all end a hold
    /// alike. Returns whether the hold was there, so what ends with it (its limits) ends only once.
    /// </summary>
    private const string Drop = """
        local function drop(k, id)
          local held = redis.call('HGET', k .. ':h', id)
          if held then
            -- An account not yet seeded has no r: its seed counts only the holds still registered.
            if held ~= '0' and redis.call('EXISTS', k) == 1 then redis.call('HINCRBY', k, 'r', '-' .. held) end
            redis.call('HDEL', k .. ':h', id)
          end
          redis.call('ZREM', k .. ':e', id)
          return held ~= false
        end

        """;

    private const string Clock = LimitScripts.Clock;

    private const string Limits = LimitScripts.Functions;

    private const string Prune = Drop + Clock + """
        local function prune(k)
          local expired = redis.call('ZRANGEBYSCORE', k .. ':e', '-inf', now)
          for _, id in ipairs(expired) do drop(k, id) end
        end
        -- What a wallet's grants past their expiry still hold until their expiry entries are written: not spendable.
        local function unusable(k)
          local x = redis.call('HGET', k, 'x')
          local total = 0
          if x then
            for at, amount in string.gmatch(x, '(%d+):(%d+)') do
              if tonumber(at) <= now then total = total + tonumber(amount) end
            end
          end
          return total
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
    /// The request's admission in one call: its rate limits (see <see cref="LimitScripts.Functions"/>),
    /// then its hold on every account. KEYS: n accounts, then the limits. ARGV: hold id, lease ms,
    /// amount, the epoch, n, the token estimate, each account's ceiling ('' = only counts), then each
    /// limit's kind and size. Returns {0, limit readings…} when held on all, {1, i} when account i is not
    /// seeded in this epoch (nothing taken), {3, i, retry ms, readings…} when limit i refuses (nothing taken),
    /// {2, i, available, readings…} when account i cannot cover the amount: only the request counts are
    /// taken, as for any request refused after its limits. A hold id already registered is never counted twice.
    /// </summary>
    public static readonly SharedScript Reserve = new("reserve", Prune + Limits + """
        local n = tonumber(ARGV[5])
        local ln, la = #KEYS - n, 6 + n
        local lease = tonumber(ARGV[2])
        for i = 1, n do
          if redis.call('HGET', KEYS[i], 'e') ~= ARGV[4] then return {1, i} end
        end
        local refused, levels = limits_check(n, ln, la, tonumber(ARGV[6]))
        if refused then
          local read = limits_read(n, ln, la)
          return {3, refused[1], refused[2], read[1], read[2], read[3], read[4]}
        end
        local amount = tonumber(ARGV[3])
        for i = 1, n do
          local k = KEYS[i]
          prune(k)
          local ceiling = ARGV[6 + i]
          if ceiling ~= '' then
            local v = redis.call('HMGET', k, 'b', 'r')
            local available = tonumber(v[1]) + tonumber(ceiling) - tonumber(v[2] or '0') - unusable(k)
            if amount > available then
              local read = limits_take(n, ln, la, levels, ARGV[1], lease, true)
              return {2, i, available, read[1], read[2], read[3], read[4]}
            end
          end
        end
        for i = 1, n do
          local k = KEYS[i]
          if redis.call('HSETNX', k .. ':h', ARGV[1], ARGV[3]) == 1 and ARGV[3] ~= '0' then redis.call('HINCRBY', k, 'r', ARGV[3]) end
          redis.call('ZADD', k .. ':e', now + lease, ARGV[1])
        end
        local read = limits_take(n, ln, la, levels, ARGV[1], lease, false)
        return {0, read[1], read[2], read[3], read[4]}
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
    /// The request's settlement in one call. KEYS: the customer's applied hash, n accounts, then the
    /// limits taken with the hold. ARGV: hold id, charged amount, the commit's transaction id ('' when
    /// nothing was stored), n, the tokens to give back (negative takes more), each account's name, then
    /// each limit's kind and size. Releases the hold and, if it was still there, leaves the in-flight
    /// sets and trues the token buckets up; charges every existing account whose snapshot does not
    /// already have the commit, and remembers the charge for the syncs to come unless every account had
    /// it. Runs once per hold, however often it is retried. Returns each account's b after (or 'absent').
    /// </summary>
    public static readonly SharedScript Settle = new("settle", Drop + Clock + Limits + Snapshots + """
        local n = tonumber(ARGV[4])
        local after = {}
        local function balances()
          for i = 1, n do
            local b = redis.call('HGET', KEYS[1 + i], 'b')
            if b then after[i] = tonumber(b) else after[i] = 'absent' end
          end
          return after
        end
        local held = false
        for i = 1, n do if drop(KEYS[1 + i], ARGV[1]) then held = true end end
        if held then limits_adjust(1 + n, #KEYS - 1 - n, 5 + n, ARGV[1], tonumber(ARGV[5])) end
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return balances() end
        if ARGV[3] == '' or ARGV[2] == '0' then return balances() end
        local remember = false
        for i = 1, n do
          local k = KEYS[1 + i]
          local snap = redis.call('HGET', k, 's')
          if not snap then
            remember = true
          elseif not visible(ARGV[3], snap) then
            redis.call('HINCRBY', k, 'b', '-' .. ARGV[2])
            remember = true
          end
        end
        if remember then
          local names = {}
          for i = 1, n do names[i] = ARGV[5 + i] end
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[3] .. ' ' .. ARGV[2] .. ' ' .. table.concat(names, ' '))
        end
        return balances()
        """);

    /// <summary>
    /// KEYS: n accounts, then the limits taken with the hold. ARGV: hold id, n, the tokens to give back,
    /// then each limit's kind and size. Gives the hold back and, if it was still there, its limits.
    /// </summary>
    public static readonly SharedScript Release = new("release", Drop + Clock + Limits + """
        local n = tonumber(ARGV[2])
        local held = false
        for i = 1, n do if drop(KEYS[i], ARGV[1]) then held = true end end
        if held then limits_adjust(n, #KEYS - n, 3, ARGV[1], tonumber(ARGV[3])) end
        return 1
        """);

    /// <summary>
    /// KEYS: the customer's applied hash, then accounts. ARGV: the snapshot, '1' to seed (a request's,
    /// after the epoch's grace) or '0' (only bring accounts seeded in this epoch in line), the epoch,
    /// then per account its name, its b from the ledger at the snapshot, its ttl ms (0 = none), and (a
    /// wallet) its grants still to expire, <c>ms:nanos</c> each, which it may not count from that instant.
    /// Each account keeps its own snapshot: it is set to the ledger's b less the applied charges that
    /// snapshot lacks, unless it already has a newer one. A seeded account counts the holds registered
    /// on it; an applied charge is forgotten once every account it names has it. Returns {corrected,
    /// drift}: the accounts whose b moved while nothing was held on them (no settle can have been in
    /// flight: a drift), and the total moved.
    /// </summary>
    public static readonly SharedScript Sync = new("sync", Prune + Snapshots + """
        local snap, seed, epoch = ARGV[1], ARGV[2] == '1', ARGV[3]
        local entries = redis.call('HGETALL', KEYS[1])
        local parsed = {}
        for i = 1, #entries, 2 do
          local words = {}
          for w in string.gmatch(entries[i + 1], '%S+') do words[#words + 1] = w end
          parsed[#parsed + 1] = {entries[i], words}
        end
        local synced = {}
        local corrected, drift = 0, 0
        for i = 2, #KEYS do
          local k = KEYS[i]
          local a = 4 + (i - 2) * 4
          local name = ARGV[a]
          local v = redis.call('HMGET', k, 'b', 'r', 's', 'e')
          local current = v[1] and v[4] == epoch
          local take = (current and not_older(snap, v[3])) or (not current and seed)
          if take then
            local pending = 0
            for _, e in ipairs(parsed) do
              local words = e[2]
              if not visible(words[1], snap) then
                for j = 3, #words do if words[j] == name then pending = pending + tonumber(words[2]) end end
              end
            end
            local b = tonumber(ARGV[a + 1]) - pending
            prune(k)
            if current then
              local r = tonumber(redis.call('HGET', k, 'r') or '0')
              if tonumber(v[1]) ~= b and r == 0 then
                corrected = corrected + 1
                drift = drift + math.abs(tonumber(v[1]) - b)
              end
              redis.call('HSET', k, 'b', string.format('%d', b), 's', snap)
            else
              local r = 0
              for _, h in ipairs(redis.call('HVALS', k .. ':h')) do r = r + tonumber(h) end
              redis.call('HSET', k, 'b', string.format('%d', b), 'r', string.format('%d', r), 's', snap, 'e', epoch)
            end
            if ARGV[a + 3] ~= '' then redis.call('HSET', k, 'x', ARGV[a + 3]) else redis.call('HDEL', k, 'x') end
            local ttl = tonumber(ARGV[a + 2])
            if ttl > 0 then redis.call('PEXPIRE', k, ttl) end
            synced[name] = true
          end
        end
        for _, e in ipairs(parsed) do
          local words = e[2]
          local all = visible(words[1], snap)
          for j = 3, #words do if not synced[words[j]] then all = false end end
          if all then redis.call('HDEL', KEYS[1], e[1]) end
        end
        return {corrected, string.format('%d', drift)}
        """);

    /// <summary>KEYS: accounts. ARGV: the epoch. Returns {1, i} when account i is not seeded in it, else {0, b, r, …} per account (expired holds pruned).</summary>
    public static readonly SharedScript Read = new("account-read", Prune + """
        local out = {0}
        for i, k in ipairs(KEYS) do
          if redis.call('HGET', k, 'e') ~= ARGV[1] then return {1, i} end
          prune(k)
          local v = redis.call('HMGET', k, 'b', 'r')
          out[#out + 1] = tonumber(v[1]) - unusable(k)
          out[#out + 1] = tonumber(v[2] or '0')
        end
        return out
        """);

    /// <summary>KEYS: one account. Returns the lease expiry (ms) of its oldest live hold, or -1 when none is held.</summary>
    public static readonly SharedScript OldestHold = new("oldest-hold", Prune + """
        prune(KEYS[1])
        local first = redis.call('ZRANGE', KEYS[1] .. ':e', 0, 0, 'WITHSCORES')
        if #first == 0 then return -1 end
        return tonumber(first[2])
        """);

    /// <summary>
    /// KEYS: the epoch hash. ARGV: an id for a new epoch, the rebuild grace ms. Returns the epoch's id and the ms until it is ready. A Redis that lost its data has no epoch,
    /// and one that restarted from a dump has another run id: the first node to see either starts a new
    /// epoch, every account must be seeded again in it, and none is before every node had the grace to
    /// put its holds back.
    /// </summary>
    public static readonly SharedScript Epoch = new("epoch", Clock + """
        local run = string.match(redis.call('INFO', 'server'), 'run_id:(%x+)')
        local v = redis.call('HMGET', KEYS[1], 'id', 'ready', 'run')
        if not v[1] or v[3] ~= run then
          redis.call('HSET', KEYS[1], 'id', ARGV[1], 'ready', string.format('%d', now + tonumber(ARGV[2])), 'run', run)
          return {ARGV[1], tonumber(ARGV[2])}
        end
        return {v[1], math.max(0, tonumber(v[2]) - now)}
        """);
}
