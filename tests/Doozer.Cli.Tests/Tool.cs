using System.Diagnostics;
using System.Text;

namespace Doozer.Cli.Tests;

/// <summary>The built doozer tool, run as a process the way a user runs it.</summary>
internal static class Tool
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "doozer.dll");

    public sealed record Run(int Code, byte[] Stdout, string Stderr)
    {
        public string Out => Encoding.UTF8.GetString(Stdout);

        public override string ToString() => $"exit {Code}\nstdout: {Out}\nstderr: {Stderr}";
    }

    public static Process Start(Uri? node, IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment.Remove("DOOZER_URI");
        start.Environment.Remove("DOOZER_SECRET");
        if (node is not null)
            start.Environment["DOOZER_URI"] = node.ToString();
        foreach (var (key, value) in env ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        return Process.Start(start)!;
    }

    public static Task<Run> RunAsync(Uri? node, params string[] args) => RunAsync(node, [], null, args);

    public static async Task<Run> RunAsync(Uri? node, byte[] stdin, IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        using var process = Start(node, env, args);
        var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.BaseStream.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        await copy;
        return new Run(process.ExitCode, stdout.ToArray(), await stderr);
    }
}
