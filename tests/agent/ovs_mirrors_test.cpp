// Mirrors on a real Open vSwitch (root): their names are checked, and they are changed and removed
// by their row's UUID, never by name (issue 13). ovs-vsctl looks a record up by UUID before it
// tries names and reads a name starting with '-' as an option, so by name a mirror called "--"
// could never be removed, and one named with another mirror's UUID took that one's place.
#include "collectors/agent/agentservice.h"
#include "core/protocol/frame.h"
#include "tests/agent/ovshosttest.h"

#include "testapp.h"

#include <gtest/gtest.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>

namespace converge::collectors {
namespace {

using testing::NetnsScope;

struct MirrorSpec
{
    QString name;
    QString source;
};

// Bridge cvmr with internal ports cvm0-cvm3; each mirror copies its source to cvm3.
QJsonObject desiredWith(const std::vector<MirrorSpec> &mirrors)
{
    QJsonArray ports;
    for (int i = 0; i < 4; ++i)
        ports.append(QJsonObject{{QStringLiteral("name"), QStringLiteral("cvm%1").arg(i)},
                                 {QStringLiteral("type"), QStringLiteral("internal")}});
    QJsonArray list;
    for (const MirrorSpec &m : mirrors)
        list.append(QJsonObject{{QStringLiteral("name"), m.name},
                                {QStringLiteral("bridge"), QStringLiteral("cvmr")},
                                {QStringLiteral("selectSrc"), QJsonArray{m.source}},
                                {QStringLiteral("selectDst"), QJsonArray{m.source}},
                                {QStringLiteral("output"), QStringLiteral("cvm3")}});
    const QJsonObject bridge{{QStringLiteral("name"), QStringLiteral("cvmr")},
                             {QStringLiteral("ports"), ports}};
    return {{QStringLiteral("bridges"), QJsonArray{bridge}}, {QStringLiteral("mirrors"), list}};
}

std::string show(const QStringList &names)
{
    return names.join(u", ").toStdString();
}

std::string text(const core::protocol::Message &m)
{
    return QJsonDocument(m.body).toJson().toStdString();
}

class MirrorsOnOvs : public testing::OvsHostTest
{
protected:
    void SetUp() override
    {
        OvsHostTest::SetUp();
        if (IsSkipped() || HasFatalFailure())
            return;
        converge::testing::ensureApp();
        scope = std::make_unique<NetnsScope>(ns->name()); // `ip link set up` of the new ports
        ASSERT_TRUE(scope->isValid()) << scope->error().toStdString();
        config.stateDir = stateDir.path();
        config.ovs = ovs->env();
        config.datapathType = QStringLiteral("netdev");
        config.hostName = QStringLiteral("hv1");
        service = std::make_unique<AgentService>(config);
        ASSERT_TRUE(service->recover());
    }
    void TearDown() override
    {
        service.reset();
        scope.reset();
        OvsHostTest::TearDown();
    }
    core::protocol::Message request(const char *type, const QJsonObject &body)
    {
        return service->handle({QLatin1String(type), ++m_id, body});
    }
    core::protocol::Message apply(const QJsonObject &desired)
    {
        return request("apply", {{QStringLiteral("desired"), desired}});
    }
    core::protocol::Message finish(const char *how, const core::protocol::Message &applied)
    {
        return request(how, {{QStringLiteral("transaction"),
                              applied.body.value(QLatin1String("transaction"))}});
    }
    // The names of the managed mirrors the agent reads, sorted.
    QStringList managedMirrors()
    {
        auto state = service->readState();
        if (!state)
            return {QStringLiteral("unreadable: ") + state.error().message};
        QStringList names;
        for (const core::realize::Mirror &m : state->mirrors)
            names << m.name;
        return names;
    }
    // A bridge the agent does not manage, with a mirror made by hand; returns the mirror's UUID.
    QString foreignMirror(const QString &name)
    {
        auto made = ovs->vsctl({QStringLiteral("add-br"),
                                QStringLiteral("fbr"),
                                QStringLiteral("--"),
                                QStringLiteral("add-port"),
                                QStringLiteral("fbr"),
                                QStringLiteral("f0"),
                                QStringLiteral("--"),
                                QStringLiteral("set"),
                                QStringLiteral("Interface"),
                                QStringLiteral("f0"),
                                QStringLiteral("type=internal"),
                                QStringLiteral("--"),
                                QStringLiteral("--id=@p"),
                                QStringLiteral("get"),
                                QStringLiteral("Port"),
                                QStringLiteral("f0"),
                                QStringLiteral("--"),
                                QStringLiteral("--id=@m"),
                                QStringLiteral("create"),
                                QStringLiteral("Mirror"),
                                QStringLiteral("name=\"%1\"").arg(name),
                                QStringLiteral("select_all=true"),
                                QStringLiteral("output_port=@p"),
                                QStringLiteral("--"),
                                QStringLiteral("add"),
                                QStringLiteral("Bridge"),
                                QStringLiteral("fbr"),
                                QStringLiteral("mirrors"),
                                QStringLiteral("@m")});
        EXPECT_TRUE(made) << made.error().message.toStdString();
        return foreignMirrorUuid();
    }
    QString foreignMirrorUuid() { return mirrorsOf(QStringLiteral("fbr")); }
    // The UUIDs of a bridge's mirrors, as ovs-vsctl prints them.
    QString mirrorsOf(const QString &bridge)
    {
        auto uuid = ovs->vsctl({QStringLiteral("--bare"), QStringLiteral("get"),
                                QStringLiteral("Bridge"), bridge, QStringLiteral("mirrors")});
        EXPECT_TRUE(uuid) << uuid.error().message.toStdString();
        return uuid ? QString::fromUtf8(*uuid).remove(u'[').remove(u']').trimmed() : QString();
    }

    QTemporaryDir stateDir{QStringLiteral("/tmp/cvt-mirrors-XXXXXX")};
    AgentConfig config;
    std::unique_ptr<NetnsScope> scope;
    std::unique_ptr<AgentService> service;

private:
    qint64 m_id = 0;
};

// A mirror named "--" is refused with its path, whether a console asks for it or someone made it
// by hand on a managed bridge; nothing is applied either way.
TEST_F(MirrorsOnOvs, AMirrorNamedLikeAnOptionIsRefusedWithItsPath)
{
    const QString why = QStringLiteral(
        "mirrors[0].name: \"--\" is not a valid mirror name (1-64 characters, no control "
        "characters, not starting with '-', no white space at either end)");
    auto refused = apply(desiredWith({{QStringLiteral("--"), QStringLiteral("cvm0")}}));
    ASSERT_EQ(refused.type.toStdString(), "error") << text(refused);
    EXPECT_EQ(refused.body.value(QLatin1String("code")).toString().toStdString(), "bad-request");
    EXPECT_TRUE(refused.body.value(QLatin1String("message")).toString().endsWith(why))
        << text(refused);
    auto state = service->readState();
    ASSERT_TRUE(state) << state.error().message.toStdString();
    EXPECT_TRUE(state->bridges.empty()) << "nothing was applied";

    auto first = apply(desiredWith({{QStringLiteral("keep"), QStringLiteral("cvm0")}}));
    ASSERT_EQ(first.type.toStdString(), "result") << text(first);
    ASSERT_EQ(finish("confirm", first).type.toStdString(), "result");
    auto byHand = ovs->vsctl(
        {QStringLiteral("--"), QStringLiteral("--id=@m"), QStringLiteral("create"),
         QStringLiteral("Mirror"), QStringLiteral("name=\"--\""), QStringLiteral("select_all=true"),
         QStringLiteral("--"), QStringLiteral("add"), QStringLiteral("Bridge"),
         QStringLiteral("cvmr"), QStringLiteral("mirrors"), QStringLiteral("@m")});
    ASSERT_TRUE(byHand) << byHand.error().message.toStdString();
    auto held = apply(desiredWith({}));
    ASSERT_EQ(held.type.toStdString(), "error") << text(held);
    EXPECT_EQ(held.body.value(QLatin1String("code")).toString().toStdString(), "host-unsupported");
    EXPECT_TRUE(held.body.value(QLatin1String("message")).toString().contains(why)) << text(held);
}

// A managed mirror named with a foreign mirror's UUID is removed by a rollback, itself and not the
// foreign one; a foreign mirror named with a managed mirror's UUID survives that mirror's removal.
TEST_F(MirrorsOnOvs, AMirrorNamedWithAnotherMirrorsUuidIsNeverTakenForIt)
{
    auto first = apply(desiredWith({{QStringLiteral("keep"), QStringLiteral("cvm0")}}));
    ASSERT_EQ(first.type.toStdString(), "result") << text(first);
    ASSERT_EQ(finish("confirm", first).type.toStdString(), "result");
    const QString keepUuid = mirrorsOf(QStringLiteral("cvmr"));
    ASSERT_EQ(keepUuid.size(), 36);
    auto state = service->readState();
    ASSERT_TRUE(state) << state.error().message.toStdString();
    ASSERT_EQ(state->mirrors.size(), 1u);
    EXPECT_EQ(state->mirrors[0].uuid.value.toStdString(), keepUuid.toStdString())
        << "the reader records the row's UUID";
    const QString foreignUuid = foreignMirror(keepUuid);
    ASSERT_EQ(foreignUuid.size(), 36);

    auto second = apply(desiredWith(
        {{QStringLiteral("keep"), QStringLiteral("cvm0")}, {foreignUuid, QStringLiteral("cvm1")}}));
    ASSERT_EQ(second.type.toStdString(), "result") << text(second);
    EXPECT_EQ(show(managedMirrors()), show({foreignUuid, QStringLiteral("keep")}));
    auto back = finish("rollback", second);
    EXPECT_EQ(back.type.toStdString(), "result") << text(back);
    EXPECT_EQ(show(managedMirrors()), "keep");
    EXPECT_EQ(foreignMirrorUuid().toStdString(), foreignUuid.toStdString())
        << "the foreign mirror is left alone";

    auto third = apply(desiredWith({}));
    ASSERT_EQ(third.type.toStdString(), "result") << text(third);
    ASSERT_EQ(finish("confirm", third).type.toStdString(), "result");
    EXPECT_EQ(show(managedMirrors()), "");
    EXPECT_EQ(foreignMirrorUuid().toStdString(), foreignUuid.toStdString())
        << "the foreign mirror is left alone";
}

// A foreign mirror with a managed mirror's name no longer stops its removal (by name, ovs-vsctl
// found two rows and refused).
TEST_F(MirrorsOnOvs, AForeignMirrorOfTheSameNameDoesNotStopARemoval)
{
    auto first = apply(desiredWith({{QStringLiteral("watch"), QStringLiteral("cvm0")}}));
    ASSERT_EQ(first.type.toStdString(), "result") << text(first);
    ASSERT_EQ(finish("confirm", first).type.toStdString(), "result");
    const QString foreignUuid = foreignMirror(QStringLiteral("watch"));

    auto changed = apply(desiredWith({{QStringLiteral("watch"), QStringLiteral("cvm1")}}));
    ASSERT_EQ(changed.type.toStdString(), "result") << text(changed);
    ASSERT_EQ(finish("confirm", changed).type.toStdString(), "result");
    auto removed = apply(desiredWith({}));
    ASSERT_EQ(removed.type.toStdString(), "result") << text(removed);
    ASSERT_EQ(finish("confirm", removed).type.toStdString(), "result");
    EXPECT_EQ(show(managedMirrors()), "");
    EXPECT_EQ(foreignMirrorUuid().toStdString(), foreignUuid.toStdString())
        << "the foreign mirror is left alone";
}

} // namespace
} // namespace converge::collectors
