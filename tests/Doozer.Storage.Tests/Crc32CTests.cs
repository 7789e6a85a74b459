using System.Text;

namespace Doozer.Storage.Tests;

public sealed class Crc32CTests
{
    [Fact]
    public void Check_value_of_the_standard_test_vector_is_E3069283()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
    }

    [Fact]
    public void Incremental_appends_equal_one_pass_at_every_split()
    {
        var data = Encoding.ASCII.GetBytes("the quick brown fox jumps over the lazy dog, twice over");
        var whole = Crc32C.Compute(data);
        for (var split = 0; split <= data.Length; split++)
        {
            var state = Crc32C.Append(Crc32C.Start, data.AsSpan(0, split));
            Assert.Equal(whole, Crc32C.Finish(Crc32C.Append(state, data.AsSpan(split))));
        }
    }

    [Fact]
    public void Matches_a_bitwise_reference_on_every_length_up_to_64()
    {
        var random = new Random(4);
        for (var length = 0; length <= 64; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(Reference(data), Crc32C.Compute(data));
        }
    }

    // The textbook reflected algorithm, polynomial 0x82F63B78: the oracle for the accelerated one.
    private static uint Reference(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }
        return ~crc;
    }
}
