// The alerts view (issue 15, item 5) fed with events as the console's evaluator emits them:
// raised alerts appear, clear in place and open again, the counts per host and interface follow,
// the filter and sorting work, a signal from another thread feeds it, and cleared rows are
// bounded.
#include "viewstestsupport.h"

#include "views/metering/alertsview.h"

#include <QAbstractItemModelTester>
#include <QBrush>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>

#include <gtest/gtest.h>

#include <thread>

using namespace converge::views::metering;
using converge::core::metering::AlertEvent;
using converge::core::metering::AlertRule;
using converge::core::metering::OpenAlert;
using converge::core::metering::SeriesKey;

namespace {

constexpr qint64 t0 = 1'796'083'200'000; // 2026-12-01T00:00:00Z

const SeriesKey cpu1{QStringLiteral("hv1"), QStringLiteral("cpu"),
                     QStringLiteral("cpu_busy_percent")};
const SeriesKey eth0{QStringLiteral("hv2"), QStringLiteral("if/eth0"),
                     QStringLiteral("net_receive_errors_per_second")};
const SeriesKey vnic{QStringLiteral("hv2"), QStringLiteral("vnic/web.lan"),
                     QStringLiteral("net_transmit_errors_per_second")};

AlertEvent event(AlertEvent::Type type, const char *rule, const SeriesKey &key, qint64 t,
                 const char *reason = "")
{
    return {type, QLatin1String(rule), key, 1, t, QLatin1String(reason)};
}

AlertEvent raised(const char *rule, const SeriesKey &key, qint64 t, const char *reason = "")
{
    return event(AlertEvent::Type::Raised, rule, key, t, reason);
}

AlertEvent cleared(const char *rule, const SeriesKey &key, qint64 t)
{
    return event(AlertEvent::Type::Cleared, rule, key, t, "back to normal");
}

QString cell(const QAbstractItemModel &m, int row, int column)
{
    return m.data(m.index(row, column), Qt::DisplayRole).toString();
}

// Three open alerts: CPU on hv1, receive errors on hv2's eth0, send errors on a vNIC of hv2.
void raiseThree(AlertsModel &model)
{
    model.addEvents({raised("cpu-high", cpu1, t0, "cpu_busy_percent 93.4 % > 90 % for 5 min"),
                     raised("if-receive-errors", eth0, t0 + 1000, "receive errors for 1 min"),
                     raised("vnic-transmit-errors", vnic, t0 + 2000, "send errors for 1 min")});
}

// Emits events from whatever thread calls raise(), as the console's feed does.
class EventSource : public QObject
{
    Q_OBJECT
public:
    void raise(const std::vector<AlertEvent> &events) { Q_EMIT eventsArrived(events); }
Q_SIGNALS:
    void eventsArrived(const std::vector<AlertEvent> &events);
};

} // namespace

TEST(AlertsModel, RaisedAlertsAppearAndAreCountedPerHostAndInterface)
{
    AlertsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    AlertRule rule;
    rule.id = QStringLiteral("cpu-high");
    rule.name = QStringLiteral("CPU busy");
    model.setRules({rule});
    raiseThree(model);
    ASSERT_EQ(model.rowCount(), 3);
    EXPECT_EQ(cell(model, 0, AlertsModel::StateColumn), QStringLiteral("Open"));
    EXPECT_EQ(cell(model, 0, AlertsModel::HostColumn), QStringLiteral("hv1"));
    EXPECT_EQ(cell(model, 0, AlertsModel::EntityColumn), QStringLiteral("cpu"));
    EXPECT_EQ(cell(model, 0, AlertsModel::RuleColumn), QStringLiteral("CPU busy"));
    EXPECT_EQ(cell(model, 1, AlertsModel::RuleColumn), QStringLiteral("if-receive-errors"));
    EXPECT_EQ(cell(model, 0, AlertsModel::ReasonColumn),
              QStringLiteral("cpu_busy_percent 93.4 % > 90 % for 5 min"));
    EXPECT_EQ(model.openCount(), 3);
    EXPECT_EQ(model.openPerHost().value(QStringLiteral("hv1")), 1);
    EXPECT_EQ(model.openPerHost().value(QStringLiteral("hv2")), 2);
    const auto perInterface = model.openPerInterface();
    ASSERT_EQ(perInterface.size(), 2u); // the CPU alert is not an interface's
    EXPECT_EQ(perInterface.at({QStringLiteral("hv2"), QStringLiteral("if/eth0")}), 1);
    EXPECT_EQ(perInterface.at({QStringLiteral("hv2"), QStringLiteral("vnic/web.lan")}), 1);
}

TEST(AlertsModel, AClearTurnsItsRowClearedAndARaiseOpensItAgain)
{
    AlertsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    raiseThree(model);
    QList<int> counts;
    QObject::connect(&model, &AlertsModel::openCountChanged, &model,
                     [&](int open) { counts << open; });
    model.addEvents({cleared("if-receive-errors", eth0, t0 + 60'000)});
    ASSERT_EQ(model.rowCount(), 3); // updated in place, not a row more
    EXPECT_EQ(cell(model, 1, AlertsModel::StateColumn), QStringLiteral("Cleared"));
    EXPECT_EQ(cell(model, 1, AlertsModel::ReasonColumn), QStringLiteral("back to normal"));
    EXPECT_NE(model.data(model.index(0, 0), Qt::BackgroundRole),
              model.data(model.index(1, 0), Qt::BackgroundRole)); // coloured by state
    EXPECT_EQ(model.openCount(), 2);
    EXPECT_EQ(model.openPerInterface().size(), 1u);
    model.addEvents({raised("if-receive-errors", eth0, t0 + 120'000)});
    EXPECT_EQ(model.rowCount(), 3);
    EXPECT_EQ(cell(model, 1, AlertsModel::StateColumn), QStringLiteral("Open"));
    EXPECT_EQ(counts, QList<int>({2, 3}));
}

TEST(AlertsModel, EventsFromAnotherThreadArriveBySignal)
{
    AlertsModel model;
    EventSource source;
    QObject::connect(&source, &EventSource::eventsArrived, &model, &AlertsModel::addEvents);
    std::thread feed([&] { source.raise({raised("cpu-high", cpu1, t0)}); });
    feed.join();
    EXPECT_EQ(model.rowCount(), 0); // queued to the model's thread, not applied on the feed's
    ASSERT_TRUE(QTest::qWaitFor([&] { return model.rowCount() == 1; }, 2000));
    EXPECT_EQ(model.openCount(), 1);
}

TEST(AlertsModel, OpenAlertsReadBackAfterARestartAreListed)
{
    AlertsModel model;
    model.addEvents({raised("cpu-high", cpu1, t0)});
    model.setOpenAlerts({OpenAlert{QStringLiteral("agent-unreachable"),
                                   {QStringLiteral("hv3"), {}, {}},
                                   t0 + 5000,
                                   120,
                                   QStringLiteral("no samples from hv3 for 2 min")}});
    ASSERT_EQ(model.rowCount(), 1);
    EXPECT_EQ(cell(model, 0, AlertsModel::HostColumn), QStringLiteral("hv3"));
    EXPECT_EQ(cell(model, 0, AlertsModel::EntityColumn), QStringLiteral("(host)"));
    EXPECT_EQ(model.openPerHost().value(QStringLiteral("hv3")), 1);
    model.addEvents({cleared("agent-unreachable", {QStringLiteral("hv3"), {}, {}}, t0 + 9000)});
    EXPECT_EQ(model.rowCount(), 1);
    EXPECT_EQ(model.openCount(), 0);
}

TEST(AlertsModel, ClearedRowsAreBoundedOpenOnesStay)
{
    AlertsModel model;
    raiseThree(model);
    std::vector<AlertEvent> flapping;
    for (int i = 0; i < AlertsModel::maxClearedRows + 50; ++i) {
        const SeriesKey key{QStringLiteral("hv9"), QStringLiteral("if/eth%1").arg(i),
                            QStringLiteral("net_receive_errors_per_second")};
        flapping.push_back(raised("if-receive-errors", key, t0 + i * 1000));
        flapping.push_back(cleared("if-receive-errors", key, t0 + i * 1000 + 500));
    }
    model.addEvents(flapping);
    EXPECT_EQ(model.rowCount(), 3 + AlertsModel::maxClearedRows);
    EXPECT_EQ(model.openCount(), 3);
    // The oldest cleared went: eth0..eth49 are gone, eth50 is the oldest left.
    bool eth50 = false;
    for (int r = 0; r < model.rowCount(); ++r) {
        EXPECT_NE(cell(model, r, AlertsModel::EntityColumn), QStringLiteral("if/eth49"));
        eth50 = eth50 || cell(model, r, AlertsModel::EntityColumn) == QStringLiteral("if/eth50");
    }
    EXPECT_TRUE(eth50);
}

TEST(AlertsView, TheFilterKeepsMatchingRowsInAnyColumn)
{
    AlertsModel model;
    AlertsView view(&model);
    raiseThree(model);
    model.addEvents({cleared("cpu-high", cpu1, t0 + 300'000)});
    EXPECT_EQ(view.summary(), QStringLiteral("2 open, 1 cleared"));
    view.filterField()->setText(QStringLiteral("HV2"));
    EXPECT_EQ(view.proxy()->rowCount(), 2);
    EXPECT_EQ(view.summary(), QStringLiteral("2 open, 1 cleared (2 shown)"));
    view.filterField()->setText(QStringLiteral("93.4"));
    ASSERT_EQ(view.proxy()->rowCount(), 0); // the cleared row's reason is its clear's now
    view.filterField()->setText(QStringLiteral("cleared"));
    ASSERT_EQ(view.proxy()->rowCount(), 1);
    EXPECT_EQ(cell(*view.proxy(), 0, AlertsModel::HostColumn), QStringLiteral("hv1"));
    view.filterField()->clear();
    EXPECT_EQ(view.proxy()->rowCount(), 3);
}

TEST(AlertsView, SortsByTimeStateAndText)
{
    AlertsModel model;
    AlertsView view(&model);
    raiseThree(model);
    model.addEvents({cleared("vnic-transmit-errors", vnic, t0 + 500'000)});
    const QAbstractItemModel &shown = *view.proxy();
    // Newest first by default: the vNIC alert's clear is the latest event.
    EXPECT_EQ(cell(shown, 0, AlertsModel::EntityColumn), QStringLiteral("vnic/web.lan"));
    view.table()->sortByColumn(AlertsModel::SinceColumn, Qt::AscendingOrder);
    EXPECT_EQ(cell(shown, 0, AlertsModel::EntityColumn), QStringLiteral("cpu"));
    view.table()->sortByColumn(AlertsModel::StateColumn, Qt::DescendingOrder);
    EXPECT_EQ(cell(shown, 0, AlertsModel::StateColumn), QStringLiteral("Cleared"));
    view.table()->sortByColumn(AlertsModel::StateColumn, Qt::AscendingOrder);
    EXPECT_EQ(cell(shown, 0, AlertsModel::StateColumn), QStringLiteral("Open"));
    EXPECT_EQ(cell(shown, 2, AlertsModel::StateColumn), QStringLiteral("Cleared"));
    view.table()->sortByColumn(AlertsModel::EntityColumn, Qt::DescendingOrder);
    EXPECT_EQ(cell(shown, 0, AlertsModel::EntityColumn), QStringLiteral("vnic/web.lan"));
    EXPECT_EQ(cell(shown, 2, AlertsModel::EntityColumn), QStringLiteral("cpu"));
    // A new alert lands in its sorted place.
    model.addEvents({raised("if-receive-errors",
                            {QStringLiteral("hv4"), QStringLiteral("if/zz0"),
                             QStringLiteral("net_receive_errors_per_second")},
                            t0 + 600'000)});
    ASSERT_EQ(shown.rowCount(), 4);
    EXPECT_EQ(cell(shown, 1, AlertsModel::EntityColumn), QStringLiteral("if/zz0"));
}

#include "alertsview_test.moc"
