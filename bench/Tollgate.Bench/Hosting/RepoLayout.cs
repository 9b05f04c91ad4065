namespace Tollgate.Bench.Hosting;

/// <summary>Where the repository's projects are, found from the working directory upwards.</summary>
internal sealed record RepoLayout(string Root)
{
    public string TollgateProject => Path.Combine(Root, "src", "Tollgate", "Tollgate.csproj");

    public string MockProject => Path.Combine(Root, "bench", "Tollgate.Bench.Mock", "Tollgate.Bench.Mock.csproj");

    public string YarpProject => Path.Combine(Root, "bench", "Tollgate.Bench.Yarp", "Tollgate.Bench.Yarp.csproj");

    /// <summary>The Portkey peer kept beside the repository, in the shared folder.</summary>
    public string DefaultPortkeyDir => Path.GetFullPath(Path.Combine(Root, "..", "shared", "peers", "portkey"));

    public static RepoLayout Find()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Tollgate.slnx"))) return new RepoLayout(dir.FullName);
        }
        throw new InvalidOperationException("Run the benchmark from inside the Tollgate repository (no Tollgate.slnx found above the working directory).");
    }
}
