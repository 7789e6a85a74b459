using System.Diagnostics;

namespace Doozer.WebView.Tests;

/// <summary>The real /usr/bin/curl, as a user following the README would run it.</summary>
public static class Curl
{
    /// <summary>Runs curl with these arguments (plus -sS and the node's secret, if any) and returns what it printed.</summary>
    public static async Task<string> RunAsync(DoozerNode node, params string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-sS");
        start.ArgumentList.Add("--max-time");
        start.ArgumentList.Add("10");
        if (node.Secret is not null)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add("Authorization: Bearer " + node.Secret);
        }
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var curl = Process.Start(start)!;
        var stdout = curl.StandardOutput.ReadToEndAsync();
        var stderr = curl.StandardError.ReadToEndAsync();
        await curl.WaitForExitAsync();
        var output = await stdout;
        node.Append($"curl {string.Join(' ', args)} -> exit {curl.ExitCode}: {output} {await stderr}");
        if (curl.ExitCode != 0)
            throw new InvalidOperationException($"curl {string.Join(' ', args)} exited {curl.ExitCode}: {await stderr}");
        return output;
    }

    /// <summary>PUT a value; returns the new file revision from the response's ETag.</summary>
    public static async Task<long> PutAsync(DoozerNode node, string path, string value)
    {
        var headers = await RunAsync(node, "-X", "PUT", "--data-binary", value, "-D", "-", "-o", "/dev/null", node.Url + "/tree" + path);
        foreach (var line in headers.Split('\n'))
        {
            if (line.StartsWith("ETag:", StringComparison.OrdinalIgnoreCase))
                return long.Parse(line["ETag:".Length..].Trim().Trim('"'));
        }
        throw new InvalidOperationException("no ETag in the PUT response:\n" + headers);
    }

    public static Task<string> GetAsync(DoozerNode node, string path) => RunAsync(node, node.Url + "/tree" + path);

    /// <summary>The HTTP status of a DELETE.</summary>
    public static Task<string> DeleteAsync(DoozerNode node, string path) =>
        RunAsync(node, "-X", "DELETE", "-o", "/dev/null", "-w", "%{http_code}", node.Url + "/tree" + path);
}
