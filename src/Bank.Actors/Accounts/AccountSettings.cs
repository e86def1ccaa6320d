using Akka.Configuration;

namespace Bank.Actors.Accounts;

/// <summary>How accounts behave; read from <c>bank.accounts</c> in hocon/bank.conf.</summary>
public sealed record AccountSettings
{
    /// <summary>
    /// A snapshot is taken once this many events were written since the last one (0: never). A snapshot carries the
    /// whole idempotency window, so fewer events than the window holds would write each remembered command several times.
    /// </summary>
    public int SnapshotEvery { get; init; } = 1000;

    /// <summary>How many of the newest snapshots are kept; older ones are deleted.</summary>
    public int KeepSnapshots { get; init; } = 2;

    /// <summary>An account with no message for this long is passivated by its shard; the next message brings it back.</summary>
    public TimeSpan PassivateAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How many accepted command ids each account remembers for idempotent retries.</summary>
    public int IdempotencyWindow { get; init; } = Bank.Domain.IdempotencyWindow.DefaultCapacity;

    /// <summary>Shards the accounts are spread over (the same on every node, for the life of the data's cluster).</summary>
    public int Shards { get; init; } = 100;

    /// <summary>Reads <c>bank.accounts</c>; a missing key keeps its default.</summary>
    public static AccountSettings From(Config accounts)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        var defaults = new AccountSettings();
        var settings = new AccountSettings
        {
            SnapshotEvery = accounts.GetInt("snapshot-every", defaults.SnapshotEvery),
            KeepSnapshots = accounts.GetInt("keep-snapshots", defaults.KeepSnapshots),
            PassivateAfter = accounts.GetTimeSpan("passivate-after", defaults.PassivateAfter),
            IdempotencyWindow = accounts.GetInt("idempotency-window", defaults.IdempotencyWindow),
            Shards = accounts.GetInt("shards", defaults.Shards),
        };
        settings.Validate();
        return settings;
    }

    public void Validate()
    {
        if (SnapshotEvery < 0) throw new ArgumentOutOfRangeException(nameof(SnapshotEvery), SnapshotEvery, "bank.accounts.snapshot-every must be 0 (never) or more.");
        if (KeepSnapshots < 1) throw new ArgumentOutOfRangeException(nameof(KeepSnapshots), KeepSnapshots, "bank.accounts.keep-snapshots must be at least 1.");
        if (PassivateAfter <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(PassivateAfter), PassivateAfter, "bank.accounts.passivate-after must be positive.");
        if (IdempotencyWindow < 1) throw new ArgumentOutOfRangeException(nameof(IdempotencyWindow), IdempotencyWindow, "bank.accounts.idempotency-window must be at least 1.");
        if (Shards < 1) throw new ArgumentOutOfRangeException(nameof(Shards), Shards, "bank.accounts.shards must be at least 1.");
    }
}
