using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Bank.Host.Auth;

/// <summary>
/// Declares the bearer scheme in the OpenAPI document (Swagger UI's Authorize button) and requires it on every operation
/// that a bank policy protects.
/// </summary>
internal sealed class BearerSecurityTransformer : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public const string SchemeName = "Bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A JWT from the bank's OpenID Connect provider (or, in development, `dotnet run --project src/Bank.Host -- token --sub ada --role customer`). "
                          + "Roles: customer (its own accounts), teller (every account, lists, stats), admin (projections, cluster, the full event feed).",
        };
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var policy = context.Description.ActionDescriptor.EndpointMetadata.OfType<BankPolicyMetadata>().LastOrDefault();
        if (policy is null) return Task.CompletedTask;
        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] });
        var roles = string.Join(" or ", BankPolicies.Roles[policy.Policy]);
        operation.Description = (operation.Description is { Length: > 0 } description ? description + "\n\n" : "") + $"Requires a bearer token with the role {roles}.";
        return Task.CompletedTask;
    }
}
