using Doozer.Consensus.Messages;
using Doozer.Consensus.Wire;

namespace Doozer.Consensus.Tests.Wire;

/// <summary>A peer may send anything: the only failure the codec may report is a <see cref="FormatException"/>.</summary>
public sealed class MessageCodecFuzzTests
{
    [Fact]
    public void Random_bytes_only_ever_throw_FormatException()
    {
        var random = new Random(1);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            // Half the inputs get a valid header, so the fuzzing reaches the field decoders.
            if (bytes.Length >= 2 && random.Next(2) == 0)
            {
                bytes[0] = MessageCodec.Version;
                bytes[1] = (byte)random.Next(0, WireSamples.TypeCount + 2);
            }
            DecodeOrFormatException(bytes);
        }
    }

    [Fact]
    public void Every_truncation_of_a_valid_message_throws_FormatException()
    {
        var random = new Random(2);
        for (var type = 0; type < WireSamples.TypeCount; type++)
        {
            for (var round = 0; round < 5; round++)
            {
                var bytes = WireSamples.Encode(WireSamples.Random(random, type));
                for (var length = 0; length < bytes.Length; length++)
                    Assert.Throws<FormatException>(() => MessageCodec.Decode(bytes.AsSpan(0, length)));
            }
        }
    }

    [Fact]
    public void Bit_flipped_messages_decode_or_throw_FormatException()
    {
        var random = new Random(3);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = WireSamples.Encode(WireSamples.Random(random, i % WireSamples.TypeCount));
            var flips = random.Next(1, 4);
            for (var f = 0; f < flips; f++)
            {
                var bit = random.Next(bytes.Length * 8);
                bytes[bit / 8] ^= (byte)(1 << (bit % 8));
            }
            DecodeOrFormatException(bytes);
        }
    }

    [Fact]
    public void A_count_larger_than_the_input_is_refused_without_allocating_for_it()
    {
        // ReadIndexRequest claiming 2^31-1 ids in a 10-byte message.
        byte[] bytes = [MessageCodec.Version, 12, 1, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0];
        Assert.Throws<FormatException>(() => MessageCodec.Decode(bytes));
    }

    private static void DecodeOrFormatException(byte[] bytes)
    {
        try
        {
            var message = MessageCodec.Decode(bytes);
            Assert.IsAssignableFrom<Message>(message);
        }
        catch (FormatException)
        {
        }
    }
}
