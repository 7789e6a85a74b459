namespace Doozer.TestKit.Linearizability.Kv;

public readonly record struct KvInput(KvOperation Kind, string Key, string Value)
{
    public override string ToString() => Kind == KvOperation.Get ? $"get {Key}" : $"{Kind.ToString().ToLowerInvariant()} {Key} \"{Value}\"";
}
