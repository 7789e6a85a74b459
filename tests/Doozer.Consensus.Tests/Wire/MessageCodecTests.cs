using System.Buffers;
using Doozer.Consensus.Messages;
using Doozer.Consensus.Wire;

namespace Doozer.Consensus.Tests.Wire;

public sealed class MessageCodecTests
{
    [Fact]
    public void Every_message_type_round_trips_with_random_contents()
    {
        var random = new Random(4242);
        for (var round = 0; round < 300; round++)
        {
            for (var type = 0; type < WireSamples.TypeCount; type++)
            {
                var message = WireSamples.Random(random, type);
                var bytes = WireSamples.Encode(message);
                var decoded = MessageCodec.Decode(bytes);
                Assert.Equal(message.GetType(), decoded.GetType());
                Assert.Equal(WireSamples.Describe(message), WireSamples.Describe(decoded));
            }
        }
    }

    [Fact]
    public void A_message_split_across_buffer_segments_decodes_like_a_contiguous_one()
    {
        var random = new Random(7);
        for (var type = 0; type < WireSamples.TypeCount; type++)
        {
            var message = WireSamples.Random(random, type);
            var bytes = WireSamples.Encode(message);
            var sequence = Segments.Split(bytes, Math.Max(1, bytes.Length / 3));
            Assert.Equal(WireSamples.Describe(message), WireSamples.Describe(MessageCodec.Decode(sequence)));
        }
    }

    [Fact]
    public void Decoded_payloads_do_not_alias_the_input_buffer()
    {
        var accept = new Accept(1, 2, new Ballot(3, 1), 9, new SlotValue([new Command(5, new byte[] { 1, 2, 3 })]), 8);
        var bytes = WireSamples.Encode(accept);
        var decoded = (Accept)MessageCodec.Decode(bytes);
        // A transport reuses its receive buffer for the next frame: the message must own its bytes.
        System.Array.Clear(bytes);
        Assert.Equal(new byte[] { 1, 2, 3 }, decoded.Value.Commands[0].Payload.ToArray());
    }

    [Fact]
    public void An_empty_batch_decodes_to_the_shared_no_op()
    {
        var decoded = (Accept)MessageCodec.Decode(WireSamples.Encode(new Accept(1, 2, new Ballot(1, 1), 1, SlotValue.NoOp, 0)));
        Assert.Same(SlotValue.NoOp, decoded.Value);
    }

    [Fact]
    public void An_unknown_version_is_refused()
    {
        var bytes = WireSamples.Encode(new Accepted(1, 2, new Ballot(1, 1), 1));
        bytes[0] = 2;
        var error = Assert.Throws<FormatException>(() => MessageCodec.Decode(bytes));
        Assert.Contains("version 2", error.Message);
    }

    [Fact]
    public void Trailing_bytes_after_a_message_are_refused()
    {
        var bytes = WireSamples.Encode(new Accepted(1, 2, new Ballot(1, 1), 1));
        Assert.Throws<FormatException>(() => MessageCodec.Decode([.. bytes, 0]));
    }

    [Fact]
    public void Encoding_an_accept_batch_into_a_reused_buffer_allocates_nothing()
    {
        var commands = Enumerable.Range(0, 64).Select(i => new Command(i, new byte[100 + i])).ToArray();
        var accept = new Accept(1, 2, new Ballot(7, 1), 12345, new SlotValue(commands), 12300);
        var accepted = new Accepted(2, 1, new Ballot(7, 1), 12345);
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        MessageCodec.Encode(accept, buffer);
        buffer.ResetWrittenCount();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            MessageCodec.Encode(accept, buffer);
            MessageCodec.Encode(accepted, buffer);
            buffer.ResetWrittenCount();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
