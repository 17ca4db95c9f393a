// Metering's vocabulary and counters (issue 15; docs/metering.md): series keys and sample batches
// as they cross the wire are checked field by field, and counters become rates across wraps,
// resets and re-created interfaces.
#include "core/io/designdocument.h"
#include "core/metering/aclmetering.h"
#include "core/metering/counterrate.h"
#include "core/metering/entities.h"
#include "core/metering/sample.h"

#include <gtest/gtest.h>

#include <QJsonArray>

using namespace converge::core::metering;

namespace {

const SeriesKey kRx{QStringLiteral("h1"), QStringLiteral("if/eth0"),
                    QStringLiteral("net_receive_bytes_per_second")};

TEST(SeriesKeyTest, RoundTripsAndSaysWhichPartIsWrong)
{
    auto key = SeriesKey::parse(kRx.toString());
    ASSERT_TRUE(key) << key.error().message.toStdString();
    EXPECT_EQ(*key, kRx);
    auto host = SeriesKey::parse(QStringLiteral("|cpu|cpu_busy_percent"));
    ASSERT_FALSE(host);
    EXPECT_TRUE(host.error().message.contains(QLatin1String("the host is empty")));
    auto metric = SeriesKey::parse(QStringLiteral("h1|cpu|cpu_bogus"));
    ASSERT_FALSE(metric);
    EXPECT_TRUE(metric.error().message.contains(QLatin1String("\"cpu_bogus\" is not one")));
    auto control = SeriesKey::parse(QStringLiteral("h1|if/eth0\n|cpu_busy_percent"));
    ASSERT_FALSE(control);
    EXPECT_TRUE(control.error().message.contains(QLatin1String("the entity has a forbidden")));
    EXPECT_FALSE(SeriesKey::parse(QStringLiteral("h1|cpu")));
}

TEST(SampleBatchTest, RoundTripsThroughJson)
{
    SampleBatch batch;
    batch.series.push_back({kRx, {{1000, 12.5, 1000}, {2000, 0, 1000}}});
    auto back = SampleBatch::fromJson(batch.toJson());
    ASSERT_TRUE(back) << back.error().message.toStdString();
    ASSERT_EQ(back->series.size(), 1U);
    EXPECT_EQ(back->series[0].key, kRx);
    EXPECT_EQ(back->series[0].samples, batch.series[0].samples);
    EXPECT_EQ(back->sampleCount(), 2);
}

TEST(SampleBatchTest, BadFieldsAreRefusedWithWhere)
{
    const auto error = [](QJsonObject series) {
        auto r = SampleBatch::fromJson({{QStringLiteral("series"), QJsonArray{series}}});
        return r ? QString() : r.error().message;
    };
    const QString key = kRx.toString();
    const QJsonArray one{1000};
    EXPECT_TRUE(error({{"key", key}, {"t", QJsonArray{1000, 2000}}, {"v", one}, {"s", one}})
                    .contains(QLatin1String("differ in length")));
    EXPECT_TRUE(error({{"key", key},
                       {"t", QJsonArray{2000, 1000}},
                       {"v", QJsonArray{1, 2}},
                       {"s", QJsonArray{0, 0}}})
                    .contains(QLatin1String("series[0]: t[1] does not rise")));
    EXPECT_TRUE(error({{"key", key}, {"t", one}, {"v", QJsonArray{"x"}}, {"s", one}})
                    .contains(QLatin1String("v[0] is not a finite number")));
    EXPECT_TRUE(error({{"key", key}, {"t", QJsonArray{1.5}}, {"v", one}, {"s", one}})
                    .contains(QLatin1String("t[0] is not a time")));
    EXPECT_TRUE(error({{"key", key}, {"t", one}, {"v", one}, {"s", one}, {"extra", 1}})
                    .contains(QLatin1String("unknown field \"extra\"")));
    EXPECT_FALSE(SampleBatch::fromJson({{QStringLiteral("series"), 3}}));
}

CounterReading reading(qint64 tMs, quint64 value, int bits = 64, const char *instance = "7")
{
    return {kRx, tMs, value, bits, QLatin1String(instance)};
}

TEST(CounterRatesTest, TheFirstReadingGivesNothingThenTheMeanRate)
{
    CounterRates rates;
    EXPECT_FALSE(rates.feed(reading(1000, 5000)));
    const auto s = rates.feed(reading(3000, 9000));
    ASSERT_TRUE(s);
    EXPECT_DOUBLE_EQ(s->value, 2000.0); // 4000 bytes in 2 s
    EXPECT_EQ(s->spanMs, 2000);
    EXPECT_EQ(s->tMs, 3000);
}

TEST(CounterRatesTest, AThirtyTwoBitCounterWrapsAndALargerFallIsAReset)
{
    CounterRates rates;
    rates.feed(reading(0, 0xFFFF'FF00ULL, 32));
    auto wrapped = rates.feed(reading(1000, 0x100, 32));
    ASSERT_TRUE(wrapped);
    EXPECT_DOUBLE_EQ(wrapped->value, 512.0);
    // A 64-bit counter that falls was reset: what it counts now is what happened.
    CounterRates reset;
    reset.feed(reading(0, 1'000'000));
    auto after = reset.feed(reading(1000, 300));
    ASSERT_TRUE(after);
    EXPECT_DOUBLE_EQ(after->value, 300.0);
}

TEST(CounterRatesTest, ARecreatedInterfaceCountsFromZeroAndTimeGoingBackRestarts)
{
    CounterRates rates;
    rates.feed(reading(0, 10'000, 64, "7"));
    auto recreated = rates.feed(reading(1000, 20'000, 64, "9")); // higher, but another ifindex
    ASSERT_TRUE(recreated);
    EXPECT_DOUBLE_EQ(recreated->value, 20'000.0);
    EXPECT_FALSE(rates.feed(reading(500, 30'000, 64, "9")));
    auto next = rates.feed(reading(1500, 31'000, 64, "9"));
    ASSERT_TRUE(next);
    EXPECT_DOUBLE_EQ(next->value, 1000.0);
    rates.forgetOlderThan(2000);
    EXPECT_EQ(rates.size(), 0);
}

TEST(MetricCatalogTest, NamesAreUniqueAndAveragesAreRatesOrShares)
{
    QSet<QString> names;
    for (const MetricInfo &m : metricCatalog()) {
        EXPECT_FALSE(names.contains(m.name)) << m.name.toStdString();
        names.insert(m.name);
        EXPECT_FALSE(m.help.isEmpty()) << m.name.toStdString();
        if (m.kind == SeriesKind::Average) {
            EXPECT_TRUE(m.unit.endsWith(QLatin1String("_per_second")) ||
                        m.unit == QLatin1String("percent") || m.unit == QLatin1String("cores"))
                << m.name.toStdString();
        }
    }
    EXPECT_EQ(metricInfo(u"vm_memory_bytes")->kind, SeriesKind::Gauge);
    EXPECT_EQ(metricInfo(u"nope"), nullptr);
}

} // namespace

namespace {

using converge::core::realize::Acl;

converge::core::realize::HostState meteredHost(const QString &digest)
{
    converge::core::realize::HostState s;
    s.host = QStringLiteral("h1");
    converge::core::realize::Bridge b;
    b.name = QStringLiteral("lab");
    b.flowsDigest = digest;
    converge::core::realize::Port p;
    p.name = QStringLiteral("v1");
    p.elementId = QStringLiteral("web.nic0");
    const auto acl = [](const char *direction, const char *action, const char *remote) {
        Acl a;
        a.direction = QLatin1String(direction);
        a.action = QLatin1String(action);
        a.remotePrefix = QLatin1String(remote);
        return a;
    };
    p.acls = {acl("in", "meter", "0.0.0.0/0"), acl("in", "meter", "10.0.0.0/8"),
              acl("out", "meter", ""), acl("in", "allow", "10.0.0.0/8"),
              acl("out", "meter", "::/0")};
    b.ports.push_back(p);
    s.bridges.push_back(b);
    return s;
}

TEST(AclMeteringTest, MeterAclsSplitIntoInternetAndDatacenterPerDirection)
{
    using converge::core::protocol::MeterCounter;
    const std::vector<MeterCounter> counters = {
        {QStringLiteral("lab"), QStringLiteral("v1"), 0, 1, 1000},
        {QStringLiteral("lab"), QStringLiteral("v1"), 1, 1, 200},
        {QStringLiteral("lab"), QStringLiteral("v1"), 2, 1, 30},
        {QStringLiteral("lab"), QStringLiteral("v1"), 3, 1, 99999}, // an allow ACL: not metered
        {QStringLiteral("lab"), QStringLiteral("v1"), 4, 1, 4},
        {QStringLiteral("lab"), QStringLiteral("v9"), 0, 1, 77}, // no such port
    };
    const auto readings = aclReadings(QStringLiteral("h1"), 5000, meteredHost("d1"), counters);
    QHash<QString, quint64> bytes;
    for (const CounterReading &r : readings) {
        EXPECT_EQ(r.key.entity, QStringLiteral("vnic/web.nic0"));
        EXPECT_EQ(r.tMs, 5000);
        bytes[r.key.metric] = r.value;
    }
    EXPECT_EQ(bytes.size(), 3);
    EXPECT_EQ(bytes.value(QStringLiteral("acl_internet_receive_bytes_per_second")), 1000U);
    EXPECT_EQ(bytes.value(QStringLiteral("acl_datacenter_receive_bytes_per_second")), 200U);
    EXPECT_EQ(bytes.value(QStringLiteral("acl_internet_transmit_bytes_per_second")), 34U);
    // Re-installed flows (another digest) count from zero again: another instance.
    const auto again = aclReadings(QStringLiteral("h1"), 6000, meteredHost("d2"), counters);
    ASSERT_FALSE(again.empty());
    EXPECT_NE(again.front().instance, readings.front().instance);
}

} // namespace

namespace {

// What Show Metering opens for each kind of element: the host's own series, a VM's, a vNIC's, a
// NIC's, and a resource pool's VMs across hosts; nothing for a switch.
TEST(MeteredEntityTest, EachElementKindOpensItsSeries)
{
    auto design = converge::core::designdocument::load(R"({
  "schemaVersion": 1, "name": "Pools",
  "resourcePools": [{"id": "p", "name": "tenants"}],
  "hosts": [
    {"id": "h1", "name": "hv1", "platform": "linux-ovs",
     "nics": [{"id": "h1.eth1", "name": "LAN 1", "interfaceName": "eth1"}],
     "switches": [{"id": "h1.vs", "name": "LAN", "type": "Internal"}],
     "vms": [{"id": "h1.a", "name": "a", "resourcePool": "p",
              "vnics": [{"id": "h1.a.lan", "name": "LAN", "switch": "h1.vs"}]}]},
    {"id": "h2", "name": "hv2", "platform": "linux-ovs",
     "vms": [{"id": "h2.b", "name": "b", "resourcePool": "p"}, {"id": "h2.c", "name": "c"}]}]
})");
    ASSERT_TRUE(design) << design.error().message.toStdString();
    const auto of = [&](const char *id) {
        return meteredEntity(*design, *design->find(QLatin1String(id)));
    };
    EXPECT_EQ(of("h1")->entity, QString());
    EXPECT_EQ(of("h1")->host, QStringLiteral("hv1"));
    EXPECT_EQ(of("h1.a")->entity, QStringLiteral("vm/h1.a"));
    EXPECT_EQ(of("h1.a.lan")->entity, QStringLiteral("vnic/h1.a.lan"));
    EXPECT_EQ(of("h1.a.lan")->host, QStringLiteral("hv1"));
    EXPECT_EQ(of("h1.eth1")->entity, QStringLiteral("if/eth1"));
    const auto pool = of("p");
    ASSERT_TRUE(pool);
    EXPECT_EQ(pool->entity, QStringLiteral("pool/p"));
    EXPECT_EQ(pool->members, (std::vector<std::pair<QString, QString>>{
                                 {QStringLiteral("hv1"), QStringLiteral("vm/h1.a")},
                                 {QStringLiteral("hv2"), QStringLiteral("vm/h2.b")}}));
    EXPECT_FALSE(of("h1.vs"));
}

} // namespace
