using Doozer.Consensus.Messages;
using Doozer.Consensus.Wire;

namespace Doozer.Consensus.Tests.Wire;

/// <summary>
/// Version 1 of the peer wire format, frozen: nodes of different builds talk to each other during a rolling upgrade,
/// so these bytes may never change. A layout change is a new version with new golden bytes beside these.
/// </summary>
public sealed class MessageCodecGoldenTests
{
    private static readonly Ballot B = new(5, 2);
    private static readonly SlotValue Batch = new([new Command(300, "ab"u8.ToArray()), new Command(1, Array.Empty<byte>())]);

    private static readonly Dictionary<string, (Message Message, string Hex)> Golden = new()
    {
        ["Prepare"] = (new Prepare(1, 2, B, 10), "0101010205020A"),
        ["Promise"] = (new Promise(2, 1, B, 10, [new AcceptedEntry(10, new Ballot(4, 3), Batch)], [new DecidedSlot(11, SlotValue.NoOp)], 9), "0102020105020A010A040302AC020261620100010B0009"),
        ["Rejected"] = (new Rejected(2, 1, B, new Ballot(6, 3)), "0103020105020603"),
        ["Accept"] = (new Accept(1, 2, B, 200, Batch, 199), "010401020502C80102AC020261620100C701"),
        ["Accepted"] = (new Accepted(2, 1, B, 200), "010502010502C801"),
        ["Heartbeat"] = (new Heartbeat(1, 3, B, 199, 7), "010601030502C70107"),
        ["HeartbeatAck"] = (new HeartbeatAck(3, 1, B, 7, true, 150), "01070301050207019601"),
        ["FetchDecided"] = (new FetchDecided(3, 1, 150, 199), "010803019601C701"),
        ["DecidedValues"] = (new DecidedValues(1, 3, 150, [Batch, SlotValue.NoOp]), "0109010396010202AC02026162010000"),
        ["SnapshotAvailable"] = (new SnapshotAvailable(1, 3, 140), "010A01038C01"),
        ["ForwardedProposals"] = (new ForwardedProposals(3, 1, Batch.Commands), "010B030102AC020261620100"),
        ["ReadIndexRequest"] = (new ReadIndexRequest(3, 1, [1, 2, 128]), "010C03010301028001"),
        ["ReadIndexResponse"] = (new ReadIndexResponse(1, 3, [1, 2, 128], 199), "010D01030301028001C701"),
        // Tag 14, added beside the others: runs 10..12 in ballot (4,3) and 14..14 in (5,2).
        ["PrepareHolding"] = (new Prepare(1, 2, B, 10) { Holding = [new BallotRun(10, 12, new Ballot(4, 3)), new BallotRun(14, 14, B)] }, "010E010205020A020A0C04030E0E0502"),
    };

    public static TheoryData<string> Types => [.. Golden.Keys];

    [Fact]
    public void Every_message_type_has_golden_bytes() => Assert.Equal(WireSamples.TypeCount, Golden.Count);

    [Theory]
    [MemberData(nameof(Types))]
    public void Encoding_matches_the_frozen_bytes(string type)
    {
        var (message, hex) = Golden[type];
        Assert.Equal(hex, Convert.ToHexString(WireSamples.Encode(message)));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void The_frozen_bytes_decode_to_the_same_message(string type)
    {
        var (message, hex) = Golden[type];
        Assert.Equal(WireSamples.Describe(message), WireSamples.Describe(MessageCodec.Decode(Convert.FromHexString(hex))));
    }
}
