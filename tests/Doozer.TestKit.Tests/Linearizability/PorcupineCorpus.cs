namespace Doozer.TestKit.Tests.Linearizability;

/// <summary>Porcupine's histories with known verdicts, read in place from the shared test data next to the repository.</summary>
internal static class PorcupineCorpus
{
    public static string Root { get; } = Locate();

    public static string Jepsen(string file) => Path.Combine(Root, "jepsen", file);

    public static string Kv(string file) => Path.Combine(Root, "kv", file);

    /// <summary>(file, linearizable) for every line of jepsen/EXPECTED.txt.</summary>
    public static IEnumerable<(string File, bool Linearizable)> JepsenExpected()
    {
        foreach (var line in File.ReadLines(Jepsen("EXPECTED.txt")))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2)
            {
                yield return (parts[0], parts[1] switch
                {
                    "linearizable" => true,
                    "not-linearizable" => false,
                    _ => throw new FormatException($"bad verdict line: {line}"),
                });
            }
        }
    }

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Doozer.sln")))
            {
                var corpus = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "testdata", "porcupine"));
                return Directory.Exists(corpus)
                    ? corpus
                    : throw new DirectoryNotFoundException($"test corpus not found at {corpus}");
            }
        }

        throw new DirectoryNotFoundException($"no Doozer.sln above {AppContext.BaseDirectory}");
    }
}
