using System.CommandLine;
using System.Globalization;
using Doozer.Client;
using Doozer.Contracts;

namespace Doozer.Cli;

/// <summary>What each command does, on a <see cref="DoozerClient"/> over the nodes of the global options.</summary>
internal sealed class Commands(DoozerClient client, ParseResult result, GlobalOptions globals, Stream stdin, Output output, TextWriter stderr)
{
    public static async Task<int> RunAsync(
        GlobalOptions globals,
        ParseResult result,
        Stream stdin,
        Output output,
        TextWriter stderr,
        Func<ParseResult, Commands, CancellationToken, Task<int>> run,
        CancellationToken cancellationToken)
    {
        DoozerClientOptions options;
        try
        {
            options = globals.ClientOptions(result);
        }
        catch (FormatException e)
        {
            await stderr.WriteLineAsync($"Error: {e.Message}");
            return ExitCodes.Usage;
        }
        using var client = new DoozerClient(options);
        try
        {
            return await run(result, new Commands(client, result, globals, stdin, output, stderr), cancellationToken);
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync($"Error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (DoozerException e)
        {
            await stderr.WriteLineAsync($"Error: {e.Message}");
            return ExitCodes.Error;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Success;
        }
    }

    private long? Rev => result.GetValue(globals.Rev);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private async Task<byte[]> BodyAsync(CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await stdin.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    private async Task<int> WrittenAsync(string path, WriteResult written, bool print, CancellationToken cancellationToken)
    {
        if (written.IsRevMismatch)
        {
            await stderr.WriteLineAsync(written.CurrentRev == 0
                ? $"Error: rev mismatch: {path} does not exist"
                : $"Error: rev mismatch: {path} is at rev {Text(written.CurrentRev)}");
            return ExitCodes.RevMismatch;
        }
        if (print)
            await output.LineAsync(Text(written.Rev), cancellationToken);
        return ExitCodes.Success;
    }

    public async Task<int> AddAsync(string path, CancellationToken cancellationToken) =>
        await WrittenAsync(path, await client.SetAsync(path, await BodyAsync(cancellationToken), DoozerClient.Missing, cancellationToken), true, cancellationToken);

    public async Task<int> SetAsync(string path, long rev, CancellationToken cancellationToken)
    {
        if (rev < -1)
            throw new ArgumentException($"bad rev {Text(rev)}: a revision, or -1 for unconditional");
        return await WrittenAsync(path, await client.SetAsync(path, await BodyAsync(cancellationToken), rev, cancellationToken), true, cancellationToken);
    }

    public async Task<int> DelAsync(string path, long rev, CancellationToken cancellationToken)
    {
        if (rev < -1)
            throw new ArgumentException($"bad rev {Text(rev)}: a revision, or -1 for unconditional");
        return await WrittenAsync(path, await client.DeleteAsync(path, rev, cancellationToken), false, cancellationToken);
    }

    public async Task<int> GetAsync(string path, CancellationToken cancellationToken)
    {
        var file = await client.GetAsync(path, Rev, cancellationToken);
        if (file is null)
        {
            await stderr.WriteLineAsync($"Error: {path}: not found");
            return ExitCodes.Error;
        }
        await output.BytesAsync(file.Value, cancellationToken);
        return ExitCodes.Success;
    }

    public async Task<int> RevAsync(CancellationToken cancellationToken)
    {
        await output.LineAsync(Text(await client.RevAsync(cancellationToken)), cancellationToken);
        return ExitCodes.Success;
    }

    public async Task<int> StatAsync(string path, CancellationToken cancellationToken)
    {
        var stat = await client.StatAsync(path, Rev, cancellationToken);
        if (stat is null)
        {
            await stderr.WriteLineAsync($"No such file or directory: {path}");
            return ExitCodes.Error;
        }
        if (stat.Kind == PathKind.File)
        {
            await output.LineAsync($"{Text(stat.Rev)} {Text(stat.Size)}", cancellationToken);
            return ExitCodes.Success;
        }
        var count = 0;
        await foreach (var _ in client.ListAsync(path, stat.StoreRev, 10000, cancellationToken))
            count++;
        await output.LineAsync($"d {Text(count)}", cancellationToken);
        return ExitCodes.Success;
    }

    public async Task<int> FindAsync(string path, CancellationToken cancellationToken)
    {
        var stat = await client.StatAsync(path, Rev, cancellationToken);
        if (stat is null)
        {
            await stderr.WriteLineAsync($"No such file or directory: {path}");
            return ExitCodes.Error;
        }
        await output.LineAsync(path, cancellationToken);
        if (stat.Kind == PathKind.Directory)
            await FindBelowAsync(path, stat.StoreRev, cancellationToken);
        return ExitCodes.Success;
    }

    private async Task FindBelowAsync(string directory, long rev, CancellationToken cancellationToken)
    {
        await foreach (var entry in client.ListAsync(directory, rev, 10000, cancellationToken))
        {
            var child = directory == "/" ? "/" + entry.Name : directory + "/" + entry.Name;
            await output.LineAsync(child, cancellationToken);
            if (entry.Kind == "dir")
                await FindBelowAsync(child, rev, cancellationToken);
        }
    }

    public async Task<int> TouchAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            var file = await client.GetAsync(path, cancellationToken: cancellationToken);
            var written = file is null
                ? await client.SetAsync(path, ReadOnlyMemory<byte>.Empty, DoozerClient.Missing, cancellationToken)
                : await client.SetAsync(path, file.Value, file.Rev, cancellationToken);
            // Someone else wrote in between: their write is newer; touch again on top of it.
            if (written.Succeeded)
            {
                await output.LineAsync(Text(written.Rev), cancellationToken);
                return ExitCodes.Success;
            }
        }
    }

    public async Task<int> NopAsync(CancellationToken cancellationToken)
    {
        await client.NopAsync(cancellationToken);
        return ExitCodes.Success;
    }

    public async Task<int> SelfAsync(CancellationToken cancellationToken)
    {
        await output.LineAsync((await client.SelfAsync(cancellationToken)).Id, cancellationToken);
        return ExitCodes.Success;
    }

    public async Task<int> WaitAsync(string glob, CancellationToken cancellationToken)
    {
        var seconds = result.GetValue(globals.Timeout);
        if (seconds is < 0)
            throw new ArgumentException("the timeout (-t) is a number of seconds, 0 or more");
        var from = Rev;
        // Without -r, pin "the next change" once, so that polling again in slices of 300 s misses nothing.
        from ??= await client.RevAsync(cancellationToken) + 1;
        var deadline = seconds is null ? (DateTime?)null : DateTime.UtcNow.AddSeconds(seconds.Value);
        while (true)
        {
            var left = deadline is null ? TimeSpan.FromSeconds(300) : deadline.Value - DateTime.UtcNow;
            if (left < TimeSpan.Zero)
                left = TimeSpan.Zero;
            if (left > TimeSpan.FromSeconds(300))
                left = TimeSpan.FromSeconds(300);
            var found = await client.WaitAsync(glob, from, left, cancellationToken);
            if (found is not null)
            {
                await output.EventAsync(found.Event, cancellationToken);
                return ExitCodes.Success;
            }
            if (deadline is not null && DateTime.UtcNow >= deadline)
            {
                await stderr.WriteLineAsync($"Error: timeout: no change matching {glob}");
                return ExitCodes.Error;
            }
        }
    }

    public async Task<int> WatchAsync(string glob, CancellationToken cancellationToken)
    {
        await foreach (var change in client.WatchAsync(glob, Rev, cancellationToken))
            await output.EventAsync(change, cancellationToken);
        return ExitCodes.Success;
    }

    public async Task<int> ClusterAsync(CancellationToken cancellationToken)
    {
        var cluster = await client.ClusterAsync(cancellationToken);
        await output.LineAsync($"name {cluster.Name}", cancellationToken);
        await output.LineAsync($"self {cluster.Self}", cancellationToken);
        await output.LineAsync($"leader {cluster.Leader ?? "none"}", cancellationToken);
        await output.LineAsync($"rev {Text(cluster.Rev)}", cancellationToken);
        foreach (var m in cluster.Members)
        {
            var marks = (m.Id == cluster.Leader ? " leader" : "") + (m.Id == cluster.Self ? " self" : "");
            await output.LineAsync($"{m.Id} {m.Name} {m.Role} {m.Url} applied={(m.Applied is { } applied ? Text(applied) : "?")}{marks}", cancellationToken);
        }
        return ExitCodes.Success;
    }

    private const string Slots = "/ctl/cal";

    public async Task<int> AddSlotAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var next = 0;
            try
            {
                await foreach (var entry in client.ListAsync(Slots, cancellationToken: cancellationToken))
                {
                    if (int.TryParse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= next)
                        next = n + 1;
                }
            }
            catch (DoozerException e) when (e.ProblemType == ProblemTypes.NotFound)
            {
            }
            var slot = $"{Slots}/{Text(next)}";
            var written = await client.SetAsync(slot, ReadOnlyMemory<byte>.Empty, DoozerClient.Missing, cancellationToken);
            if (written.Succeeded)
            {
                await output.LineAsync(Text(next), cancellationToken);
                return ExitCodes.Success;
            }
        }
    }

    public async Task<int> RemoveSlotAsync(int slot, CancellationToken cancellationToken)
    {
        if (slot < 0)
            throw new ArgumentException($"bad slot {slot}");
        return await WrittenAsync($"{Slots}/{Text(slot)}", await client.DeleteAsync($"{Slots}/{Text(slot)}", cancellationToken: cancellationToken), false, cancellationToken);
    }
}
