namespace Doozer.TestKit.Linearizability.Kv;

/// <summary>An immutable map from key slot to value; a step that writes copies the small slot array.</summary>
public sealed class KvState
{
    private readonly KvValue[] values;

    internal KvState(KvValue[] values)
    {
        this.values = values;
        var hash = 17;
        foreach (var value in values)
        {
            hash = (hash * 31) + value.Hash;
        }

        Hash = hash;
    }

    internal int Hash { get; }

    internal KvValue this[int slot] => values[slot];

    internal KvState With(int slot, KvValue value)
    {
        var copy = (KvValue[])values.Clone();
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
            if (!ReferenceEquals(values[i], other.values[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString()
    {
        var text = new System.Text.StringBuilder("{");
        for (var i = 0; i < values.Length; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append('#').Append(i).Append("=\"").Append(values[i].Text).Append('"');
        }

        return text.Append('}').ToString();
    }
}
