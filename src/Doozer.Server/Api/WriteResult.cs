using System.Buffers;
using System.Reflection;
using System.Text.Json;
using Doozer.Contracts;
using Microsoft.AspNetCore.Http.Metadata;

namespace Doozer.Server.Api;

/// <summary>
/// A write's answer: 200, or 201 with a Location, and the <see cref="WriteResponse"/> as JSON. The same status,
/// headers and body as <c>Ok&lt;WriteResponse&gt;</c> / <c>Created&lt;WriteResponse&gt;</c>, and the same OpenAPI
/// responses, but serialized synchronously from the source-generated metadata and sent with a Content-Length: those
/// serialize asynchronously into the response pipe with chunked framing, ~5 % of the leader's CPU per write
/// (bench/RESULTS.md, run 10a).
/// </summary>
public sealed class WriteResult : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<WriteResponse>, IEndpointMetadataProvider
{
    private WriteResult(WriteResponse value, string? location)
    {
        Value = value;
        Location = location;
    }

    public static WriteResult Ok(WriteResponse value) => new(value, null);

    public static WriteResult Created(string location, WriteResponse value) => new(value, location);

    public WriteResponse Value { get; }

    /// <summary>Set when the write created the file.</summary>
    public string? Location { get; }

    public int StatusCode => Location is null ? StatusCodes.Status200OK : StatusCodes.Status201Created;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    object? IValueHttpResult.Value => Value;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        if (Location is not null)
            response.Headers.Location = Location;
        response.ContentType = "application/json; charset=utf-8";
        var body = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(body))
            JsonSerializer.Serialize(writer, Value, DoozerJsonContext.Default.WriteResponse);
        response.ContentLength = body.WrittenCount;
        // Written into the response pipe; Kestrel sends it with the headers when the request completes.
        response.BodyWriter.Write(body.WrittenSpan);
        return Task.CompletedTask;
    }

    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status201Created, typeof(WriteResponse), ["application/json"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(WriteResponse), ["application/json"]));
    }
}
