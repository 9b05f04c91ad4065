namespace Tollgate.Bench.Hosting;

/// <summary>
/// On a machine shared with other work, waits (bounded) until processes this run did not start
/// leave the cores, so a measurement is not taken in the middle of someone else's build.
/// </summary>
internal sealed class QuietGate(IReadOnlyList<ChildProcess> started, TimeSpan limit, double quietPercent)
{
    private static readonly TimeSpan Sample = TimeSpan.FromMilliseconds(500);

    /// <returns>Share of all cores other processes used in the last sample, in percent.</returns>
    public async Task<double> WaitAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var other = await SampleOtherLoadAsync(cancellationToken);
            if (other <= quietPercent || DateTime.UtcNow + Sample > deadline) return other;
        }
    }

    private async Task<double> SampleOtherLoadAsync(CancellationToken cancellationToken)
    {
        var (busy0, total0) = ProcStats.MachineCpu();
        var ours0 = Ours();
        await Task.Delay(Sample, cancellationToken);
        var (busy1, total1) = ProcStats.MachineCpu();
        var ours1 = Ours();
        var total = (total1 - total0) / ProcStats.TicksPerSecond;
        var others = ((busy1 - busy0) / ProcStats.TicksPerSecond) - (ours1 - ours0);
        return total > 0 ? Math.Max(0, 100 * others / total) : 0;
    }

    private double Ours() => started.Where(p => !p.HasExited).Sum(p => ProcStats.CpuSeconds(p.Pid)) + ProcStats.OwnCpuSeconds();
}
