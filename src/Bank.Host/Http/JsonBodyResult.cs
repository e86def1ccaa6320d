using System.Buffers;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Bank.Host.Http;

/// <summary>
/// 200 (or 201 with a Location, see <see cref="JsonCreated{T}"/>) with a JSON body, serialized to bytes first and written
/// in one go with its Content-Length: no chunked encoding, no per-request logger or service scope (TypedResults.Ok looks
/// both up in the request's services). The body is what <c>TypedResults.Ok</c> would have written, with the same content type.
/// </summary>
public sealed class JsonOk<T>(T value, JsonTypeInfo<T> typeInfo) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>, IContentTypeHttpResult
{
    public T Value => value;
    object? IValueHttpResult.Value => value;
    public int? StatusCode => StatusCodes.Status200OK;
    public string ContentType => JsonBodyWriter.ContentType;

    public Task ExecuteAsync(HttpContext httpContext) => JsonBodyWriter.Write(httpContext, StatusCodes.Status200OK, location: null, value, typeInfo);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
    }
}

/// <summary>201 Created with a Location and a JSON body, written like <see cref="JsonOk{T}"/>.</summary>
public sealed class JsonCreated<T>(string location, T value, JsonTypeInfo<T> typeInfo) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>, IContentTypeHttpResult
{
    public string Location => location;
    public T Value => value;
    object? IValueHttpResult.Value => value;
    public int? StatusCode => StatusCodes.Status201Created;
    public string ContentType => JsonBodyWriter.ContentType;

    public Task ExecuteAsync(HttpContext httpContext) => JsonBodyWriter.Write(httpContext, StatusCodes.Status201Created, location, value, typeInfo);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status201Created, typeof(T), ["application/json"]));
    }
}

internal static class JsonBodyWriter
{
    public const string ContentType = "application/json; charset=utf-8";

    /// <summary>
    /// The API's JSON metadata for <typeparamref name="T"/>, from the host's JSON options (<c>ConfigureHttpJsonOptions</c>: the
    /// same names, enums and converters as everywhere else). Resolve it once and keep it.
    /// </summary>
    public static JsonTypeInfo<T> TypeInfo<T>(IServiceProvider services) =>
        (JsonTypeInfo<T>)services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions.GetTypeInfo(typeof(T));

    public static Task Write<T>(HttpContext httpContext, int status, string? location, T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var body = JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);
        var response = httpContext.Response;
        response.StatusCode = status;
        if (location is not null) response.Headers.Location = location;
        response.ContentType = ContentType;
        response.ContentLength = body.Length;
        // Into the response's pipe without a flush of its own: the server sends head and body together when the request ends.
        response.BodyWriter.Write(body);
        return Task.CompletedTask;
    }
}
