using System.Text.Json.Serialization;

namespace Doozer.Contracts;

/// <summary>Source-generated JSON metadata for every wire type: camelCase names, absent members marked on the records themselves.</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(WriteResponse))]
[JsonSerializable(typeof(DirListing))]
[JsonSerializable(typeof(WalkResponse))]
[JsonSerializable(typeof(RevResponse))]
[JsonSerializable(typeof(SelfResponse))]
[JsonSerializable(typeof(ChangeEvent))]
[JsonSerializable(typeof(WaitResponse))]
[JsonSerializable(typeof(ProgressEvent))]
[JsonSerializable(typeof(ClusterResponse))]
public sealed partial class DoozerJsonContext : JsonSerializerContext;
