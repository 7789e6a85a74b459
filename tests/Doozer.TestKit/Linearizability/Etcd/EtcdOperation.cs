namespace Doozer.TestKit.Linearizability.Etcd;

public enum EtcdOperation
{
    Read,
    Write,
    CompareAndSet,
}
