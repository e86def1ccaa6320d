namespace Actors.Persistence.Sql;

/// <summary>The schema scripts in Scripts/, embedded so the code runs exactly the text that ships.</summary>
public static class SqlScripts
{
    public static string Sqlite { get; } = Load("sqlite.sql");

    public static string Postgres { get; } = Load("postgres.sql");

    private static string Load(string name)
    {
        var resource = $"Actors.Persistence.Sql.Scripts.{name}";
        using var stream = typeof(SqlScripts).Assembly.GetManifestResourceStream(resource)
                           ?? throw new InvalidOperationException($"Embedded script {resource} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
