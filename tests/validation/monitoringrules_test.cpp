// One test per monitoring rule: it fires on a minimal bad design and stays silent once corrected;
// and the sample designs break none of them.
#include "rulestestsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>

#include <gtest/gtest.h>

using namespace converge::testing;
using converge::core::Finding;
using converge::core::Severity;

namespace {

// Host hv1 with switches vsA and vsB and VM vm1 whose vNICs are `vnics`; `top`: top-level members.
QByteArray monitorDoc(const char *vnics, const char *top = "")
{
    const QByteArray body =
        QByteArray(R"("switches": [{"id": "vsA", "name": "vsA", "type": "Private"},
                                                      {"id": "vsB", "name": "vsB", "type": "Private"}],
        "vms": [{"id": "vm", "name": "vm1", "vnics": )") +
        vnics + "}]";
    return hostDocument(body.constData(), top);
}

const char *threeVnics = R"([{"id": "a", "name": "web", "switch": "vsA"},
                             {"id": "b", "name": "db", "switch": "vsA"},
                             {"id": "m", "name": "monitor", "switch": "vsA"}])";

QByteArray session(const char *members)
{
    return QByteArray(R"("mirrorSessions": [{"id": "s", "name": "watch", )") + members + "}], ";
}

} // namespace

TEST(MonitoringRules, Mon001SessionShape)
{
    const auto noSource = findingsOf(
        "MON-001",
        monitorDoc(threeVnics, session(R"("switch": "vsA", "destination": "m")").constData()));
    ASSERT_EQ(noSource.size(), 1u);
    EXPECT_EQ(noSource[0].severity, Severity::Error);
    EXPECT_EQ(noSource[0].elements, ids({"s"}));
    EXPECT_EQ(noSource[0].message,
              QStringLiteral("mirror session 'watch' has no source vNIC; add the "
                             "vNICs whose traffic is to be copied."));

    EXPECT_EQ(
        findingsOf("MON-001", monitorDoc(threeVnics, session(R"("sources": ["a"])").constData()))
            .size(),
        1u)
        << "no destination";

    QByteArray elsewhere(threeVnics);
    elsewhere.replace(R"("id": "m", "name": "monitor", "switch": "vsA")",
                      R"("id": "m", "name": "monitor", "switch": "vsB")");
    const auto split = findingsOf(
        "MON-001",
        monitorDoc(
            elsewhere.constData(),
            session(R"("switch": "vsA", "sources": ["a", "b"], "destination": "m")").constData()));
    ASSERT_EQ(split.size(), 1u);
    EXPECT_EQ(split[0].elements, ids({"s", "m"}));
    EXPECT_EQ(split[0].message,
              QStringLiteral(
                  "vNIC 'monitor' of VM 'vm1' on host 'hv1' is the destination of mirror "
                  "session 'watch' but is on virtual switch 'vsB' on host 'hv1', not on virtual "
                  "switch 'vsA' on host 'hv1' where the session runs; port mirroring copies "
                  "traffic within one virtual switch. Connect it to that switch or take it out of "
                  "the session."));

    QByteArray contradicting(threeVnics);
    contradicting.replace(R"("name": "web", "switch": "vsA")",
                          R"("name": "web", "switch": "vsA", "mirroringRole": "Destination")");
    const auto role = findingsOf(
        "MON-001", monitorDoc(contradicting.constData(),
                              session(R"("sources": ["a", "b"], "destination": "m")").constData()));
    ASSERT_EQ(role.size(), 1u);
    ASSERT_TRUE(role[0].fix);
    EXPECT_EQ(role[0].fix->changes.front().value.toString(), QStringLiteral("Source"));

    EXPECT_TRUE(
        findingsOf(
            "MON-001",
            monitorDoc(threeVnics,
                       session(R"("switch": "vsA", "sources": ["a", "b"], "destination": "m")")
                           .constData()))
            .empty());
}

TEST(MonitoringRules, Mon002MeteringSeparatesInternetTraffic)
{
    auto doc = [](const char *acls) {
        const QByteArray vnics =
            QByteArray(
                R"([{"id": "a", "name": "web", "switch": "vsA", "addresses": ["10.127.4.51/22"], "acls": )") +
            acls + "}]";
        return monitorDoc(vnics.constData());
    };
    const auto together = findingsOf(
        "MON-002",
        doc(R"([{"direction": "Both", "action": "Meter", "remoteAddress": "0.0.0.0/0"}])"));
    ASSERT_EQ(together.size(), 1u);
    EXPECT_EQ(together[0].severity, Severity::Info);
    EXPECT_EQ(
        together[0].message,
        QStringLiteral("vNIC 'web' of VM 'vm1' on host 'hv1' meters every remote address with one "
                       "ACL, so Internet and datacenter traffic are counted together. To separate "
                       "them, add Meter ACLs for the internal prefixes beside the one for the "
                       "default gateway's side."));
    ASSERT_TRUE(together[0].fix);
    const QJsonArray fixed = together[0].fix->changes.front().value.toArray();
    ASSERT_EQ(fixed.size(), 2);
    EXPECT_EQ(fixed.at(1).toObject().value(QStringLiteral("remoteAddress")).toString(),
              QStringLiteral("10.127.4.0/22"));

    const auto internalOnly = findingsOf(
        "MON-002",
        doc(R"([{"direction": "Both", "action": "Meter", "remoteAddress": "10.0.0.0/8"}])"));
    ASSERT_EQ(internalOnly.size(), 1u);
    EXPECT_TRUE(internalOnly[0].message.contains(QStringLiteral("0.0.0.0/0")));

    EXPECT_TRUE(
        findingsOf("MON-002",
                   doc(R"([{"direction": "Both", "action": "Meter", "remoteAddress": "0.0.0.0/0"},
                                              {"direction": "Both", "action": "Meter", "remoteAddress": "10.0.0.0/8"}])"))
            .empty());
    EXPECT_TRUE(
        findingsOf(
            "MON-002",
            doc(R"([{"direction": "Inbound", "action": "Deny", "remoteAddress": "0.0.0.0/0"}])"))
            .empty());
}

TEST(MonitoringRules, Mon003SourcesAndDestinationsInPairs)
{
    const char *sourceOnly =
        R"([{"id": "a", "name": "web", "switch": "vsA", "mirroringRole": "Source"},
                                 {"id": "m", "name": "monitor", "switch": "vsA"}])";
    const auto bad = findingsOf("MON-003", monitorDoc(sourceOnly));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Warning);
    EXPECT_EQ(bad[0].elements, ids({"a", "vsA"}));
    EXPECT_EQ(
        bad[0].message,
        QStringLiteral("vNIC 'web' of VM 'vm1' on host 'hv1' is a mirroring source on virtual "
                       "switch 'vsA', which has no destination vNIC, so the copies go nowhere; "
                       "set the monitoring vNIC's mirroring role to Destination."));
    const char *destinationOnly =
        R"([{"id": "m", "name": "monitor", "switch": "vsA", "mirroringRole": "Destination"}])";
    EXPECT_EQ(findingsOf("MON-003", monitorDoc(destinationOnly)).size(), 1u);

    QByteArray paired(sourceOnly);
    paired.replace(R"("name": "monitor", "switch": "vsA")",
                   R"("name": "monitor", "switch": "vsA", "mirroringRole": "Destination")");
    EXPECT_TRUE(findingsOf("MON-003", monitorDoc(paired.constData())).empty());
    // A session's destination on the switch counts too.
    EXPECT_TRUE(
        findingsOf(
            "MON-003",
            monitorDoc(sourceOnly, session(R"("sources": ["a"], "destination": "m")").constData()))
            .empty());
    // The mirror on another switch does not.
    QByteArray otherSwitch(paired);
    otherSwitch.replace(R"("name": "monitor", "switch": "vsA")",
                        R"("name": "monitor", "switch": "vsB")");
    EXPECT_EQ(findingsOf("MON-003", monitorDoc(otherSwitch.constData())).size(), 2u);
}

TEST(MonitoringRules, SamplesBreakNoMonitoringRule)
{
    for (const char *file : cleanSamples) {
        const auto design = loadSample(file);
        for (const char *id : {"MON-001", "MON-002", "MON-003"})
            for (const Finding &f : findingsOf(id, design))
                ADD_FAILURE() << file << ": " << testing::PrintToString(f);
    }
}

// Two hosts each with a switch named 'LAN': the message tells them apart by host (it used to read
// "on virtual switch 'LAN', not on virtual switch 'LAN'").
TEST(MonitoringRules, Mon001NamesEachSwitchWithItsHost)
{
    const QByteArray doc = R"({"schemaVersion": 1,
        "mirrorSessions": [{"id": "s", "name": "watch", "switch": "vs1", "sources": ["a"], "destination": "m"}],
        "hosts": [{"id": "h1", "name": "hv1", "platform": "hyperv",
                   "switches": [{"id": "vs1", "name": "LAN", "type": "Private"}],
                   "vms": [{"id": "vm1", "name": "web", "vnics": [
                       {"id": "a", "name": "LAN", "switch": "vs1", "mirroringRole": "Source"}]}]},
                  {"id": "h2", "name": "hv2", "platform": "hyperv",
                   "switches": [{"id": "vs2", "name": "LAN", "type": "Private"}],
                   "vms": [{"id": "vm2", "name": "probe", "vnics": [
                       {"id": "m", "name": "monitor", "switch": "vs2", "mirroringRole": "Destination"}]}]}]})";
    const auto bad = findingsOf("MON-001", doc);
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_TRUE(bad[0].message.contains(
        QStringLiteral("is on virtual switch 'LAN' on host 'hv2', not on virtual switch 'LAN' on "
                       "host 'hv1' where the session runs")))
        << bad[0].message.toStdString();
}

TEST(MonitoringRules, QuickFixTitlesDoNotRepeatWords)
{
    const QByteArray doc =
        R"({"schemaVersion": 1, "hosts": [{"id": "h1", "name": "hv1", "platform": "hyperv",
        "switches": [{"id": "vs", "name": "LAN", "type": "Private"}],
        "vms": [{"id": "vm1", "name": "web", "vnics": [
            {"id": "a", "name": "LAN", "switch": "vs", "trafficRole": "Tenant"}]}]}]})";
    for (const char *rule : {"SEC-002", "SEC-003"}) {
        const auto found = findingsOf(rule, doc);
        ASSERT_EQ(found.size(), 1u) << rule;
        ASSERT_TRUE(found[0].fix) << rule;
        EXPECT_FALSE(found[0].fix->title.contains(QStringLiteral("on on"))) << rule;
        EXPECT_TRUE(found[0].fix->title.endsWith(QStringLiteral("for vNIC 'LAN'")))
            << found[0].fix->title.toStdString();
    }
}
