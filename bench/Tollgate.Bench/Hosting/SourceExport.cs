namespace Tollgate.Bench.Hosting;

/// <summary>
/// Copies the gateway's sources as of a git commit into a folder, so a benchmark can measure a
/// commit while the working tree is being edited.
/// </summary>
internal static class SourceExport
{
    /// <summary>What building <c>src/</c> needs from the repository root, where present at that commit.</summary>
    private static readonly string[] Paths = ["src", "Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig", "NuGet.config", "nuget.config"];

    /// <returns>The exported tree, laid out as the repository is.</returns>
    public static async Task<RepoLayout> ExportAsync(RepoLayout repo, string gitRef, string targetDir, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(targetDir);
        var present = (await Shell.RunAsync("git", ["-C", repo.Root, "ls-tree", "--name-only", gitRef], cancellationToken))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var archive = Path.Combine(targetDir, "source.tar");
        await Shell.RunAsync("git", ["-C", repo.Root, "archive", "--format=tar", "-o", archive, gitRef, .. Paths.Where(present.Contains)], cancellationToken);
        await Shell.RunAsync("tar", ["-xf", archive, "-C", targetDir], cancellationToken);
        File.Delete(archive);
        return new RepoLayout(targetDir);
    }
}
