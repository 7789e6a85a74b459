using System.CommandLine;

namespace Doozer.Cli;

/// <summary>
/// The command line of the <c>doozer</c> tool: original doozer's commands, global options and exit codes
/// (CLIENTS.md section 1), parsed by System.CommandLine. Parse errors are usage errors (127), not System.CommandLine's 1.
/// </summary>
internal static class DoozerCommand
{
    public static async Task<int> RunAsync(string[] args, Stream stdin, Stream stdout, TextWriter stderr)
    {
        var globals = new GlobalOptions();
        var root = Build(globals, stdin, new Output(stdout), stderr);
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
                await stderr.WriteLineAsync($"Error: {error.Message}");
            await stderr.WriteLineAsync("Usage: doozer [options] COMMAND [ARGS]; run 'doozer help' for the commands.");
            return ExitCodes.Usage;
        }
        using var stdoutWriter = new StreamWriter(stdout, leaveOpen: true) { AutoFlush = true };
        return await result.InvokeAsync(new InvocationConfiguration { Output = stdoutWriter, Error = stderr });
    }

    private static RootCommand Build(GlobalOptions g, Stream stdin, Output output, TextWriter stderr)
    {
        var root = new RootCommand("doozer: read, write and watch a Doozer cluster (original doozer's commands, over HTTP).");
        foreach (var option in g.All)
            root.Options.Add(option);
        foreach (var option in root.Options)
        {
            if (option is VersionOption)
                option.Aliases.Add("-v");
        }

        var path = () => new Argument<string>("PATH") { Description = "A path, for example /a/b." };
        var revision = () => new Argument<long>("REV") { Description = "The rev the file must still have; -1: unconditional." };
        var glob = () => new Argument<string>("GLOB") { Description = "A glob: ? one character, * a name part, ** any run including /." };

        Command Add(string name, string description, Func<ParseResult, Commands, CancellationToken, Task<int>> run, params Symbol[] symbols)
        {
            var command = new Command(name, description);
            foreach (var symbol in symbols)
            {
                if (symbol is Argument argument)
                    command.Arguments.Add(argument);
            }
            command.SetAction((result, ct) => Commands.RunAsync(g, result, stdin, output, stderr, run, ct));
            root.Subcommands.Add(command);
            return command;
        }

        var addPath = path();
        Add("add", "Create a file that must not exist yet, body from stdin; prints the new rev.",
            (r, c, ct) => c.AddAsync(r.GetValue(addPath)!, ct), addPath);
        var setPath = path();
        var setRev = revision();
        Add("set", "Write a file if it still has REV (-1: unconditional), body from stdin; prints the new rev.",
            (r, c, ct) => c.SetAsync(r.GetValue(setPath)!, r.GetValue(setRev), ct), setPath, setRev);
        var delPath = path();
        var delRev = revision();
        Add("del", "Delete a file if it still has REV (-1: unconditional).",
            (r, c, ct) => c.DelAsync(r.GetValue(delPath)!, r.GetValue(delRev), ct), delPath, delRev);
        var getPath = path();
        Add("get", "Print a file's bytes (at -r REV if given).",
            (r, c, ct) => c.GetAsync(r.GetValue(getPath)!, ct), getPath);
        Add("rev", "Print the current revision.", (_, c, ct) => c.RevAsync(ct));
        var statPath = path();
        Add("stat", "Print 'REV LEN' for a file, 'd COUNT' for a directory.",
            (r, c, ct) => c.StatAsync(r.GetValue(statPath)!, ct), statPath);
        var findPath = path();
        Add("find", "Print PATH and every directory and file under it, depth-first, one per line.",
            (r, c, ct) => c.FindAsync(r.GetValue(findPath)!, ct), findPath);
        var touchPath = path();
        Add("touch", "Bump a file's rev (create it empty if missing); prints the new rev.",
            (r, c, ct) => c.TouchAsync(r.GetValue(touchPath)!, ct), touchPath);
        Add("nop", "A consensus barrier.", (_, c, ct) => c.NopAsync(ct));
        Add("self", "Print the id of the node answering.", (_, c, ct) => c.SelfAsync(ct));
        var waitGlob = glob();
        Add("wait", "Print the first change matching GLOB at or after -r (default: the next change) as an event record.",
            (r, c, ct) => c.WaitAsync(r.GetValue(waitGlob)!, ct), waitGlob);
        var watchGlob = glob();
        Add("watch", "Print every change matching GLOB from -r on, forever, as event records (resuming across nodes).",
            (r, c, ct) => c.WatchAsync(r.GetValue(watchGlob)!, ct), watchGlob);

        var cluster = Add("cluster", "Print the cluster: its name, leader and members with their roles.", (_, c, ct) => c.ClusterAsync(ct));
        var addSlot = new Command("add-slot", "Add a voter slot (an empty /ctl/cal/N); prints N.");
        addSlot.SetAction((result, ct) => Commands.RunAsync(g, result, stdin, output, stderr, (_, c, t) => c.AddSlotAsync(t), ct));
        var slot = new Argument<int>("N") { Description = "The slot number." };
        var removeSlot = new Command("remove-slot", "Remove the voter slot /ctl/cal/N.") { slot };
        removeSlot.SetAction((result, ct) => Commands.RunAsync(g, result, stdin, output, stderr, (r, c, t) => c.RemoveSlotAsync(r.GetValue(slot), t), ct));
        cluster.Subcommands.Add(addSlot);
        cluster.Subcommands.Add(removeSlot);

        var topic = new Argument<string?>("COMMAND") { Arity = ArgumentArity.ZeroOrOne, Description = "The command to explain." };
        var help = new Command("help", "Print help, for the tool or one command.") { topic };
        help.SetAction(result =>
        {
            var name = result.GetValue(topic);
            if (name is not null && root.Subcommands.All(c => c.Name != name))
            {
                stderr.WriteLine($"Error: unknown command '{name}'");
                return ExitCodes.Usage;
            }
            var config = new InvocationConfiguration { Output = result.InvocationConfiguration.Output };
            return root.Parse(name is null ? ["--help"] : [name, "--help"]).Invoke(config);
        });
        root.Subcommands.Add(help);

        root.SetAction(result =>
        {
            stderr.WriteLine("Error: a command is required");
            var config = new InvocationConfiguration { Output = stderr };
            root.Parse(["--help"]).Invoke(config);
            return ExitCodes.Usage;
        });
        return root;
    }
}
