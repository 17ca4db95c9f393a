// The project's alerts on a real project store file (issue 15, item 5): rules saved and read
// back (defaults when none were saved), events appended, the open list restored after a reopen
// and the log bounded without losing an alert that is still open.
#include "printers.h"

#include "core/store/alertstore.h"
#include "core/store/projectstore.h"

#include <gtest/gtest.h>

#include <QTemporaryDir>

#include <sqlite3.h>

using namespace converge::core;
using namespace converge::core::metering;

namespace {

const SeriesKey cpu{QStringLiteral("hv1"), QStringLiteral("cpu"),
                    QStringLiteral("cpu_busy_percent")};
const SeriesKey eth0{QStringLiteral("hv2"), QStringLiteral("if/eth0"),
                     QStringLiteral("net_receive_errors_per_second")};
const SeriesKey hv3{QStringLiteral("hv3"), QString(), QString()}; // an Unreachable alert's key

AlertEvent raised(const QString &rule, const SeriesKey &key, qint64 t)
{
    return {AlertEvent::Type::Raised, rule, key, 93.5, t, QStringLiteral("raised at %1").arg(t)};
}

AlertEvent cleared(const QString &rule, const SeriesKey &key, qint64 t)
{
    return {AlertEvent::Type::Cleared, rule, key, 70, t, QStringLiteral("cleared at %1").arg(t)};
}

class AlertStoreTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("p.converge.db"));
        ASSERT_TRUE(ProjectStore::create(m_path, Design{}));
        reopen();
    }
    void reopen(qint64 maxEvents = AlertStore::defaultMaxEvents)
    {
        m_store.reset();
        auto store = AlertStore::open(m_path, maxEvents);
        ASSERT_TRUE(store) << store.error().message.toStdString();
        m_store = std::move(*store);
    }

    QTemporaryDir m_dir;
    QString m_path;
    std::unique_ptr<AlertStore> m_store;
};

} // namespace

TEST_F(AlertStoreTest, AProjectWithNoSavedRulesWatchesTheDefaults)
{
    auto rules = m_store->rules();
    ASSERT_TRUE(rules) << rules.error().message.toStdString();
    ASSERT_EQ(*rules, AlertStore::defaultRules());
    const AlertRule &cpuRule = rules->front();
    EXPECT_EQ(cpuRule.selector.entity, QStringLiteral("cpu"));
    EXPECT_EQ(cpuRule.threshold, 90);
    EXPECT_EQ(cpuRule.forMs, 300'000);
    EXPECT_EQ(cpuRule.clearThreshold, 80);
    EXPECT_EQ(cpuRule.clearForMs, 60'000);
    int rising = 0;
    for (const AlertRule &r : *rules)
        rising += r.kind == AlertKind::Rising && r.forMs == 60'000 ? 1 : 0;
    EXPECT_EQ(rising, 4); // receive and transmit errors on if/* and vnic/*
    EXPECT_EQ(rules->back().kind, AlertKind::Unreachable);
    EXPECT_EQ(rules->back().forMs, 120'000);
    // The defaults are rules the project could have saved: they pass the parser.
    EXPECT_TRUE(alertRulesFromJson(alertRulesToJson(*rules)));
}

TEST_F(AlertStoreTest, SavedRulesComeBackAfterAReopen)
{
    std::vector<AlertRule> rules = AlertStore::defaultRules();
    rules.front().threshold = 95;
    rules.front().clearThreshold = 85;
    rules.pop_back();
    ASSERT_TRUE(m_store->saveRules(rules));
    reopen();
    auto back = m_store->rules();
    ASSERT_TRUE(back) << back.error().message.toStdString();
    EXPECT_EQ(*back, rules);
}

TEST_F(AlertStoreTest, RulesTheParserRefusesAreNotSaved)
{
    std::vector<AlertRule> rules = AlertStore::defaultRules();
    rules[1].id = rules[0].id; // duplicate id
    auto saved = m_store->saveRules(rules);
    ASSERT_FALSE(saved);
    EXPECT_TRUE(saved.error().message.contains(rules[0].id)) << saved.error().message.toStdString();
    EXPECT_EQ(*m_store->rules(), AlertStore::defaultRules());
}

TEST_F(AlertStoreTest, ADamagedRulesRowIsAnErrorNotTheDefaults)
{
    sqlite3 *db = nullptr;
    ASSERT_EQ(sqlite3_open(m_path.toUtf8().constData(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "INSERT INTO metering_alert_rules VALUES(1, '{\"id\": 1}')", nullptr,
                           nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    auto rules = m_store->rules();
    ASSERT_FALSE(rules);
    EXPECT_TRUE(rules.error().message.contains(m_path));
    EXPECT_TRUE(rules.error().message.contains(QStringLiteral("not a JSON array")));
}

TEST_F(AlertStoreTest, OpenAlertsAreRaisedAndNotClearedAndSurviveARestart)
{
    ASSERT_TRUE(m_store->append({raised(QStringLiteral("cpu-high"), cpu, 1000),
                                 raised(QStringLiteral("if-receive-errors"), eth0, 2000),
                                 raised(QStringLiteral("agent-unreachable"), hv3, 3000)}));
    ASSERT_TRUE(m_store->append({cleared(QStringLiteral("if-receive-errors"), eth0, 4000)}));
    reopen();
    auto open = m_store->openAlerts();
    ASSERT_TRUE(open) << open.error().message.toStdString();
    ASSERT_EQ(open->size(), 2u);
    EXPECT_EQ(open->at(0).ruleId, QStringLiteral("cpu-high"));
    EXPECT_EQ(open->at(0).key, cpu);
    EXPECT_EQ(open->at(0).raisedMs, 1000);
    EXPECT_EQ(open->at(0).value, 93.5);
    EXPECT_EQ(open->at(0).reason, QStringLiteral("raised at 1000"));
    EXPECT_EQ(open->at(1).key, hv3); // the empty entity and metric come back as they were
    auto events = m_store->recentEvents(10);
    ASSERT_TRUE(events);
    ASSERT_EQ(events->size(), 4u);
    EXPECT_EQ(events->back(), cleared(QStringLiteral("if-receive-errors"), eth0, 4000));
}

TEST_F(AlertStoreTest, RaisedAgainAfterAClearIsOpenAgain)
{
    const QString rule = QStringLiteral("cpu-high");
    ASSERT_TRUE(m_store->append({raised(rule, cpu, 1000), cleared(rule, cpu, 2000)}));
    EXPECT_TRUE(m_store->openAlerts()->empty());
    ASSERT_TRUE(m_store->append({raised(rule, cpu, 3000)}));
    ASSERT_EQ(m_store->openAlerts()->size(), 1u);
    EXPECT_EQ(m_store->openAlerts()->front().raisedMs, 3000);
}

TEST_F(AlertStoreTest, TheLogIsBoundedButKeepsTheRaiseOfAnOpenAlert)
{
    reopen(100);
    ASSERT_TRUE(m_store->append({raised(QStringLiteral("agent-unreachable"), hv3, 500)}));
    const QString rule = QStringLiteral("cpu-high");
    for (int round = 0; round < 10; ++round) {
        std::vector<AlertEvent> flapping;
        for (int i = 0; i < 20; ++i) {
            const qint64 t = 1000 + (round * 20 + i) * 1000;
            flapping.push_back(i % 2 == 0 ? raised(rule, cpu, t) : cleared(rule, cpu, t));
        }
        ASSERT_TRUE(m_store->append(flapping));
    }
    // The newest 99 (pruning leaves 1 % of room) and the open alert's raise.
    EXPECT_EQ(*m_store->eventCount(), 100);
    auto open = m_store->openAlerts();
    ASSERT_EQ(open->size(), 1u);
    EXPECT_EQ(open->front().key, hv3);
    auto recent = m_store->recentEvents(1000);
    EXPECT_EQ(recent->back().tMs, 1000 + 199 * 1000); // the newest is kept
}

TEST_F(AlertStoreTest, AFileThatIsNotAProjectStoreIsRefused)
{
    const QString other = m_dir.filePath(QStringLiteral("other.db"));
    sqlite3 *db = nullptr;
    ASSERT_EQ(sqlite3_open(other.toUtf8().constData(), &db), SQLITE_OK);
    sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    auto store = AlertStore::open(other);
    ASSERT_FALSE(store);
    EXPECT_TRUE(store.error().message.contains(QStringLiteral("not a project store")));
    EXPECT_FALSE(AlertStore::open(m_dir.filePath(QStringLiteral("none.converge.db"))));
}
