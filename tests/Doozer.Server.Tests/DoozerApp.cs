using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Doozer.Server.Tests;

/// <summary>
/// A real doozerd application in memory (WebApplicationFactory over the real Program), with settings of the test's
/// choosing. One per test class or test: no shared data, no fixed ports.
/// </summary>
public sealed class DoozerApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string> _settings;

    public DoozerApp(params (string Key, string Value)[] settings)
    {
        _settings = settings.ToDictionary(s => "Doozer:" + s.Key, s => s.Value);
        // In memory unless the test asks for a data directory: parallel test apps must not share ./doozer-data.
        if (!_settings.ContainsKey("Doozer:Data"))
            _settings.TryAdd("Doozer:Memory", "true");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
    }

    /// <summary>A client that sends the secret as a bearer token, if given.</summary>
    public HttpClient Client(string? secret = null)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (secret is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }
}

/// <summary>Small helpers for reading Doozer's answers in tests.</summary>
public static class Http
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts a problem+json answer with this status and problem type; returns the problem.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, int status, string type)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status} {type}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal("/problems/" + type, problem.GetProperty("type").GetString());
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    public static string? Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(",", contentValues)
        : null;

    public static long Rev(this HttpResponseMessage response) => long.Parse(response.Header("Doozer-Rev")!);

    public static Task<HttpResponseMessage> PutAsync(this HttpClient client, string path, byte[] value, params (string, string)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "/tree" + path) { Content = new ByteArrayContent(value) };
        foreach (var (name, v) in headers)
            request.Headers.TryAddWithoutValidation(name, v);
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PutAsync(this HttpClient client, string path, string value, params (string, string)[] headers) =>
        client.PutAsync(path, System.Text.Encoding.UTF8.GetBytes(value), headers);

    public static Task<HttpResponseMessage> SendAsync(this HttpClient client, HttpMethod method, string uri, params (string, string)[] headers)
    {
        var request = new HttpRequestMessage(method, uri);
        foreach (var (name, v) in headers)
            request.Headers.TryAddWithoutValidation(name, v);
        return client.SendAsync(request);
    }

    /// <summary>Every file of the tree at the current revision, with the revision: what "nothing changed" compares.</summary>
    public static async Task<string> DumpAsync(this HttpClient client)
    {
        var response = await client.GetAsync("/walk?glob=/**&limit=10000");
        Assert.Equal(200, (int)response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
