#include "fixtures.h"
#include "printers.h"

#include "core/io/designdocument.h"
#include "core/model/commands.h"
#include "core/model/schema.h"

#include <gtest/gtest.h>

#include <QJsonArray>

using namespace converge::core;

namespace {

Design load()
{
    auto d = designdocument::load(smallDocument());
    EXPECT_TRUE(d) << (d ? "" : d.error().message.toStdString());
    return std::move(*d);
}

QString errorOf(const Result<Edit> &r)
{
    return r ? QString() : r.error().message;
}

} // namespace

TEST(Commands, AddElementChecksOwnerPropertiesAndReferences)
{
    Design d = load();
    EXPECT_EQ(errorOf(commands::addElement(d, ElementKind::PhysicalNic, {},
                                           {{"name", "x"}, {"interfaceName", "x"}})),
              QStringLiteral("a PhysicalNic cannot be placed under ''"));
    EXPECT_EQ(errorOf(commands::addElement(d, ElementKind::PhysicalNic, QStringLiteral("sw1"),
                                           {{"name", "x"}, {"interfaceName", "x"}})),
              QStringLiteral("a PhysicalNic cannot be placed under 'sw1'"));
    EXPECT_EQ(errorOf(commands::addElement(d, ElementKind::PhysicalNic, QStringLiteral("h1"),
                                           {{"name", "eth3"}})),
              QStringLiteral("interfaceName: missing (required for a PhysicalNic)"));
    EXPECT_EQ(
        errorOf(
            commands::addElement(d, ElementKind::VirtualSwitch, QStringLiteral("h1"),
                                 {{"name", "vs2"}, {"type", "External"}, {"uplink", "h1.vm1"}})),
        QStringLiteral("uplink: 'h1.vm1' is a VirtualMachine, expected a PhysicalNic or Team"));
    EXPECT_EQ(errorOf(commands::addElement(d, ElementKind::Host, {},
                                           {{"name", "hv2"}, {"platform", "hyperv"}},
                                           QStringLiteral("h1"))),
              QStringLiteral("an element with id 'h1' exists"));
}

TEST(Commands, AddThenUndoRestoresTheDocument)
{
    Design d = load();
    const QByteArray original = designdocument::save(d);
    EditHistory history(d);
    auto add = commands::addElement(d, ElementKind::PhysicalNic, QStringLiteral("h1"),
                                    {{"name", "eth3"}, {"interfaceName", "eth3"}, {"speed", 1e10}});
    ASSERT_TRUE(add);
    EXPECT_EQ(add->description, QStringLiteral("Add PhysicalNic 'eth3'"));
    ASSERT_TRUE(history.push(*add));
    ASSERT_EQ(d.children(QStringLiteral("h1"), ElementKind::PhysicalNic).size(), 3u);
    EXPECT_EQ(history.undoText(), QStringLiteral("Add PhysicalNic 'eth3'"));
    ASSERT_TRUE(history.undo());
    EXPECT_EQ(designdocument::save(d), original);
    ASSERT_TRUE(history.redo());
    EXPECT_EQ(d.children(QStringLiteral("h1"), ElementKind::PhysicalNic).back()->name(),
              QStringLiteral("eth3"));
    EXPECT_FALSE(history.canRedo());
}

TEST(Commands, RemovingAHostTakesWhatItOwnsItsCablesAndReferencesAndUndoesExactly)
{
    Design d = load();
    const QByteArray original = designdocument::save(d);
    EditHistory history(d);
    auto remove = commands::removeElements(d, {QStringLiteral("h1")});
    ASSERT_TRUE(remove) << errorOf(remove).toStdString();
    ASSERT_TRUE(history.push(*remove));
    EXPECT_EQ(d.count(ElementKind::Host), 0u);
    EXPECT_EQ(d.count(ElementKind::VirtualNic), 0u);
    EXPECT_EQ(d.count(ElementKind::Link), 0u) << "cables to the host's NICs go with it";
    EXPECT_EQ(d.count(ElementKind::SwitchPort), 2u) << "the physical switch stays";
    const Element *mirror = d.find(QStringLiteral("m1"));
    ASSERT_NE(mirror, nullptr);
    EXPECT_TRUE(mirror->value(QStringLiteral("sources")).toArray().isEmpty());
    EXPECT_TRUE(mirror->value(QStringLiteral("destination")).isUndefined());
    EXPECT_TRUE(mirror->value(QStringLiteral("switch")).isUndefined());
    ASSERT_TRUE(history.undo());
    EXPECT_EQ(designdocument::save(d), original);
}

TEST(Commands, RemovingATeamMemberUpdatesTheTeam)
{
    Design d = load();
    auto remove = commands::removeElements(d, {QStringLiteral("h1.eth2")});
    ASSERT_TRUE(remove);
    ASSERT_TRUE(d.apply(*remove));
    EXPECT_EQ(d.find(QStringLiteral("h1.team"))->value(QStringLiteral("members")).toArray(),
              QJsonArray{QStringLiteral("h1.eth1")});
    EXPECT_EQ(d.find(QStringLiteral("l2")), nullptr);
    EXPECT_NE(d.find(QStringLiteral("l1")), nullptr);
}

TEST(Commands, SetPropertyRefusesValuesThatDoNotFit)
{
    Design d = load();
    EXPECT_EQ(
        errorOf(commands::setProperty(d, QStringLiteral("h1.eth1"), QStringLiteral("speed"), 0)),
        QStringLiteral("PhysicalNic 'eth1': speed: expected a positive number (bits per second)"));
    EXPECT_EQ(
        errorOf(commands::setProperty(d, QStringLiteral("h1.vs"), QStringLiteral("type"),
                                      QStringLiteral("Bridge"))),
        QStringLiteral("VirtualSwitch 'LAN': type: expected one of External, Internal, Private"));
    EXPECT_EQ(
        errorOf(commands::setProperty(d, QStringLiteral("h1.vs"), QStringLiteral("colour"), 1)),
        QStringLiteral("VirtualSwitch 'LAN': colour: unknown property of a VirtualSwitch"));
    EXPECT_EQ(errorOf(commands::setProperty(d, QStringLiteral("h1"), QStringLiteral("name"),
                                            QJsonValue::Undefined)),
              QStringLiteral("Host 'hv1': name: missing (required for a Host)"));
    EXPECT_EQ(errorOf(commands::setProperty(
                  d, QStringLiteral("h1.team"), QStringLiteral("members"),
                  QJsonArray{QStringLiteral("h1.eth1"), QStringLiteral("gone")})),
              QStringLiteral("Team 'LAN': members[1]: no element with id 'gone'"));
    EXPECT_EQ(errorOf(commands::setProperty(d, QStringLiteral("zz"), QStringLiteral("name"),
                                            QStringLiteral("x"))),
              QStringLiteral("no element with id 'zz'"));
}

// A final newline is not the end of a name, MAC or id: the whole value must fit (issue 13).
TEST(Commands, AFinalNewlineDoesNotPassForTheEndOfAValue)
{
    Design d = load();
    EXPECT_TRUE(commands::setProperty(d, QStringLiteral("h1.eth1"), QStringLiteral("interfaceName"),
                                      QStringLiteral("eth9")));
    EXPECT_FALSE(commands::setProperty(d, QStringLiteral("h1.eth1"),
                                       QStringLiteral("interfaceName"), QStringLiteral("eth9\n")));
    EXPECT_FALSE(commands::setProperty(d, QStringLiteral("h1.eth1"), QStringLiteral("mac"),
                                       QStringLiteral("02:00:00:00:00:01\n")));
    EXPECT_TRUE(commands::setProperty(d, QStringLiteral("h1.eth1"), QStringLiteral("mac"),
                                      QStringLiteral("02:00:00:00:00:01")));
    EXPECT_FALSE(isValidId(QStringLiteral("h1\n")));
    EXPECT_TRUE(isValidId(QStringLiteral("h1")));
}

TEST(Commands, UndoRedoOfASequenceOfEditsReturnsToEachState)
{
    Design d = load();
    EditHistory history(d);
    std::vector<QByteArray> states{designdocument::save(d)};
    const auto push = [&](Result<Edit> e) {
        ASSERT_TRUE(e) << errorOf(e).toStdString();
        ASSERT_TRUE(history.push(*e));
        states.push_back(designdocument::save(d));
    };
    push(commands::setProperty(d, QStringLiteral("h1.vm1.lan"), QStringLiteral("vlanMode"),
                               QStringLiteral("Access")));
    push(commands::setProperty(d, QStringLiteral("h1.vm1.lan"), QStringLiteral("accessVlan"), 10));
    push(commands::setProperty(d, QStringLiteral("h1"), QStringLiteral("name"),
                               QStringLiteral("hv-renamed")));
    push(commands::setDesignInfo(d, QStringLiteral("description"), QStringLiteral("edited")));
    push(commands::removeElements(d, {QStringLiteral("sw1")}));
    push(commands::addElement(d, ElementKind::Vlan, {}, {{"name", "Tenants"}, {"vlanId", 10}}));
    EXPECT_EQ(d.count(ElementKind::Link), 0u);
    for (std::size_t i = states.size() - 1; i-- > 0;) {
        ASSERT_TRUE(history.undo());
        EXPECT_EQ(designdocument::save(d), states[i]) << "after undoing to state " << i;
    }
    EXPECT_FALSE(history.canUndo());
    for (std::size_t i = 1; i < states.size(); ++i) {
        ASSERT_TRUE(history.redo());
        EXPECT_EQ(designdocument::save(d), states[i]) << "after redoing to state " << i;
    }
}

TEST(Commands, EditsSurviveAJsonRoundTrip)
{
    Design d = load();
    auto remove = commands::removeElements(d, {QStringLiteral("h1.vm1")});
    ASSERT_TRUE(remove);
    auto restored = Edit::fromJson(remove->toJson());
    ASSERT_TRUE(restored);
    EXPECT_EQ(restored->toJson(), remove->toJson());
    const QByteArray before = designdocument::save(d);
    ASSERT_TRUE(d.apply(*restored));
    EXPECT_EQ(d.find(QStringLiteral("h1.vm1")), nullptr);
    ASSERT_TRUE(d.apply(restored->inverted()));
    EXPECT_EQ(designdocument::save(d), before);
}

TEST(Commands, CombineMakesOneUndoStep)
{
    Design d = load();
    const QByteArray before = designdocument::save(d);
    auto a = commands::setProperty(d, QStringLiteral("h1.eth1"), QStringLiteral("mtu"), 9000);
    auto b = commands::setProperty(d, QStringLiteral("h1.eth2"), QStringLiteral("mtu"), 9000);
    ASSERT_TRUE(a && b);
    EditHistory history(d);
    ASSERT_TRUE(history.push(commands::combine(QStringLiteral("Jumbo frames"), {*a, *b})));
    EXPECT_EQ(d.find(QStringLiteral("h1.eth2"))->value(QStringLiteral("mtu")).toInt(), 9000);
    ASSERT_TRUE(history.undo());
    EXPECT_EQ(designdocument::save(d), before);
}

TEST(Commands, ABatchOfDependentCommandsIsOneUndoStep)
{
    Design d = load();
    const QByteArray before = designdocument::save(d);
    EditHistory history(d);
    {
        EditBatch batch(d, QStringLiteral("Add host hv2"));
        ASSERT_TRUE(batch.add(commands::addElement(d, ElementKind::Host, {},
                                                   {{"name", "hv2"}, {"platform", "linux-ovs"}},
                                                   QStringLiteral("h2"))));
        for (const char *nic : {"eth1", "eth2"})
            ASSERT_TRUE(
                batch.add(commands::addElement(d, ElementKind::PhysicalNic, QStringLiteral("h2"),
                                               {{"name", nic}, {"interfaceName", nic}},
                                               QStringLiteral("h2.") + QLatin1String(nic))));
        ASSERT_TRUE(batch.add(commands::addElement(
            d, ElementKind::Team, QStringLiteral("h2"),
            {{"name", "bond0"},
             {"members", QJsonArray{QStringLiteral("h2.eth1"), QStringLiteral("h2.eth2")}}})));
        ASSERT_TRUE(history.record(batch.finish()));
    }
    EXPECT_EQ(d.children(QStringLiteral("h2")).size(), 3u);
    EXPECT_EQ(history.undoText(), QStringLiteral("Add host hv2"));
    ASSERT_TRUE(history.undo());
    EXPECT_EQ(designdocument::save(d), before);
    ASSERT_TRUE(history.redo());
    EXPECT_EQ(d.children(QStringLiteral("h2")).size(), 3u);
}

TEST(Commands, AnUnfinishedBatchLeavesTheDesignAsItWas)
{
    Design d = load();
    const QByteArray before = designdocument::save(d);
    {
        EditBatch batch(d, QStringLiteral("Add host"));
        ASSERT_TRUE(batch.add(commands::addElement(d, ElementKind::Host, {},
                                                   {{"name", "hv2"}, {"platform", "hyperv"}},
                                                   QStringLiteral("h2"))));
        // The second command fails (no such owner): the caller gives up on the batch.
        EXPECT_FALSE(
            batch.add(commands::addElement(d, ElementKind::PhysicalNic, QStringLiteral("h9"),
                                           {{"name", "eth1"}, {"interfaceName", "eth1"}})));
    }
    EXPECT_EQ(designdocument::save(d), before);
}
