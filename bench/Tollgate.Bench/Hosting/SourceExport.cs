namespace Tollgate.Bench.Hosting;

/// <summary>
/// Copies the gateway's sources as of a git commit into a folder of the temporary directory, so
/// a benchmark can measure a commit while the working tree is being edited. The folder is named
/// by the commit and kept, so a second run of the same commit builds incrementally.
/// </summary>
internal static class SourceExport
{
    /// <summary>What building <c>src/</c> needs from the repository root, where present at that commit.</summary>
    private static readonly string[] Paths = ["src", "Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig", "NuGet.config", "nuget.config"];

    /// <summary>The full commit id an exported tree was taken from.</summary>
    public static string CommitOf(RepoLayout exported) => File.ReadAllText(Path.Combine(exported.Root, ".complete")).Trim();

    /// <returns>The exported tree, laid out as the repository is.</returns>
    public static async Task<RepoLayout> ExportAsync(RepoLayout repo, string gitRef, CancellationToken cancellationToken)
    {
        var commit = (await Shell.RunAsync("git", ["-C", repo.Root, "rev-parse", "--verify", gitRef + "^{commit}"], cancellationToken)).Trim();
        var targetDir = Path.Combine(Path.GetTempPath(), "tollgate-bench-source-" + commit);
        if (File.Exists(Path.Combine(targetDir, ".complete"))) return new RepoLayout(targetDir);
        Directory.CreateDirectory(targetDir);
        var present = (await Shell.RunAsync("git", ["-C", repo.Root, "ls-tree", "--name-only", gitRef], cancellationToken))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var archive = Path.Combine(targetDir, "source.tar");
        await Shell.RunAsync("git", ["-C", repo.Root, "archive", "--format=tar", "-o", archive, gitRef, .. Paths.Where(present.Contains)], cancellationToken);
        await Shell.RunAsync("tar", ["-xf", archive, "-C", targetDir], cancellationToken);
        File.Delete(archive);
        await File.WriteAllTextAsync(Path.Combine(targetDir, ".complete"), commit, cancellationToken);
        return new RepoLayout(targetDir);
    }
}
