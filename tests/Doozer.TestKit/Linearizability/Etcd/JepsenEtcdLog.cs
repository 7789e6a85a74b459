using System.Globalization;
using System.Text.RegularExpressions;

namespace Doozer.TestKit.Linearizability.Etcd;

/// <summary>
/// Reads a Jepsen etcd log (Porcupine's test corpus): <c>INFO jepsen.util - P :invoke|:ok|:fail|:info :read|:write|:cas ARG</c>.
/// Time is the event's position in the file, which is in real-time order.
/// </summary>
public static partial class JepsenEtcdLog
{
    public static IReadOnlyList<Operation<EtcdInput, EtcdOutput>> Parse(string path) => Parse(File.ReadLines(path));

    public static IReadOnlyList<Operation<EtcdInput, EtcdOutput>> Parse(IEnumerable<string> lines)
    {
        var operations = new List<Operation<EtcdInput, EtcdOutput>>();
        var pending = new Dictionary<int, (EtcdInput Input, long Call)>();
        long time = 0;
        foreach (var line in lines)
        {
            var match = Event().Match(line);
            if (!match.Success)
            {
                continue;
            }

            time++;
            var process = int.Parse(match.Groups["process"].ValueSpan, CultureInfo.InvariantCulture);
            var type = match.Groups["type"].Value;
            var f = match.Groups["f"].Value;
            var argument = match.Groups["arg"].Value;
            if (type == "invoke")
            {
                pending[process] = (ParseInput(f, argument), time);
                continue;
            }

            if (!pending.Remove(process, out var call))
            {
                throw new FormatException($"completion without invocation: {line}");
            }

            switch (type)
            {
                case "ok":
                    operations.Add(new(process, call.Input, call.Call, ParseOk(f, argument), time));
                    break;
                case "fail" when f == "cas" && argument != ":timed-out":
                    operations.Add(new(process, call.Input, call.Call, EtcdOutput.CompareAndSet(false), time));
                    break;
                case "fail" or "info" when f == "read":
                    // A read that failed or timed out changed nothing and told nothing: drop it.
                    break;
                case "info":
                    operations.Add(Unknown(process, call));
                    break;
                default:
                    throw new FormatException($"unexpected event: {line}");
            }
        }

        // An invocation that never completed may still have taken effect.
        foreach (var (process, call) in pending)
        {
            if (call.Input.Kind != EtcdOperation.Read)
            {
                operations.Add(Unknown(process, call));
            }
        }

        return operations;
    }

    private static Operation<EtcdInput, EtcdOutput> Unknown(int process, (EtcdInput Input, long Call) call) =>
        new(process, call.Input, call.Call, EtcdOutput.TimedOut, Operation<EtcdInput, EtcdOutput>.NeverReturned);

    private static EtcdInput ParseInput(string f, string argument) => f switch
    {
        "read" => EtcdInput.Read(),
        "write" => EtcdInput.Write(ParseInt(argument)),
        _ => ParsePair(argument) is var (a, b) ? EtcdInput.CompareAndSet(a, b) : default,
    };

    private static EtcdOutput ParseOk(string f, string argument) => f switch
    {
        "read" => EtcdOutput.Read(argument == "nil" ? null : ParseInt(argument)),
        "write" => EtcdOutput.Written,
        _ => EtcdOutput.CompareAndSet(true),
    };

    private static int ParseInt(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    private static (int, int) ParsePair(string text)
    {
        var inner = text.AsSpan().Trim().TrimStart('[').TrimEnd(']');
        var space = inner.IndexOf(' ');
        return (int.Parse(inner[..space], CultureInfo.InvariantCulture), int.Parse(inner[(space + 1)..].Trim(), CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"jepsen\.util - (?<process>\d+)\s+:(?<type>invoke|ok|fail|info)\s+:(?<f>read|write|cas)\s+(?<arg>.*?)\s*$")]
    private static partial Regex Event();
}
