// Review findings that need a real Open vSwitch (root): each test failed before its fix.
#include "collectors/agent/agentservice.h"
#include "collectors/ovs/ovsreader.h"
#include "core/protocol/frame.h"
#include "tests/agent/ovsenv.h"

#include "testapp.h"

#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QJsonDocument>
#include <QTemporaryDir>

namespace converge::collectors {
using converge::testing::ensureApp;

namespace {

using testing::haveRootAndOvs;
using testing::NetNs;
using testing::NetnsScope;
using testing::OvsInstance;

QJsonObject desiredWith(const QString &elementId)
{
    return QJsonDocument::fromJson(QStringLiteral(R"({"bridges":[{"name":"cvrv","elementId":"%1",
        "ports":[{"name":"cvi0","type":"internal","vlanMode":"access","tag":10}]}]})")
                                       .arg(elementId)
                                       .toUtf8())
        .object();
}

std::string text(const core::protocol::Message &m)
{
    return QJsonDocument(m.body).toJson().toStdString();
}

// ovs-vswitchd keeps flows only in memory: after it restarts (or someone edits a managed bridge's
// flows) the agent no longer recognizes the flow table, and the state it reads has an empty flow
// digest. A rollback to such a state re-installs the policy's flows, which are then recognized, so
// comparing with the state as read said "rollback left the host different" for ever: the
// transaction stayed pending, retried every 5 s, and every apply answered "busy".
TEST(ReviewOnOvs, RollbackSucceedsAfterTheFlowTableWasResetBehindTheAgent)
{
    QString why;
    if (!haveRootAndOvs(&why))
        GTEST_SKIP() << why.toStdString();
    ensureApp();
    NetNs ns;
    ASSERT_TRUE(ns.isValid()) << ns.error().toStdString();
    OvsInstance ovs(ns);
    ASSERT_TRUE(ovs.isValid()) << ovs.error().toStdString();
    NetnsScope scope(ns.name()); // the internal port's addresses live there
    ASSERT_TRUE(scope.isValid()) << scope.error().toStdString();
    QTemporaryDir state(QStringLiteral("/tmp/cvt-review-XXXXXX"));

    AgentConfig config;
    config.stateDir = state.path();
    config.ovs = ovs.env();
    config.datapathType = QStringLiteral("netdev");
    config.hostName = QStringLiteral("hv1");
    AgentService service(config);
    ASSERT_TRUE(service.recover());

    const auto request = [&](const char *type, const QJsonObject &body) {
        static qint64 id = 0;
        return service.handle({QLatin1String(type), ++id, body});
    };
    auto first =
        request("apply", {{QStringLiteral("desired"), desiredWith(QStringLiteral("sw-1"))}});
    ASSERT_EQ(first.type, QStringLiteral("result")) << text(first);
    auto confirmed =
        request("confirm",
                {{QStringLiteral("transaction"), first.body.value(QLatin1String("transaction"))}});
    ASSERT_EQ(confirmed.type, QStringLiteral("result")) << text(confirmed);

    // As after an ovs-vswitchd restart: the bridge's flows are gone.
    ASSERT_TRUE(ovs.ofctl({QStringLiteral("del-flows"), QStringLiteral("cvrv")}));
    auto before = service.readState();
    ASSERT_TRUE(before) << before.error().message.toStdString();
    ASSERT_TRUE(before->bridges.at(0).flowsDigest.isEmpty());

    auto second =
        request("apply", {{QStringLiteral("desired"), desiredWith(QStringLiteral("sw-2"))}});
    ASSERT_EQ(second.type, QStringLiteral("result")) << text(second);
    auto back =
        request("rollback",
                {{QStringLiteral("transaction"), second.body.value(QLatin1String("transaction"))}});
    EXPECT_EQ(back.type, QStringLiteral("result")) << text(back);
    EXPECT_FALSE(service.hasPendingTransaction());
    EXPECT_FALSE(QFile::exists(service.journalPath()));

    auto after = service.readState();
    ASSERT_TRUE(after) << after.error().message.toStdString();
    EXPECT_EQ(after->bridges.at(0).elementId, QStringLiteral("sw-1"));
    // And the host takes applies again.
    auto third = request("apply", {{QStringLiteral("desired"), desiredWith(QStringLiteral("sw-3"))},
                                   {QStringLiteral("confirmTimeoutSec"), 60}});
    EXPECT_EQ(third.type, QStringLiteral("result")) << text(third);
}

// The flows of a port named "2" must match that port, not OpenFlow port number 2.
TEST(ReviewOnOvs, GuardsOfANumericallyNamedPortMatchThatPort)
{
    QString why;
    if (!haveRootAndOvs(&why))
        GTEST_SKIP() << why.toStdString();
    ensureApp();
    NetNs ns;
    ASSERT_TRUE(ns.isValid()) << ns.error().toStdString();
    OvsInstance ovs(ns);
    ASSERT_TRUE(ovs.isValid()) << ovs.error().toStdString();
    for (const char *name : {"x1", "x2", "2"})
        ASSERT_TRUE(ns.run({QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("add"),
                            QLatin1String(name), QStringLiteral("type"), QStringLiteral("veth"),
                            QStringLiteral("peer"), QStringLiteral("name"),
                            QStringLiteral("p") + QLatin1String(name)}));
    NetnsScope scope(ns.name());
    ASSERT_TRUE(scope.isValid()) << scope.error().toStdString();
    QTemporaryDir state(QStringLiteral("/tmp/cvt-review-XXXXXX"));
    AgentConfig config;
    config.stateDir = state.path();
    config.ovs = ovs.env();
    config.datapathType = QStringLiteral("netdev");
    config.hostName = QStringLiteral("hv1");
    AgentService service(config);
    // x1 and x2 are added first, so they get OpenFlow ports 1 and 2; "2" gets 3.
    const QJsonObject desired = QJsonDocument::fromJson(R"({"bridges":[{"name":"cvrn","ports":[
            {"name":"x1","type":"system"},{"name":"x2","type":"system"}]}]})")
                                    .object();
    auto first =
        service.handle({QStringLiteral("apply"), 1, {{QStringLiteral("desired"), desired}}});
    ASSERT_EQ(first.type, QStringLiteral("result")) << text(first);
    service.handle(
        {QStringLiteral("confirm"),
         2,
         {{QStringLiteral("transaction"), first.body.value(QLatin1String("transaction"))}}});
    const QJsonObject guarded = QJsonDocument::fromJson(R"({"bridges":[{"name":"cvrn","ports":[
            {"name":"x1","type":"system"},{"name":"x2","type":"system"},
            {"name":"2","type":"system","policy":{"dhcpGuard":true}}]}]})")
                                    .object();
    auto second =
        service.handle({QStringLiteral("apply"), 3, {{QStringLiteral("desired"), guarded}}});
    ASSERT_EQ(second.type, QStringLiteral("result")) << text(second);
    auto ofport = ovs.vsctl({QStringLiteral("get"), QStringLiteral("Interface"),
                             QStringLiteral("2"), QStringLiteral("ofport")});
    ASSERT_TRUE(ofport);
    const QString port = QString::fromUtf8(ofport->trimmed());
    ASSERT_NE(port, QStringLiteral("2"));
    auto flows = ovs::readFlowStats(ovs.env(), QStringLiteral("cvrn"));
    ASSERT_TRUE(flows) << flows.error().message.toStdString();
    int guards = 0;
    for (const ovs::FlowStat &f : *flows)
        if (f.actions == QLatin1String("drop") && f.match.contains(QLatin1String("tp_src=67"))) {
            ++guards;
            EXPECT_TRUE(f.match.contains(QStringLiteral("in_port=") + port + u','))
                << f.text().toStdString();
        }
    EXPECT_EQ(guards, 1);
    service.handle(
        {QStringLiteral("confirm"),
         4,
         {{QStringLiteral("transaction"), second.body.value(QLatin1String("transaction"))}}});
}

} // namespace
} // namespace converge::collectors
