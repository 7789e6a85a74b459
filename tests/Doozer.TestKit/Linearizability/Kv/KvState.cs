namespace Doozer.TestKit.Linearizability.Kv;

/// <summary>An immutable map from key slot to value; every step that writes copies it (ten keys: cheap).</summary>
public sealed class KvState
{
    private readonly string[] values;

    internal KvState(string[] values)
    {
        this.values = values;
        var hash = 17;
        foreach (var value in values)
        {
            hash = (hash * 31) + value.GetHashCode(StringComparison.Ordinal);
        }

        Hash = hash;
    }

    internal int Hash { get; }

    internal string this[int slot] => values[slot];

    internal KvState With(int slot, string value)
    {
        var copy = (string[])values.Clone();
        copy[slot] = value;
        return new KvState(copy);
    }

    internal bool Same(KvState other)
    {
        if (Hash != other.Hash)
        {
            return false;
        }

        for (var i = 0; i < values.Length; i++)
        {
            if (!string.Equals(values[i], other.values[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => "{" + string.Join(", ", values.Select((v, i) => $"#{i}=\"{v}\"")) + "}";
}
