using System.Globalization;
using System.Text.RegularExpressions;

namespace Doozer.TestKit.Linearizability.Kv;

/// <summary>
/// Reads Porcupine's kv histories: <c>{:process P, :type :invoke|:ok|:fail|:info, :f :get|:put|:append, :key "K", :value "V"|nil}</c>,
/// one event a line in real-time order; time is the event's position.
/// </summary>
public static partial class KvLog
{
    public static IReadOnlyList<Operation<KvInput, KvOutput>> Parse(string path) => Parse(File.ReadLines(path));

    public static IReadOnlyList<Operation<KvInput, KvOutput>> Parse(IEnumerable<string> lines)
    {
        var operations = new List<Operation<KvInput, KvOutput>>();
        var pending = new Dictionary<int, (KvInput Input, long Call)>();
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
            var kind = match.Groups["f"].Value switch
            {
                "get" => KvOperation.Get,
                "put" => KvOperation.Put,
                _ => KvOperation.Append,
            };
            var value = match.Groups["value"].Success ? match.Groups["value"].Value : "";
            switch (match.Groups["type"].Value)
            {
                case "invoke":
                    pending[process] = (new KvInput(kind, match.Groups["key"].Value, value), time);
                    break;
                case "ok":
                    var call = pending[process];
                    pending.Remove(process);
                    operations.Add(new(process, call.Input, call.Call, kind == KvOperation.Get ? KvOutput.Got(value) : KvOutput.Done, time));
                    break;
                case "fail":
                    // Failed definitely: no effect.
                    pending.Remove(process);
                    break;
                default:
                    // :info: the outcome is unknown; it may take effect at any time from its call on.
                    if (pending.Remove(process, out var unknown) && kind != KvOperation.Get)
                    {
                        operations.Add(new(process, unknown.Input, unknown.Call, KvOutput.TimedOut, Operation<KvInput, KvOutput>.NeverReturned));
                    }

                    break;
            }
        }

        foreach (var (process, call) in pending)
        {
            if (call.Input.Kind != KvOperation.Get)
            {
                operations.Add(new(process, call.Input, call.Call, KvOutput.TimedOut, Operation<KvInput, KvOutput>.NeverReturned));
            }
        }

        return operations;
    }

    [GeneratedRegex("""^\{:process (?<process>\d+), :type :(?<type>invoke|ok|fail|info), :f :(?<f>get|put|append), :key "(?<key>[^"]*)", :value (?:nil|"(?<value>[^"]*)")\}\s*$""")]
    private static partial Regex Event();
}
