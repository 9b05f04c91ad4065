using System.Text.RegularExpressions;
using Tollgate.Gateway;

namespace Tollgate.Tests.Gateway;

/// <summary>Request ids: unguessable, and in time order so the usage table grows at its right edge.</summary>
public sealed partial class RequestIdsTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_123);

    [Fact]
    public void New_LaterMillisecond_SortsAfterEveryEarlierId()
    {
        var earlier = Enumerable.Range(0, 200).Select(_ => RequestIds.New(At)).ToArray();
        var later = Enumerable.Range(0, 200).Select(_ => RequestIds.New(At.AddMilliseconds(1))).ToArray();

        Assert.All(earlier, e => Assert.All(later, l => Assert.True(string.CompareOrdinal(e, l) < 0, $"{e} sorts after {l}")));
    }

    [Fact]
    public void New_YearsApart_KeepOneLengthAndTimeOrder()
    {
        DateTimeOffset[] times = [DateTimeOffset.UnixEpoch, At, At.AddYears(30), At.AddYears(1000)];
        var ids = times.Select(RequestIds.New).ToArray();

        Assert.All(ids, id => Assert.Matches(Shape(), id));
        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void New_SameMillisecond_EveryIdDistinct()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => RequestIds.New(At)).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(10_000, ids.Count);
    }

    [GeneratedRegex("^req_[0-9a-z]{25}$")]
    private static partial Regex Shape();
}
