namespace Doozer.TestKit.Linearizability.Kv;

public enum KvOperation
{
    Get,
    Put,
    Append,
}
