// Alerts on metered series (issue 15, item 5): a rule raises only after its condition held for
// forMs, clears only past its hysteresis, does not flap between the two thresholds, matches
// series by wildcards, and an agent that falls silent raises "unreachable" until it speaks again.
// Rules kept in the project round-trip through JSON; a bad one is refused naming rule and field.
#include "core/metering/alerts.h"

#include "printers.h"

#include <gtest/gtest.h>

#include <QJsonDocument>

using namespace converge::core::metering;

namespace {

constexpr qint64 kSecond = 1000;
constexpr qint64 kMinute = 60 * kSecond;
constexpr qint64 kT0 = 1'800'000'000'000; // an arbitrary epoch time

AlertRule cpuRule()
{
    AlertRule rule;
    rule.id = QStringLiteral("cpu-high");
    rule.name = QStringLiteral("CPU busy");
    rule.selector = {QStringLiteral("*"), QStringLiteral("cpu"),
                     QStringLiteral("cpu_busy_percent")};
    rule.threshold = 90;
    rule.forMs = 5 * kMinute;
    rule.clearThreshold = 80;
    rule.clearForMs = kMinute;
    return rule;
}

SeriesKey cpuKey(const char *host = "hv1")
{
    return {QLatin1String(host), QStringLiteral("cpu"), QStringLiteral("cpu_busy_percent")};
}

// One 1-second Average sample per second from `from` for `seconds`, all of `value`.
SampleBatch steady(const SeriesKey &key, qint64 from, int seconds, double value)
{
    SeriesSamples series{key, {}};
    for (int i = 1; i <= seconds; ++i)
        series.samples.push_back({from + i * kSecond, value, 1000});
    return SampleBatch{{series}};
}

std::vector<AlertEvent> feedAll(AlertEvaluator &ev, const SampleBatch &batch)
{
    return ev.feed(batch, batch.series.front().samples.back().tMs);
}

TEST(AlertEvaluatorTest, RaisesOnlyAfterForMsNotOnASpike)
{
    AlertEvaluator ev({cpuRule()});
    SampleBatch spike{{{cpuKey(), {{kT0 + kSecond, 100, 1000}, {kT0 + 2 * kSecond, 10, 1000}}}}};
    EXPECT_TRUE(feedAll(ev, spike).empty());
    EXPECT_EQ(ev.trackedSeries(), 0); // a series below its threshold holds no state

    // Above 90 % from kT0 + 2 s: 299 seconds are not enough, the 300th raises.
    EXPECT_TRUE(feedAll(ev, steady(cpuKey(), kT0 + 2 * kSecond, 299, 93.4)).empty());
    auto events = feedAll(ev, steady(cpuKey(), kT0 + 301 * kSecond, 1, 93.4));
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].type, AlertEvent::Type::Raised);
    EXPECT_EQ(events[0].ruleId, QStringLiteral("cpu-high"));
    EXPECT_EQ(events[0].key, cpuKey());
    EXPECT_EQ(events[0].tMs, kT0 + 302 * kSecond);
    EXPECT_EQ(events[0].reason, QStringLiteral("cpu_busy_percent 93.4 % > 90 % for 5 min"));
    ASSERT_EQ(ev.openAlerts().size(), 1U);
    EXPECT_EQ(ev.openAlerts()[0].raisedMs, kT0 + 302 * kSecond);
    // Still above: raised once, not again.
    EXPECT_TRUE(feedAll(ev, steady(cpuKey(), kT0 + 302 * kSecond, 60, 95)).empty());
}

TEST(AlertEvaluatorTest, AFiveMinuteAverageAboveCountsAsFiveMinutes)
{
    // A rollup's sample covers its span: one 5-minute average above 90 % is enough.
    AlertEvaluator ev({cpuRule()});
    SampleBatch rollup{{{cpuKey(), {{kT0 + 5 * kMinute, 91, int(5 * kMinute)}}}}};
    EXPECT_EQ(feedAll(ev, rollup).size(), 1U);
}

TEST(AlertEvaluatorTest, ClearsOnlyAfterTheHysteresis)
{
    AlertEvaluator ev({cpuRule()});
    ASSERT_EQ(feedAll(ev, steady(cpuKey(), kT0, 300, 95)).size(), 1U);
    // 85 % is below the raise threshold but not below the clear threshold: stays open.
    EXPECT_TRUE(feedAll(ev, steady(cpuKey(), kT0 + 300 * kSecond, 600, 85)).empty());
    EXPECT_EQ(ev.openCount(), 1);
    // Below 80 % for 59 s: still open; the 60th second clears.
    const qint64 t = kT0 + 900 * kSecond;
    EXPECT_TRUE(feedAll(ev, steady(cpuKey(), t, 59, 50)).empty());
    auto events = feedAll(ev, steady(cpuKey(), t + 59 * kSecond, 1, 50));
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].type, AlertEvent::Type::Cleared);
    EXPECT_EQ(events[0].tMs, t + 60 * kSecond);
    EXPECT_EQ(events[0].reason, QStringLiteral("cpu_busy_percent 50.0 % < 80 % for 1 min"));
    EXPECT_EQ(ev.openCount(), 0);
    EXPECT_EQ(ev.trackedSeries(), 0);
}

TEST(AlertEvaluatorTest, NoFlappingWhenTheValueHoversBetweenThresholds)
{
    AlertEvaluator ev({cpuRule()});
    ASSERT_EQ(feedAll(ev, steady(cpuKey(), kT0, 300, 95)).size(), 1U);
    // An hour alternating 30 s at 92 % and 30 s at 78 %: never 1 min below 80 %, never cleared.
    SeriesSamples hover{cpuKey(), {}};
    for (int i = 1; i <= 3600; ++i)
        hover.samples.push_back({kT0 + (300 + i) * kSecond, (i / 30) % 2 ? 78.0 : 92.0, 1000});
    EXPECT_TRUE(feedAll(ev, SampleBatch{{hover}}).empty());
    EXPECT_EQ(ev.openCount(), 1);

    // The same pattern on a fresh evaluator never raises: never 5 min above 90 %.
    AlertEvaluator fresh({cpuRule()});
    EXPECT_TRUE(feedAll(fresh, SampleBatch{{hover}}).empty());
    EXPECT_EQ(fresh.openCount(), 0);
}

TEST(AlertEvaluatorTest, BelowRulesMirrorAboveRules)
{
    AlertRule low = cpuRule();
    low.selector = {QStringLiteral("*"), QStringLiteral(""),
                    QStringLiteral("memory_available_bytes")};
    low.comparison = Comparison::Below;
    low.threshold = 512.0 * 1024 * 1024;
    low.clearThreshold = 1024.0 * 1024 * 1024;
    low.forMs = 0;
    low.clearForMs = 0;
    AlertEvaluator ev({low});
    const SeriesKey key{QStringLiteral("hv1"), {}, QStringLiteral("memory_available_bytes")};
    auto raised = ev.feed(SampleBatch{{{key, {{kT0, 300.0 * 1024 * 1024, 0}}}}}, kT0);
    ASSERT_EQ(raised.size(), 1U);
    EXPECT_EQ(raised[0].reason, QStringLiteral("memory_available_bytes 300.0 MiB < 512 MiB"));
    EXPECT_TRUE(ev.feed(SampleBatch{{{key, {{kT0 + 1, 800.0 * 1024 * 1024, 0}}}}}, kT0).empty());
    auto cleared = ev.feed(SampleBatch{{{key, {{kT0 + 2, 2048.0 * 1024 * 1024, 0}}}}}, kT0);
    ASSERT_EQ(cleared.size(), 1U);
    EXPECT_EQ(cleared[0].reason, QStringLiteral("memory_available_bytes 2.0 GiB > 1 GiB"));
}

TEST(AlertEvaluatorTest, WildcardSelectorsMatchHostsAndInterfaces)
{
    const SeriesSelector anyIf{QStringLiteral("*"), QStringLiteral("if/*"),
                               QStringLiteral("net_receive_errors_per_second")};
    const QString m = anyIf.metric;
    EXPECT_TRUE(anyIf.matches({QStringLiteral("hv1"), QStringLiteral("if/eth0"), m}));
    EXPECT_TRUE(anyIf.matches({QStringLiteral("hv2"), QStringLiteral("if/bond0.10"), m}));
    EXPECT_FALSE(anyIf.matches({QStringLiteral("hv1"), QStringLiteral("vnic/x"), m}));
    EXPECT_FALSE(anyIf.matches({QStringLiteral("hv1"), QStringLiteral("if/"), m}));
    EXPECT_FALSE(anyIf.matches({QStringLiteral("hv1"), QStringLiteral("iface"), m}));
    EXPECT_FALSE(anyIf.matches({QStringLiteral("hv1"), QStringLiteral("if/eth0"),
                                QStringLiteral("net_receive_bytes_per_second")}));
    const SeriesSelector oneHost{QStringLiteral("hv1"), QStringLiteral("*"), m};
    EXPECT_TRUE(oneHost.matches({QStringLiteral("hv1"), QStringLiteral("vnic/x"), m}));
    EXPECT_FALSE(oneHost.matches({QStringLiteral("hv10"), QStringLiteral("vnic/x"), m}));
}

TEST(AlertEvaluatorTest, RisingErrorsRaiseAndAreCountedPerNodeAndInterface)
{
    AlertRule rising;
    rising.id = QStringLiteral("if-errors");
    rising.name = QStringLiteral("Interface errors");
    rising.kind = AlertKind::Rising;
    rising.selector = {QStringLiteral("*"), QStringLiteral("if/*"),
                       QStringLiteral("net_receive_errors_per_second")};
    rising.forMs = 10 * kSecond;
    rising.clearForMs = 30 * kSecond;
    AlertEvaluator ev({rising});
    const QString m = rising.selector.metric;
    const SeriesKey eth0{QStringLiteral("hv1"), QStringLiteral("if/eth0"), m};
    const SeriesKey eth1{QStringLiteral("hv1"), QStringLiteral("if/eth1"), m};
    const SeriesKey other{QStringLiteral("hv2"), QStringLiteral("if/eth0"), m};
    EXPECT_TRUE(feedAll(ev, steady(eth0, kT0, 9, 2.5)).empty());
    EXPECT_EQ(feedAll(ev, steady(eth0, kT0 + 9 * kSecond, 1, 2.5)).size(), 1U);
    EXPECT_EQ(feedAll(ev, steady(eth1, kT0, 10, 1)).size(), 1U);
    EXPECT_EQ(feedAll(ev, steady(other, kT0, 10, 1)).size(), 1U);
    EXPECT_EQ(ev.openAlerts()[0].reason,
              QStringLiteral("net_receive_errors_per_second 2.5 errors/s > 0 errors/s for 10 s"));
    EXPECT_EQ(ev.openPerHost().value(QStringLiteral("hv1")), 2);
    EXPECT_EQ(ev.openPerHost().value(QStringLiteral("hv2")), 1);
    const auto perIf = ev.openPerInterface();
    EXPECT_EQ(perIf.at({QStringLiteral("hv1"), QStringLiteral("if/eth1")}), 1);
    EXPECT_EQ(perIf.size(), 3U);
    // No errors for 30 s clears; 29 s do not.
    EXPECT_TRUE(feedAll(ev, steady(eth0, kT0 + 10 * kSecond, 29, 0)).empty());
    EXPECT_EQ(feedAll(ev, steady(eth0, kT0 + 39 * kSecond, 1, 0)).size(), 1U);
    EXPECT_EQ(ev.openPerHost().value(QStringLiteral("hv1")), 1);
}

AlertRule unreachableRule(const char *host)
{
    AlertRule rule;
    rule.id = QStringLiteral("agent-down");
    rule.name = QStringLiteral("Agent unreachable");
    rule.kind = AlertKind::Unreachable;
    rule.selector.host = QLatin1String(host);
    rule.forMs = 2 * kMinute;
    return rule;
}

TEST(AlertEvaluatorTest, UnreachableAfterSilenceAndClearedWhenSamplesReturn)
{
    AlertEvaluator ev({unreachableRule("*")});
    const SampleBatch hello = steady(cpuKey("hv1"), kT0, 1, 5);
    ev.feed(hello, kT0);
    EXPECT_TRUE(ev.tick(kT0 + 2 * kMinute - 1).empty());
    auto raised = ev.tick(kT0 + 2 * kMinute);
    ASSERT_EQ(raised.size(), 1U);
    EXPECT_EQ(raised[0].type, AlertEvent::Type::Raised);
    EXPECT_EQ(raised[0].key.host, QStringLiteral("hv1"));
    EXPECT_EQ(raised[0].reason, QStringLiteral("no samples from hv1 for 2 min"));
    EXPECT_TRUE(ev.tick(kT0 + 3 * kMinute).empty()); // raised once
    EXPECT_EQ(ev.openPerHost().value(QStringLiteral("hv1")), 1);
    // Samples come back (a back-fill with old times still counts: it arrived now).
    auto cleared = ev.feed(steady(cpuKey("hv1"), kT0, 30, 5), kT0 + 5 * kMinute);
    ASSERT_EQ(cleared.size(), 1U);
    EXPECT_EQ(cleared[0].type, AlertEvent::Type::Cleared);
    EXPECT_EQ(cleared[0].tMs, kT0 + 5 * kMinute);
    EXPECT_EQ(cleared[0].reason, QStringLiteral("samples from hv1 again after 5 min"));
    EXPECT_EQ(ev.openCount(), 0);
    EXPECT_TRUE(ev.tick(kT0 + 6 * kMinute).empty());
}

TEST(AlertEvaluatorTest, ANamedHostThatNeverSpokeIsUnreachable)
{
    AlertEvaluator ev({unreachableRule("hv7")});
    EXPECT_TRUE(ev.tick(kT0).empty());
    ev.feed(steady(cpuKey("hv1"), kT0, 1, 5), kT0 + kMinute); // another host: no help
    auto raised = ev.tick(kT0 + 2 * kMinute);
    ASSERT_EQ(raised.size(), 1U);
    EXPECT_EQ(raised[0].key.host, QStringLiteral("hv7"));
}

TEST(AlertEvaluatorTest, AForgottenHostIsNoLongerUnreachable)
{
    AlertEvaluator ev({unreachableRule("*"), cpuRule()});
    ev.feed(steady(cpuKey("hv1"), kT0, 300, 95), kT0);
    ev.feed(steady(cpuKey("hv2"), kT0, 1, 5), kT0);
    ASSERT_EQ(ev.tick(kT0 + 2 * kMinute).size(), 2U);            // both silent
    ASSERT_EQ(ev.openPerHost().value(QStringLiteral("hv1")), 2); // silent and CPU busy
    auto cleared = ev.forgetHost(QStringLiteral("hv1"), kT0 + 3 * kMinute);
    ASSERT_EQ(cleared.size(), 2U);
    EXPECT_EQ(cleared[0].reason, QStringLiteral("hv1 is no longer watched"));
    EXPECT_EQ(ev.openPerHost().value(QStringLiteral("hv1")), 0);
    EXPECT_EQ(ev.openPerHost().value(QStringLiteral("hv2")), 1);
    EXPECT_TRUE(ev.tick(kT0 + 10 * kMinute).empty()); // hv1 does not come back as silent
}

TEST(AlertEvaluatorTest, PendingStateIsCappedAndForgottenWhenASeriesStops)
{
    AlertRule any = cpuRule();
    any.selector.entity = QStringLiteral("*");
    AlertEvaluator ev({any});
    SampleBatch many;
    for (int i = 0; i < AlertEvaluator::kMaxTracked + 10; ++i)
        many.series.push_back({{QStringLiteral("hv1"), QStringLiteral("cpu%1").arg(i),
                                QStringLiteral("cpu_busy_percent")},
                               {{kT0, 99, 1000}}});
    ev.feed(many, kT0);
    EXPECT_EQ(ev.trackedSeries(), AlertEvaluator::kMaxTracked);
    EXPECT_EQ(ev.droppedSeries(), 10);
    ev.tick(kT0 + any.forMs + AlertEvaluator::kStaleGraceMs + 1);
    EXPECT_EQ(ev.trackedSeries(), 0);
}

TEST(AlertEvaluatorTest, ABackFillOverlappingLiveSamplesChangesNothing)
{
    AlertEvaluator ev({cpuRule()});
    EXPECT_TRUE(feedAll(ev, steady(cpuKey(), kT0, 200, 95)).empty());
    // A reconnect back-fills samples already seen, one of them below: the wait goes on.
    SampleBatch backFill{{{cpuKey(), {{kT0 + 100 * kSecond, 10, 1000}}}}};
    EXPECT_TRUE(ev.feed(backFill, kT0 + 200 * kSecond).empty());
    EXPECT_EQ(feedAll(ev, steady(cpuKey(), kT0 + 200 * kSecond, 100, 95)).size(), 1U);
}

TEST(AlertEvaluatorTest, EditedRulesKeepWhatIsUnchangedAndClearWhatIsGone)
{
    AlertRule memory = cpuRule();
    memory.id = QStringLiteral("mem");
    memory.selector = {QStringLiteral("*"), {}, QStringLiteral("memory_used_bytes")};
    memory.forMs = 0;
    AlertEvaluator ev({cpuRule(), memory});
    const SeriesKey used{QStringLiteral("hv1"), {}, memory.selector.metric};
    ASSERT_EQ(feedAll(ev, steady(cpuKey(), kT0, 300, 95)).size(), 1U);
    ASSERT_EQ(ev.feed(SampleBatch{{{used, {{kT0, 100, 0}}}}}, kT0).size(), 1U);

    // cpu-high moves to the second place unchanged; mem's threshold changes.
    AlertRule memory2 = memory;
    memory2.threshold = 200;
    memory2.clearThreshold = 150;
    auto events = ev.setRules({memory2, cpuRule()}, kT0 + 400 * kSecond);
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].ruleId, QStringLiteral("mem"));
    EXPECT_EQ(events[0].type, AlertEvent::Type::Cleared);
    EXPECT_EQ(events[0].reason, QStringLiteral("the rule was removed or changed"));
    ASSERT_EQ(ev.openCount(), 1);
    EXPECT_EQ(ev.openAlerts()[0].ruleId, QStringLiteral("cpu-high"));
    // The kept alert still clears by its own hysteresis.
    EXPECT_EQ(feedAll(ev, steady(cpuKey(), kT0 + 400 * kSecond, 60, 10)).size(), 1U);
}

// ---- rules as the project keeps them ----

TEST(AlertRuleTest, RoundTripsThroughJson)
{
    AlertRule rising;
    rising.id = QStringLiteral("if-errors");
    rising.name = QStringLiteral("Errors, \"rising\"");
    rising.kind = AlertKind::Rising;
    rising.selector = {QStringLiteral("hv1"), QStringLiteral("vnic/*"),
                       QStringLiteral("net_transmit_drops_per_second")};
    rising.forMs = 30 * kSecond;
    std::vector<AlertRule> rules{cpuRule(), rising, unreachableRule("*")};
    const QByteArray text = QJsonDocument(alertRulesToJson(rules)).toJson();
    auto back = alertRulesFromJson(QJsonDocument::fromJson(text).array());
    ASSERT_TRUE(back) << back.error().message.toStdString();
    EXPECT_EQ(*back, rules);
}

QString errorFor(const char *json)
{
    auto rules = alertRulesFromJson(QJsonDocument::fromJson(json).array());
    return rules ? QString() : rules.error().message;
}

TEST(AlertRuleTest, BadJsonIsRefusedNamingTheRuleAndTheField)
{
    EXPECT_EQ(errorFor(R"([{"id": "c", "name": "CPU", "metric": "cpu_busy_percent",
                            "threshold": "ninety"}])"),
              QStringLiteral("alert rules[0]: alert rule \"CPU\": \"threshold\" must be a number"));
    EXPECT_EQ(errorFor(R"([{"id": "c", "name": "CPU", "metric": "cpu_busy_percent",
                            "threshold": 90, "clearThreshold": 95}])"),
              QStringLiteral("alert rules[0]: alert rule \"CPU\": \"clearThreshold\" 95 is above "
                             "the threshold 90: the alert would clear while raised"));
    EXPECT_TRUE(errorFor(R"([{"id": "c", "name": "CPU", "metric": "cpu_busy", "threshold": 1}])")
                    .contains(QLatin1String("\"metric\" \"cpu_busy\" is not one Converge meters")));
    EXPECT_TRUE(errorFor(R"([{"id": "c", "name": "CPU", "metric": "cpu_busy_percent",
                             "threshold": 1, "forMs": -5}])")
                    .startsWith(QLatin1String(
                        "alert rules[0]: alert rule \"CPU\": \"forMs\" must be whole")));
    EXPECT_TRUE(errorFor(R"([{"id": "c", "name": "CPU", "metric": "cpu_busy_percent",
                             "threshold": 1, "treshold": 2}])")
                    .contains(QLatin1String("\"treshold\" is not a key of a threshold rule")));
    EXPECT_TRUE(errorFor(R"([{"id": "e", "name": "Errs", "kind": "rising",
                             "metric": "cpu_busy_percent"}])")
                    .contains(QLatin1String("alert rule \"Errs\": \"metric\" \"cpu_busy_percent\" "
                                            "is not an errors or drops metric")));
    EXPECT_TRUE(errorFor(R"([{"id": "c", "name": "CPU", "entity": "if*",
                             "metric": "cpu_busy_percent", "threshold": 1}])")
                    .contains(QLatin1String("\"entity\" may use '*' only alone")));
    EXPECT_TRUE(errorFor(R"([{"id": "d", "name": "Down", "kind": "unreachable"}])")
                    .contains(QLatin1String("alert rule \"Down\": \"forMs\" must be above 0")));
    EXPECT_EQ(errorFor(R"([{"id": "bad id", "name": "X"}])"),
              QStringLiteral("alert rules[0]: alert rule \"X\": \"id\" must be 1 to 64 letters, "
                             "digits, '_', '.' or '-'"));
    EXPECT_TRUE(errorFor(R"([{"id": "a", "name": "A", "metric": "cpu_busy_percent", "threshold": 1},
                            {"id": "a", "name": "B", "metric": "cpu_busy_percent", "threshold": 1}])")
                    .startsWith(QLatin1String(
                        "alert rules[1]: alert rule \"B\": \"id\" a is already used")));
}

TEST(AlertRuleTest, DurationsReadAsPeopleWriteThem)
{
    EXPECT_EQ(formatDuration(5 * kMinute), QStringLiteral("5 min"));
    EXPECT_EQ(formatDuration(90 * kSecond), QStringLiteral("90 s"));
    EXPECT_EQ(formatDuration(90 * kMinute), QStringLiteral("1 h 30 min"));
    EXPECT_EQ(formatDuration(250), QStringLiteral("250 ms"));
}

} // namespace
