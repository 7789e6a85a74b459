using System.Buffers;
using System.Text;
using Doozer.Consensus.Messages;
using Doozer.Consensus.Wire;

namespace Doozer.Consensus.Tests.Wire;

/// <summary>Seeded random messages of every type, and a field-by-field description to compare them by.</summary>
internal static class WireSamples
{
    public const int TypeCount = 14;

    public static byte[] Encode(Message message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        MessageCodec.Encode(message, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static Message Random(Random random, int type)
    {
        var from = Int(random);
        var to = Int(random);
        return type switch
        {
            0 => new Prepare(from, to, Ballot(random), Long(random)),
            1 => new Promise(from, to, Ballot(random), Long(random),
                Array(random, 4, r => new AcceptedEntry(Long(r), Ballot(r), Value(r))),
                Array(random, 4, r => new DecidedSlot(Long(r), Value(r))),
                Long(random)),
            2 => new Rejected(from, to, Ballot(random), Ballot(random)),
            3 => new Accept(from, to, Ballot(random), Long(random), Value(random), Long(random)),
            4 => new Accepted(from, to, Ballot(random), Long(random)),
            5 => new Heartbeat(from, to, Ballot(random), Long(random), Long(random)),
            6 => new HeartbeatAck(from, to, Ballot(random), Long(random), random.Next(2) == 1, Long(random)),
            7 => new FetchDecided(from, to, Long(random), Long(random)),
            8 => new DecidedValues(from, to, Long(random), Array(random, 5, Value)),
            9 => new SnapshotAvailable(from, to, Long(random)),
            10 => new ForwardedProposals(from, to, Array(random, 5, Command)),
            11 => new ReadIndexRequest(from, to, Array(random, 8, Long)),
            12 => new ReadIndexResponse(from, to, Array(random, 8, Long), Long(random)),
            13 => PrepareHolding(random, from, to),
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
    }

    /// <summary>Every field, payload bytes in hex: records compare arrays by reference, so compare descriptions.</summary>
    public static string Describe(Message message)
    {
        var head = $"{message.GetType().Name} {message.From}->{message.To}";
        return message switch
        {
            Prepare m => $"{head} {m.Ballot} {m.FirstSlot} [{string.Join(";", m.Holding.Select(h => $"{h.FirstSlot}..{h.LastSlot} {h.Ballot}"))}]",
            Promise m => $"{head} {m.Ballot} {m.FirstSlot} [{string.Join(";", m.Accepted.Select(a => $"{a.Slot} {a.Ballot} {Describe(a.Value)}"))}]" +
                $" [{string.Join(";", m.Decided.Select(d => $"{d.Slot} {Describe(d.Value)}"))}] {m.SnapshotSlot}",
            Rejected m => $"{head} {m.Ballot} {m.Promised}",
            Accept m => $"{head} {m.Ballot} {m.Slot} {Describe(m.Value)} {m.Commit}",
            Accepted m => $"{head} {m.Ballot} {m.Slot}",
            Heartbeat m => $"{head} {m.Ballot} {m.Commit} {m.ReadRound}",
            HeartbeatAck m => $"{head} {m.Ballot} {m.ReadRound} {m.HoldsPromise} {m.Commit}",
            FetchDecided m => $"{head} {m.FirstSlot} {m.LastSlot}",
            DecidedValues m => $"{head} {m.FirstSlot} [{string.Join(";", m.Values.Select(Describe))}]",
            SnapshotAvailable m => $"{head} {m.Slot}",
            ForwardedProposals m => $"{head} {Describe(m.Commands)}",
            ReadIndexRequest m => $"{head} [{string.Join(",", m.ReadIds)}]",
            ReadIndexResponse m => $"{head} [{string.Join(",", m.ReadIds)}] {m.Index}",
            _ => throw new ArgumentException(message.GetType().Name),
        };
    }

    // Runs as a candidate sends them (ascending and disjoint from the first slot on): the decoder refuses others.
    private static Prepare PrepareHolding(Random random, int from, int to)
    {
        var first = Long(random) / 4;
        var runs = new BallotRun[1 + random.Next(4)];
        var next = first;
        for (var i = 0; i < runs.Length; i++)
        {
            var start = next + random.Next(3);
            var end = start + random.Next(1000);
            runs[i] = new BallotRun(start, end, Ballot(random));
            next = end + 1;
        }
        return new Prepare(from, to, Ballot(random), first) { Holding = runs };
    }

    private static string Describe(SlotValue value) => Describe(value.Commands);

    private static string Describe(Command[] commands)
    {
        var text = new StringBuilder("{");
        foreach (var command in commands)
            text.Append(command.RequestId).Append(':').Append(Convert.ToHexString(command.Payload.Span)).Append(' ');
        return text.Append('}').ToString();
    }

    private static Ballot Ballot(Random random) => new(Long(random), Int(random));

    private static SlotValue Value(Random random) =>
        random.Next(4) == 0 ? SlotValue.NoOp : new SlotValue(Array(random, 4, Command));

    private static Command Command(Random random)
    {
        var payload = new byte[random.Next(4) == 0 ? 0 : random.Next(1, random.Next(2) == 0 ? 40 : 2000)];
        random.NextBytes(payload);
        return new Command(Long(random), payload);
    }

    private static T[] Array<T>(Random random, int max, Func<Random, T> element)
    {
        var items = new T[random.Next(max + 1)];
        for (var i = 0; i < items.Length; i++)
            items[i] = element(random);
        return items;
    }

    /// <summary>Mostly small values, as on a real wire, with the extremes mixed in so every varint width is tried.</summary>
    private static long Long(Random random) => random.Next(6) switch
    {
        0 => 0,
        1 => random.Next(128),
        2 => random.NextInt64(),
        3 => long.MaxValue,
        4 => -1 - random.NextInt64(1000),
        _ => long.MinValue + random.Next(2),
    };

    private static int Int(Random random) => random.Next(5) switch
    {
        0 => 0,
        1 => random.Next(1, 128),
        2 => random.Next(),
        3 => int.MaxValue,
        _ => int.MinValue + random.Next(1000),
    };
}
