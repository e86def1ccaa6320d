using Akka.Configuration;
using Bank.ReadModels.Projections;

namespace Bank.ReadModels.Tests;

/// <summary>Projection settings from the host's HOCON, and the gap bookkeeping behind read-your-writes.</summary>
public sealed class ProjectionSettingsSpecs
{
    [Fact]
    public void Settings_are_read_from_a_hocon_section_and_missing_keys_keep_their_defaults()
    {
        var config = ConfigurationFactory.ParseString(
            """
            bank.read-model.projection {
              max-batch-size = 250
              min-backoff = 200ms
              max-backoff = 10s
              gap-check-interval = 250ms
              gap-give-up-after = 5m
              stalled-stream-timeout = 45s
              min-batch-interval = 15ms
            }
            """);

        var settings = ProjectionSettings.FromConfig(config.GetConfig("bank.read-model.projection"));

        Assert.Equal(new ProjectionSettings
        {
            MaxBatchSize = 250,
            MinBackoff = TimeSpan.FromMilliseconds(200),
            MaxBackoff = TimeSpan.FromSeconds(10),
            GapCheckInterval = TimeSpan.FromMilliseconds(250),
            GapGiveUpAfter = TimeSpan.FromMinutes(5),
            StalledStreamTimeout = TimeSpan.FromSeconds(45),
            MinBatchInterval = TimeSpan.FromMilliseconds(15),
        }, settings);
        Assert.Equal(new ProjectionSettings(), ProjectionSettings.FromConfig(null));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProjectionSettings.FromConfig(ConfigurationFactory.ParseString("max-batch-size = 0")));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProjectionSettings.FromConfig(ConfigurationFactory.ParseString("min-batch-interval = 1m")));
    }

    [Fact]
    public void A_gap_set_splits_ranges_when_orderings_are_filled_and_keeps_when_each_was_first_seen()
    {
        var t1 = DateTimeOffset.UnixEpoch.AddMinutes(1);
        var t2 = DateTimeOffset.UnixEpoch.AddMinutes(2);
        var gaps = GapSet.Empty.Add([new JournalGap(5, 9, t1)]).Add([new JournalGap(20, 20, t2)]);

        var filled = gaps.Remove([7, 5, 20, 100]);

        Assert.Equal([new JournalGap(6, 6, t1), new JournalGap(8, 9, t1)], filled.Gaps);
        Assert.Equal(3, filled.Orderings);
        Assert.True(filled.Contains(8) && !filled.Contains(7) && !filled.Contains(20) && !filled.Contains(10));
        Assert.Same(filled, filled.Remove([1, 2, 3]));
        Assert.Equal([new JournalGap(8, 9, t1)], filled.Without([new JournalGap(6, 6, t1)]).Gaps);
        Assert.Throws<ArgumentException>(() => GapSet.From([new JournalGap(1, 5, t1), new JournalGap(5, 6, t1)]));
    }
}
