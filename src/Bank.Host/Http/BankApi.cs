using Bank.Host.Auth;
using Bank.Host.Hosting;
using Microsoft.AspNetCore.Diagnostics;

namespace Bank.Host.Http;

/// <summary>The HTTP pipeline and every endpoint of the bank host.</summary>
public static class BankApi
{
    public const string OpenApiDocumentPath = "/openapi/v1.json";

    private static readonly PathString SwaggerPath = new("/swagger");

    public static WebApplication MapBankApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages(WriteStatusCodeProblemAsync);
        app.UseMiddleware<NodeGuardMiddleware>();
        app.UseMiddleware<RequestHeaderLimitMiddleware>();
        app.UseMiddleware<RequestBodyLimitMiddleware>();

        app.MapOpenApi();
        // Swagger UI is a middleware (with static files inside): only requests under /swagger go through it.
        app.UseWhen(context => context.Request.Path.StartsWithSegments(SwaggerPath), swagger => swagger.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint(OpenApiDocumentPath, "Bank API v1");
            options.RoutePrefix = "swagger";
            options.DocumentTitle = "Bank API";
            // The Authorize button takes a bearer token (the token command mints one); keep it across reloads.
            options.EnablePersistAuthorization();
        }));
        app.UseBankAccessControl();

        app.MapAccountEndpoints();
        app.MapTransferEndpoints();
        app.MapReadModelEndpoints();
        app.MapProjectionEndpoints();
        app.MapEventStreamEndpoints();
        app.MapClusterEndpoints();
        app.MapHealthEndpoints();
        return app;
    }

    /// <summary>Bodiless error statuses set by the framework become problems; the API's own types where one fits.</summary>
    private static async Task WriteStatusCodeProblemAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var own = http.Response.StatusCode switch
        {
            StatusCodes.Status400BadRequest => ProblemResults.Validation(null, "The request could not be read."),
            StatusCodes.Status413PayloadTooLarge => ProblemResults.PayloadTooLarge(http.RequestServices.GetRequiredService<BankHttpSettings>().MaxBodySize),
            StatusCodes.Status415UnsupportedMediaType => ProblemResults.UnsupportedMediaType(),
            _ => null,
        };
        if (own is not null)
        {
            await own.ExecuteAsync(http);
            return;
        }
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = { Status = http.Response.StatusCode } });
    }
}
