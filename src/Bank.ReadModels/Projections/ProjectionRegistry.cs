namespace Bank.ReadModels.Projections;

/// <summary>
/// The projections of a host by name: starts and stops them together and is shaped like a hosted service
/// (<see cref="StartAsync"/>, <see cref="StopAsync"/>), so a host only has to forward to it. Names are unique.
/// </summary>
public sealed class ProjectionRegistry : IAsyncDisposable
{
    private readonly Dictionary<string, Projection> _byName = new(StringComparer.Ordinal);
    private readonly List<Projection> _projections = [];

    public ProjectionRegistry(IEnumerable<Projection>? projections = null)
    {
        foreach (var projection in projections ?? []) Add(projection);
    }

    /// <summary>In the order they were added (and are started).</summary>
    public IReadOnlyList<Projection> Projections => _projections;

    public IEnumerable<string> Names => _projections.Select(p => p.Name);

    public void Add(Projection projection)
    {
        ArgumentNullException.ThrowIfNull(projection);
        if (!_byName.TryAdd(projection.Name, projection))
            throw new ArgumentException($"A projection named '{projection.Name}' is already registered.", nameof(projection));
        _projections.Add(projection);
    }

    public bool TryGet(string name, out Projection projection) => _byName.TryGetValue(name, out projection!);

    public Projection Get(string name) =>
        _byName.TryGetValue(name, out var projection)
            ? projection
            : throw new KeyNotFoundException($"No projection is named '{name}'. Known: {string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal))}.");

    /// <summary>
    /// Initializes every projection (tables, stored offsets) in order, then lets them all run in the background.
    /// A projection that cannot initialize fails the start; those started before it are stopped again.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        foreach (var projection in _projections) await projection.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var started = new List<Projection>(_projections.Count);
        try
        {
            foreach (var projection in _projections)
            {
                await projection.StartAsync(cancellationToken).ConfigureAwait(false);
                started.Add(projection);
            }
        }
        catch
        {
            await Task.WhenAll(started.Select(p => p.StopAsync(CancellationToken.None))).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops every projection at once and waits for them (transactions in flight roll back); the token only ends the wait.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(_projections.Select(p => p.StopAsync(cancellationToken)));

    public async Task<IReadOnlyList<ProjectionStatus>> GetStatusesAsync(CancellationToken cancellationToken = default) =>
        await Task.WhenAll(_projections.Select(p => p.GetStatusAsync(cancellationToken))).ConfigureAwait(false);

    /// <inheritdoc cref="Projection.RebuildAsync"/>
    public Task<RebuildProgress> RebuildAsync(string name, CancellationToken cancellationToken = default) => Get(name).RebuildAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        foreach (var projection in _projections) await projection.DisposeAsync().ConfigureAwait(false);
    }
}
