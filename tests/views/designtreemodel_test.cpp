#include "viewstestsupport.h"

#include "core/model/commands.h"
#include "views/elementsummary.h"
#include "views/tree/designtreemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>

using namespace converge;
using namespace converge::views;
using core::ElementKind;
namespace commands = core::commands;

namespace {

QString text(const QModelIndex &index)
{
    return index.data().toString();
}

class SampleTree : public testing::TestWithParam<std::string>
{
};

TEST_P(SampleTree, PassesTheModelTester)
{
    auto design = test::loadSample(GetParam());
    ASSERT_TRUE(design) << design.error().message.toStdString();
    test::ModelTestLog log;
    DesignTreeModel model;
    QAbstractItemModelTester tester(&model,
                                    QAbstractItemModelTester::FailureReportingMode::Warning);
    model.setDesign(&*design);
    EXPECT_GT(model.rowCount(), 0);
    EXPECT_EQ(log.messages(), QStringList());
}

TEST_P(SampleTree, FollowsTheNestingOfTheDocument)
{
    auto design = test::loadSample(GetParam());
    ASSERT_TRUE(design);
    DesignTreeModel model;
    model.setDesign(&*design);
    EXPECT_EQ(model.rowCount(), test::topLevelKinds(*design));
    const auto hosts = design->elements(ElementKind::Host);
    ASSERT_FALSE(hosts.empty());
    const QModelIndex group = model.groupIndex(ElementKind::Host);
    EXPECT_EQ(text(group), QStringLiteral("Hosts (%1)").arg(hosts.size()));
    for (const core::Element *host : hosts) {
        const QModelIndex row = model.indexForId(host->id);
        EXPECT_EQ(row.parent(), group);
        EXPECT_EQ(text(row), host->name());
        EXPECT_EQ(model.rowCount(row), int(design->children(host->id).size()));
        for (const core::Element *vm : design->children(host->id, ElementKind::VirtualMachine))
            EXPECT_EQ(model.rowCount(model.indexForId(vm->id)),
                      int(design->children(vm->id).size()));
    }
    for (const core::Element *sw : design->elements(ElementKind::PhysicalSwitch))
        EXPECT_EQ(model.rowCount(model.indexForId(sw->id)), int(design->children(sw->id).size()));
}

INSTANTIATE_TEST_SUITE_P(Samples, SampleTree, testing::ValuesIn(test::sampleKeys),
                         test::sampleTestName);

TEST(DesignTreeModel, OrdersHostChildrenNicsTeamsSwitchesVnicsVms)
{
    auto design = test::loadSample("smb-converged");
    ASSERT_TRUE(design);
    DesignTreeModel model;
    model.setDesign(&*design);
    const QModelIndex host = model.indexForId(QStringLiteral("h1"));
    QStringList kinds;
    for (int row = 0; row < model.rowCount(host); ++row) {
        const QString kind = text(model.index(row, DesignTreeModel::KindColumn, host));
        if (kinds.isEmpty() || kinds.last() != kind)
            kinds << kind;
    }
    EXPECT_EQ(kinds, (QStringList{QStringLiteral("Physical NIC"), QStringLiteral("Team"),
                                  QStringLiteral("Virtual switch"), QStringLiteral("vNIC"),
                                  QStringLiteral("VM")}));
}

TEST(DesignTreeModel, DetailsSummarizeWhatMatters)
{
    auto design = test::loadSample("smb-converged");
    ASSERT_TRUE(design);
    DesignTreeModel model;
    model.setDesign(&*design);
    auto details = [&](const char *id) {
        return text(model.indexForId(QString::fromLatin1(id), DesignTreeModel::DetailsColumn));
    };
    EXPECT_TRUE(details("h1.eth1").contains(QStringLiteral("10 Gb/s")))
        << details("h1.eth1").toStdString();
    EXPECT_TRUE(details("h1.vsLAN").startsWith(QStringLiteral("External \u00b7 uplink LAN")))
        << details("h1.vsLAN").toStdString();
    EXPECT_TRUE(details("h1.mgmt").contains(QStringLiteral("10.127.4.50/22")));
    EXPECT_TRUE(details("s.lan").startsWith(QStringLiteral("10.127.4.0/22")));
    EXPECT_TRUE(details("l.h1.eth1").contains(QStringLiteral("HV01 eth1")));
}

TEST(DesignTreeModel, FormatsBandwidth)
{
    EXPECT_EQ(formatBandwidth(10e9), QStringLiteral("10 Gb/s"));
    EXPECT_EQ(formatBandwidth(2.5e9), QStringLiteral("2.5 Gb/s"));
    EXPECT_EQ(formatBandwidth(100e6), QStringLiteral("100 Mb/s"));
    EXPECT_EQ(formatBandwidth(1e12), QStringLiteral("1 Tb/s"));
}

TEST(DesignTreeModel, ShowsARenameMadeThroughCommands)
{
    auto design = test::loadSample("smb-converged");
    ASSERT_TRUE(design);
    DesignTreeModel model;
    model.setDesign(&*design);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    auto edit = commands::setProperty(*design, QStringLiteral("h1"), QStringLiteral("name"),
                                      QStringLiteral("HV01-renamed"));
    ASSERT_TRUE(edit);
    ASSERT_TRUE(design->apply(*edit));
    EXPECT_EQ(text(model.indexForId(QStringLiteral("h1"))), QStringLiteral("HV01-renamed"));
    EXPECT_GE(changed.count(), 1);

    // A renamed NIC shows up in the links' details too.
    auto nic = commands::setProperty(*design, QStringLiteral("h1.eth1"), QStringLiteral("name"),
                                     QStringLiteral("lan-a"));
    ASSERT_TRUE(nic && design->apply(*nic));
    EXPECT_TRUE(text(model.indexForId(QStringLiteral("l.h1.eth1"), DesignTreeModel::DetailsColumn))
                    .contains(QStringLiteral("lan-a")));
}

TEST(DesignTreeModel, StaysConsistentThroughAddRemoveAndUndo)
{
    auto design = test::loadSample("smb-converged");
    ASSERT_TRUE(design);
    test::ModelTestLog log;
    DesignTreeModel model;
    QAbstractItemModelTester tester(&model,
                                    QAbstractItemModelTester::FailureReportingMode::Warning);
    model.setDesign(&*design);
    core::EditHistory history(*design);
    const int hostRows = model.rowCount(model.indexForId(QStringLiteral("h1")));

    auto add = commands::addElement(*design, ElementKind::PhysicalNic, QStringLiteral("h1"),
                                    {{QStringLiteral("name"), QStringLiteral("eth5")},
                                     {QStringLiteral("interfaceName"), QStringLiteral("eth5")}},
                                    QStringLiteral("h1.eth5"));
    ASSERT_TRUE(add && history.push(*add));
    const QModelIndex nic = model.indexForId(QStringLiteral("h1.eth5"));
    EXPECT_EQ(model.rowCount(model.indexForId(QStringLiteral("h1"))), hostRows + 1);
    EXPECT_EQ(nic.row(), 4) << "after eth1-eth4, before the team";

    auto remove = commands::removeElements(*design, {QStringLiteral("h2")});
    ASSERT_TRUE(remove && history.push(*remove));
    EXPECT_FALSE(model.indexForId(QStringLiteral("h2")).isValid());
    EXPECT_EQ(text(model.groupIndex(ElementKind::Host)), QStringLiteral("Hosts (1)"));

    ASSERT_TRUE(history.undo());
    EXPECT_EQ(text(model.groupIndex(ElementKind::Host)), QStringLiteral("Hosts (2)"));
    EXPECT_EQ(model.indexForId(QStringLiteral("h2")).row(), 1);
    ASSERT_TRUE(history.undo());
    EXPECT_EQ(model.rowCount(model.indexForId(QStringLiteral("h1"))), hostRows);

    // The last element of a kind takes its group row with it.
    auto storage = commands::removeElements(*design, {QStringLiteral("st1")});
    ASSERT_TRUE(storage && history.push(*storage));
    EXPECT_FALSE(model.groupIndex(ElementKind::StorageTarget).isValid());
    EXPECT_EQ(model.rowCount(), test::topLevelKinds(*design));
    EXPECT_EQ(log.messages(), QStringList());
}

TEST(DesignTreeModel, LetsGoOfTheDesign)
{
    auto design = test::loadSample("smb-basic");
    ASSERT_TRUE(design);
    {
        DesignTreeModel model;
        model.setDesign(&*design);
    }
    // The model is gone: an edit must not reach it.
    auto edit = commands::setDesignInfo(*design, QStringLiteral("name"), QStringLiteral("x"));
    ASSERT_TRUE(edit);
    EXPECT_TRUE(design->apply(*edit));
}

} // namespace
