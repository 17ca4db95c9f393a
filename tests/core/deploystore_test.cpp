#include "fixtures.h"
#include "printers.h"

#include "core/io/designdocument.h"
#include "core/model/commands.h"
#include "core/model/schema.h"
#include "core/store/projectstore.h"

#include <gtest/gtest.h>

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>

#include <sqlite3.h>

#include <limits>

// The project store's fleet (agents) and deployment history (store version 2), and the upgrade
// of version-1 stores.

using namespace converge;
using namespace converge::core;
using core::deploy::AgentRecord;
using core::deploy::DeploymentHost;
using core::deploy::DeploymentRecord;
using core::deploy::HostPhase;

namespace {

Design small()
{
    auto d = designdocument::load(smallDocument());
    EXPECT_TRUE(d);
    return std::move(*d);
}

QDateTime utc(const char *iso)
{
    const QDateTime t = QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODateWithMs);
    EXPECT_TRUE(t.isValid()) << iso;
    return t;
}

core::realize::HostState state(const QString &host, int tag)
{
    core::realize::HostState s;
    s.host = host;
    core::realize::Bridge b;
    b.name = QStringLiteral("br-lan");
    b.elementId = QStringLiteral("h1.vs");
    b.datapathType = QStringLiteral("system");
    core::realize::Port uplink;
    uplink.name = QStringLiteral("eth1");
    uplink.elementId = QStringLiteral("h1.eth1");
    core::realize::Port vm;
    vm.name = QStringLiteral("vm1-lan");
    vm.type = core::realize::Port::Type::Internal;
    vm.elementId = QStringLiteral("h1.vm1.lan");
    vm.vlanMode = QStringLiteral("access");
    vm.tag = tag;
    b.ports = {uplink, vm};
    s.bridges = {b};
    s.normalize();
    return s;
}

DeploymentHost hostResult(const QString &host, HostPhase result, int tag = 10)
{
    DeploymentHost h;
    h.host = host;
    h.plan = {{"host", host}, {"changes", QJsonArray{QStringLiteral("set tag %1").arg(tag)}}};
    h.desired = state(host, tag);
    h.transaction = QStringLiteral("tx-%1-%2").arg(host).arg(tag);
    h.result = result;
    h.message = core::deploy::phaseName(result);
    return h;
}

// DeploymentRecord::designHash, computed here independently of the store.
QString hashOf(const Design &design)
{
    const QByteArray json =
        QJsonDocument(designdocument::toJson(design)).toJson(QJsonDocument::Compact);
    return QString::fromLatin1(
        QCryptographicHash::hash(json, QCryptographicHash::Sha256).toHex().left(12));
}

Design renamed(const Design &design, const QString &name)
{
    Design changed = design;
    auto rename =
        commands::setProperty(changed, QStringLiteral("h1"), QStringLiteral("name"), name);
    EXPECT_TRUE(rename && changed.apply(*rename));
    return changed;
}

// Opens a store file with SQLite directly, for what ProjectStore never writes: old schemas,
// damaged rows, traps.
class RawDb
{
public:
    explicit RawDb(const QString &path)
    {
        EXPECT_EQ(sqlite3_open(path.toUtf8().constData(), &m_db), SQLITE_OK);
    }
    ~RawDb() { sqlite3_close(m_db); }
    RawDb(const RawDb &) = delete;
    RawDb &operator=(const RawDb &) = delete;

    void exec(const QString &sql)
    {
        char *message = nullptr;
        EXPECT_EQ(sqlite3_exec(m_db, sql.toUtf8().constData(), nullptr, nullptr, &message),
                  SQLITE_OK)
            << (message ? message : "") << "\n"
            << sql.toStdString();
        sqlite3_free(message);
    }
    // The first column of the first row, or "(none)".
    QString value(const QString &sql)
    {
        sqlite3_stmt *stmt = nullptr;
        QString out = QStringLiteral("(none)");
        if (sqlite3_prepare_v2(m_db, sql.toUtf8().constData(), -1, &stmt, nullptr) != SQLITE_OK)
            out = QStringLiteral("(error: %1)").arg(QString::fromUtf8(sqlite3_errmsg(m_db)));
        else if (sqlite3_step(stmt) == SQLITE_ROW)
            out = QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(stmt, 0)));
        sqlite3_finalize(stmt);
        return out;
    }

private:
    sqlite3 *m_db = nullptr;
};

QString quoted(const QString &s)
{
    QString out = s;
    return QLatin1Char('\'') + out.replace(QLatin1Char('\''), QStringLiteral("''")) +
           QLatin1Char('\'');
}

QString compactJson(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

// A store as Converge wrote it before deployments existed (store version 1), written by hand:
// the small design and two history entries.
void writeVersion1Store(const QString &path, const Design &design)
{
    RawDb db(path);
    db.exec(QStringLiteral(R"(
BEGIN;
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE elements(
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    parent TEXT NOT NULL,
    props TEXT NOT NULL);
CREATE TABLE history(
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    author TEXT NOT NULL,
    description TEXT NOT NULL,
    edit TEXT NOT NULL);
INSERT INTO meta VALUES('storeVersion', '1');
INSERT INTO history(at, author, description, edit) VALUES
    ('2024-03-01T09:00:00.000Z', '', 'Create project', '{"description":"Create project","replace":true}'),
    ('2024-03-02T09:00:00.000Z', 'alice', 'Rename', '{"description":"Rename","ops":[]}');
)"));
    db.exec(QStringLiteral("INSERT INTO meta VALUES('designInfo', %1)")
                .arg(quoted(compactJson(design.info()))));
    for (const Element *e : design.allElements())
        db.exec(
            QStringLiteral("INSERT INTO elements VALUES(%1, %2, %3, %4, %5)")
                .arg(quoted(e->id))
                .arg(e->seq)
                .arg(quoted(kindName(e->kind)), quoted(e->parent), quoted(compactJson(e->props))));
    db.exec(QStringLiteral("COMMIT"));
}

struct Fixture
{
    QTemporaryDir dir;
    QString path = dir.filePath(QStringLiteral("p.converge.db"));
    Design design = small();
    ProjectStore store = [this] {
        auto s = ProjectStore::create(path, design);
        EXPECT_TRUE(s) << s.error().message.toStdString();
        return std::move(*s);
    }();
};

} // namespace

TEST(DeployStore, PhaseNamesReadBack)
{
    for (HostPhase p : {HostPhase::Waiting, HostPhase::Applied, HostPhase::Confirmed,
                        HostPhase::RolledBack, HostPhase::Cancelled})
        EXPECT_EQ(core::deploy::phaseFromName(core::deploy::phaseName(p)), p);
    EXPECT_EQ(core::deploy::phaseFromName(QStringLiteral("rolled back")), HostPhase::RolledBack);
    EXPECT_EQ(core::deploy::phaseFromName(QStringLiteral("exploded")), std::nullopt);
    EXPECT_EQ(core::deploy::phaseFromName(QString()), std::nullopt);
}

TEST(DeployStore, AgentsRoundTripAndAreReplacedByHost)
{
    Fixture f;
    const AgentRecord hv2{QStringLiteral("hv2"),
                          QStringLiteral("[2001:db8::5]:7443"),
                          QStringLiteral("AB:CD"),
                          utc("2024-05-01T10:00:00.123Z"),
                          QDateTime(),
                          QString()};
    AgentRecord hv1{QStringLiteral("hv1"),           QStringLiteral("10.0.0.5:7443"),
                    QStringLiteral("01:02"),         utc("2024-05-01T09:00:00.000Z"),
                    utc("2024-05-02T09:00:00.000Z"), QStringLiteral("0.6.0")};
    ASSERT_TRUE(f.store.saveAgent(hv2));
    ASSERT_TRUE(f.store.saveAgent(hv1));
    hv1.address = QStringLiteral("10.0.0.6:7443"); // re-enrolled elsewhere: replaces the row
    hv1.fingerprint = QStringLiteral("03:04");
    ASSERT_TRUE(f.store.saveAgent(hv1));

    auto store = ProjectStore::open(f.path);
    ASSERT_TRUE(store);
    auto all = store->agents();
    ASSERT_TRUE(all) << all.error().message.toStdString();
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ((*all)[0], hv1); // sorted by host
    EXPECT_EQ((*all)[1], hv2);
    EXPECT_FALSE((*all)[1].lastSeen.isValid()); // never seen stays null
    EXPECT_EQ((*all)[1].enrolledAt.timeSpec(), Qt::UTC);

    auto one = store->agent(QStringLiteral("hv2"));
    ASSERT_TRUE(one);
    EXPECT_EQ(*one, hv2);
    auto none = store->agent(QStringLiteral("hv9"));
    ASSERT_TRUE(none);
    EXPECT_EQ(*none, std::nullopt);

    ASSERT_TRUE(store->touchAgent(QStringLiteral("hv2"), utc("2024-05-03T00:00:01.500Z"),
                                  QStringLiteral("0.6.1")));
    one = store->agent(QStringLiteral("hv2"));
    ASSERT_TRUE(one && *one);
    EXPECT_EQ((*one)->lastSeen, utc("2024-05-03T00:00:01.500Z"));
    EXPECT_EQ((*one)->version, QStringLiteral("0.6.1"));
    EXPECT_EQ((*one)->address, hv2.address);

    const auto touchMissing =
        store->touchAgent(QStringLiteral("hv9"), utc("2024-05-03T00:00:00Z"), QStringLiteral("1"));
    ASSERT_FALSE(touchMissing);
    EXPECT_EQ(touchMissing.error().code, Error::Code::NotFound);
    EXPECT_EQ(touchMissing.error().message, f.path + QStringLiteral(": no agent for host hv9"));

    ASSERT_TRUE(store->removeAgent(QStringLiteral("hv1")));
    const auto removeAgain = store->removeAgent(QStringLiteral("hv1"));
    ASSERT_FALSE(removeAgain);
    EXPECT_EQ(removeAgain.error().code, Error::Code::NotFound);
    all = store->agents();
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ(all->front().host, QStringLiteral("hv2"));

    AgentRecord nameless = hv2;
    nameless.host = QStringLiteral("  ");
    const auto refused = store->saveAgent(nameless);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Error::Code::InvalidInput);
    EXPECT_EQ(refused.error().message, f.path + QStringLiteral(": agent: the host name is empty"));
}

TEST(DeployStore, DeploymentsRoundTripNewestFirstWithTheirHostsAndDesign)
{
    Fixture f;
    DeploymentRecord first;
    first.at = utc("2024-05-01T10:00:00.000Z");
    first.author = QStringLiteral("alice");
    first.hosts = {hostResult(QStringLiteral("hv1"), HostPhase::Applying)};
    auto id1 = f.store.beginDeployment(first, f.design);
    ASSERT_TRUE(id1) << id1.error().message.toStdString();
    // Hosts come later, and a host's row is replaced as its deployment progresses.
    ASSERT_TRUE(f.store.saveDeploymentHost(
        *id1, hostResult(QStringLiteral("hv2"), HostPhase::Confirmed, 20)));
    ASSERT_TRUE(
        f.store.saveDeploymentHost(*id1, hostResult(QStringLiteral("hv1"), HostPhase::Confirmed)));
    ASSERT_TRUE(f.store.finishDeployment(*id1, QStringLiteral("2 hosts confirmed"), true));

    // An edit later, a second deployment of a changed design (at defaults to now).
    Design changed = f.design;
    auto rename = commands::setProperty(changed, QStringLiteral("h1"), QStringLiteral("name"),
                                        QStringLiteral("hv-a"));
    ASSERT_TRUE(rename && changed.apply(*rename));
    ASSERT_TRUE(f.store.recordEdit(*rename, QStringLiteral("bob")));
    DeploymentRecord second;
    second.author = QStringLiteral("bob");
    const QDateTime before = QDateTime::currentDateTimeUtc();
    auto id2 = f.store.beginDeployment(second, changed);
    ASSERT_TRUE(id2);
    EXPECT_GT(*id2, *id1);

    auto store = ProjectStore::open(f.path);
    ASSERT_TRUE(store);
    auto all = store->deployments();
    ASSERT_TRUE(all) << all.error().message.toStdString();
    ASSERT_EQ(all->size(), 2u);

    const DeploymentRecord &newest = (*all)[0];
    EXPECT_EQ(newest.id, *id2);
    EXPECT_EQ(newest.author, QStringLiteral("bob"));
    EXPECT_EQ(newest.designRevision, 2); // the second distinct design deployed
    EXPECT_EQ(newest.designHash, hashOf(changed));
    EXPECT_GE(newest.at.addMSecs(1), before);
    EXPECT_TRUE(newest.hosts.empty());
    EXPECT_FALSE(newest.confirmed);
    EXPECT_EQ(newest.summary, QString());

    DeploymentRecord expected = first;
    expected.id = *id1;
    expected.designRevision = 1;
    expected.designHash = hashOf(f.design);
    expected.summary = QStringLiteral("2 hosts confirmed");
    expected.confirmed = true;
    expected.hosts = {hostResult(QStringLiteral("hv1"), HostPhase::Confirmed),
                      hostResult(QStringLiteral("hv2"), HostPhase::Confirmed, 20)};
    for (DeploymentHost &h : expected.hosts)
        h.deployment = *id1;
    EXPECT_EQ((*all)[1], expected);

    auto one = store->deployment(*id1);
    ASSERT_TRUE(one && *one);
    EXPECT_EQ(**one, expected);
    auto missing = store->deployment(*id2 + 1);
    ASSERT_TRUE(missing);
    EXPECT_EQ(*missing, std::nullopt);

    auto snapshot1 = store->deployedDesign(*id1);
    ASSERT_TRUE(snapshot1) << snapshot1.error().message.toStdString();
    EXPECT_EQ(designdocument::save(*snapshot1), designdocument::save(f.design));
    auto snapshot2 = store->deployedDesign(*id2);
    ASSERT_TRUE(snapshot2);
    EXPECT_EQ(snapshot2->find(QStringLiteral("h1"))->name(), QStringLiteral("hv-a"));
}

TEST(DeployStore, RefusesUnknownDeploymentsAndBadHosts)
{
    Fixture f;
    auto id = f.store.beginDeployment({}, f.design);
    ASSERT_TRUE(id);
    const qint64 unknown = *id + 7;
    const auto host =
        f.store.saveDeploymentHost(unknown, hostResult(QStringLiteral("hv1"), HostPhase::Failed));
    ASSERT_FALSE(host);
    EXPECT_EQ(host.error().code, Error::Code::NotFound);
    EXPECT_EQ(host.error().message,
              f.path + QStringLiteral(": no deployment %1 (saving host hv1)").arg(unknown));
    const auto finish = f.store.finishDeployment(unknown, QStringLiteral("x"), false);
    ASSERT_FALSE(finish);
    EXPECT_EQ(finish.error().code, Error::Code::NotFound);
    const auto design = f.store.deployedDesign(unknown);
    ASSERT_FALSE(design);
    EXPECT_EQ(design.error().message, f.path + QStringLiteral(": no deployment %1").arg(unknown));

    DeploymentHost nameless = hostResult(QStringLiteral("hv1"), HostPhase::Failed);
    nameless.host.clear();
    const auto empty = f.store.saveDeploymentHost(*id, nameless);
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code, Error::Code::InvalidInput);
    EXPECT_EQ(empty.error().message,
              f.path + QStringLiteral(": deployment %1: the host name is empty").arg(*id));

    // A desired state the agent would refuse is refused here, not found broken when read back.
    DeploymentHost badState = hostResult(QStringLiteral("hv1"), HostPhase::Failed);
    badState.desired.bridges[0].ports[1].tag = 5000;
    const auto bad = f.store.saveDeploymentHost(*id, badState);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Error::Code::InvalidInput);
    EXPECT_TRUE(bad.error().message.startsWith(
        f.path +
        QStringLiteral(": deployment %1, host hv1: desired state: bridges[0].ports[").arg(*id)))
        << bad.error().message.toStdString();

    DeploymentRecord twice;
    twice.hosts = {hostResult(QStringLiteral("hv1"), HostPhase::Waiting),
                   hostResult(QStringLiteral("hv1"), HostPhase::Waiting)};
    const auto dup = f.store.beginDeployment(twice, f.design);
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().message,
              f.path + QStringLiteral(": new deployment: host hv1 is listed twice"));

    auto all = f.store.deployments();
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 1u);
    EXPECT_TRUE(all->front().hosts.empty());
    const auto noHost = f.store.lastConfirmedFor(QString());
    ASSERT_FALSE(noHost);
    EXPECT_EQ(noHost.error().code, Error::Code::InvalidInput);
}

TEST(DeployStore, LastConfirmedForSkipsFailedRolledBackAndUnfinishedHosts)
{
    Fixture f;
    const auto deployWith = [&](std::vector<DeploymentHost> hosts) {
        DeploymentRecord r;
        r.hosts = std::move(hosts);
        auto id = f.store.beginDeployment(r, f.design);
        EXPECT_TRUE(id) << id.error().message.toStdString();
        return id.value_or(0);
    };
    const QString hv1 = QStringLiteral("hv1");
    const QString hv2 = QStringLiteral("hv2");
    const qint64 d1 = deployWith(
        {hostResult(hv1, HostPhase::Confirmed, 11), hostResult(hv2, HostPhase::Confirmed, 21)});
    const qint64 d2 = deployWith(
        {hostResult(hv1, HostPhase::Failed, 12), hostResult(hv2, HostPhase::Unchanged, 21)});
    const qint64 d3 = deployWith(
        {hostResult(hv1, HostPhase::RolledBack, 13), hostResult(hv2, HostPhase::Applied, 23)});
    deployWith({hostResult(hv1, HostPhase::Cancelled, 14)});

    const auto last = [&](const QString &host, qint64 before) {
        auto r = f.store.lastConfirmedFor(host, before);
        EXPECT_TRUE(r) << r.error().message.toStdString();
        return r.value_or(std::nullopt);
    };
    auto h = last(hv1, std::numeric_limits<qint64>::max());
    ASSERT_TRUE(h);
    EXPECT_EQ(h->deployment, d1);
    EXPECT_EQ(h->desired, state(hv1, 11));
    EXPECT_EQ(h->transaction, QStringLiteral("tx-hv1-11"));

    h = last(hv2, std::numeric_limits<qint64>::max());
    ASSERT_TRUE(h);
    EXPECT_EQ(h->deployment, d2); // unchanged: the host matched what d2 deployed
    EXPECT_EQ(h->result, HostPhase::Unchanged);

    // The state deployment n left a host in: lastConfirmedFor(host, n + 1).
    EXPECT_EQ(last(hv2, d3 + 1)->deployment, d2);
    EXPECT_EQ(last(hv2, d2)->deployment, d1);
    EXPECT_EQ(last(hv1, d3 + 1)->deployment, d1);
    EXPECT_EQ(last(hv1, d1), std::nullopt);
    EXPECT_EQ(last(QStringLiteral("hv9"), std::numeric_limits<qint64>::max()), std::nullopt);
}

TEST(DeployStore, DamagedRowsAreErrorsNamingTheRow)
{
    Fixture f;
    DeploymentRecord r;
    r.hosts = {hostResult(QStringLiteral("hv1"), HostPhase::Confirmed),
               hostResult(QStringLiteral("hv2"), HostPhase::Confirmed)};
    auto id = f.store.beginDeployment(r, f.design);
    ASSERT_TRUE(id);
    ASSERT_TRUE(f.store.saveAgent({QStringLiteral("hv1"),
                                   QStringLiteral("10.0.0.5:7443"),
                                   QStringLiteral("01"),
                                   utc("2024-05-01T00:00:00Z"),
                                   {},
                                   {}}));
    const QString where = f.path + QStringLiteral(": deployment %1, host hv2: ").arg(*id);
    {
        RawDb db(f.path);
        db.exec(QStringLiteral("UPDATE deployment_hosts SET desired = '{\"host\": \"hv2\", ' "
                               "WHERE host = 'hv2'"));
    }
    auto all = f.store.deployments();
    ASSERT_FALSE(all);
    EXPECT_EQ(all.error().code, Error::Code::Store);
    EXPECT_TRUE(
        all.error().message.startsWith(where + QStringLiteral("the desired state is not a JSON")))
        << all.error().message.toStdString();
    auto one = f.store.deployment(*id);
    ASSERT_FALSE(one);
    EXPECT_EQ(one.error().message, all.error().message);
    auto last = f.store.lastConfirmedFor(QStringLiteral("hv2"));
    ASSERT_FALSE(last);
    EXPECT_EQ(last.error().message, all.error().message);
    // Other hosts' rows still read.
    auto hv1 = f.store.lastConfirmedFor(QStringLiteral("hv1"));
    ASSERT_TRUE(hv1 && *hv1);

    {
        RawDb db(f.path);
        db.exec(QStringLiteral("UPDATE deployment_hosts SET desired = '{\"host\": \"hv2\", "
                               "\"bridges\": 3}', plan = '[1]' WHERE host = 'hv2'"));
    }
    all = f.store.deployments();
    ASSERT_FALSE(all);
    EXPECT_TRUE(all.error().message.startsWith(where + QStringLiteral("the plan is not a JSON")))
        << all.error().message.toStdString();
    {
        RawDb db(f.path);
        db.exec(QStringLiteral("UPDATE deployment_hosts SET plan = '{}' WHERE host = 'hv2'"));
    }
    all = f.store.deployments();
    ASSERT_FALSE(all);
    EXPECT_TRUE(all.error().message.startsWith(where + QStringLiteral("desired state: bridges")))
        << all.error().message.toStdString();
    {
        RawDb db(f.path);
        db.exec(QStringLiteral("UPDATE deployment_hosts SET desired = '{\"host\": \"hv2\"}', "
                               "result = 'exploded' WHERE host = 'hv2'"));
    }
    all = f.store.deployments();
    ASSERT_FALSE(all);
    EXPECT_EQ(all.error().message,
              where + QStringLiteral("result \"exploded\" is not a host phase"));

    {
        RawDb db(f.path);
        db.exec(QStringLiteral(
            "UPDATE deployments SET design = '{\"schemaVersion\": 1, \"hosts\": 7}'"));
        db.exec(QStringLiteral("UPDATE agents SET last_seen = 'yesterday'"));
    }
    auto design = f.store.deployedDesign(*id);
    ASSERT_FALSE(design);
    EXPECT_TRUE(design.error().message.startsWith(
        f.path + QStringLiteral(": deployment %1: design snapshot: ").arg(*id)))
        << design.error().message.toStdString();
    auto agents = f.store.agents();
    ASSERT_FALSE(agents);
    EXPECT_EQ(agents.error().message,
              f.path + QStringLiteral(": agent hv1: last_seen \"yesterday\" is not a time"));
}

TEST(DeployStore, AFailedWriteLeavesNothingBehind)
{
    Fixture f;
    {
        // A trap only this test sets: SQLite refuses the second host's row mid-transaction.
        RawDb db(f.path);
        db.exec(QStringLiteral("CREATE TRIGGER trap BEFORE INSERT ON deployment_hosts "
                               "WHEN NEW.host = 'boom' BEGIN SELECT RAISE(ABORT, 'trapped'); END"));
    }
    DeploymentRecord r;
    r.hosts = {hostResult(QStringLiteral("hv1"), HostPhase::Waiting),
               hostResult(QStringLiteral("boom"), HostPhase::Waiting)};
    const auto id = f.store.beginDeployment(r, f.design);
    ASSERT_FALSE(id);
    EXPECT_TRUE(id.error().message.contains(QStringLiteral("save host boom: trapped")))
        << id.error().message.toStdString();
    // Neither the deployment nor its first host were kept.
    auto all = f.store.deployments();
    ASSERT_TRUE(all);
    EXPECT_TRUE(all->empty());
    RawDb db(f.path);
    EXPECT_EQ(db.value(QStringLiteral("SELECT count(*) FROM deployment_hosts")),
              QStringLiteral("0"));
    // And the store goes on.
    r.hosts.pop_back();
    EXPECT_TRUE(f.store.beginDeployment(r, f.design));
}

// The issue this answers: a .converge.json design's store never grows a history, so counting
// history entries called every deployment of such a design "revision 1".
TEST(DeployStore, TheRevisionNumbersTheDistinctDesignsDeployedAndTheHashNamesTheirContent)
{
    Fixture f;
    const Design a = f.design, b = renamed(a, QStringLiteral("hv-b")),
                 c = renamed(a, QStringLiteral("hv-c"));
    std::vector<std::pair<qint64, qint64>> seen; // (revision, id) per deployment, in order
    for (const Design *d : {&a, &a, &b, &a, &c, &b}) {
        auto id = f.store.beginDeployment({}, *d);
        ASSERT_TRUE(id) << id.error().message.toStdString();
        auto record = f.store.deployment(*id);
        ASSERT_TRUE(record && *record);
        EXPECT_EQ((*record)->designHash, hashOf(*d));
        EXPECT_EQ((*record)->designHash.size(), 12);
        seen.emplace_back((*record)->designRevision, *id);
    }
    const std::vector<qint64> revisions = [&] {
        std::vector<qint64> out;
        for (const auto &[revision, id] : seen)
            out.push_back(revision);
        return out;
    }();
    EXPECT_EQ(revisions, (std::vector<qint64>{1, 1, 2, 1, 3, 2}));
    EXPECT_NE(hashOf(a), hashOf(b));
    auto all = f.store.deployments();
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 6u);
    EXPECT_EQ(core::deploy::revisionText(all->front()), QStringLiteral("2 (%1)").arg(hashOf(b)));
}

// Version 2 numbered deployments by the store's history length; the upgrade hashes the designs
// the rows kept and numbers them as version 3 does.
TEST(DeployStore, AVersion2StoreGetsHashesAndRevisionsFromTheDesignsItKept)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("v2.converge.db"));
    const Design a = small(), b = renamed(a, QStringLiteral("hv-b"));
    writeVersion1Store(path, a);
    {
        RawDb db(path);
        db.exec(QStringLiteral(R"(
BEGIN;
CREATE TABLE agents(host TEXT PRIMARY KEY, address TEXT NOT NULL, fingerprint TEXT NOT NULL,
    enrolled_at TEXT NOT NULL, last_seen TEXT NOT NULL, version TEXT NOT NULL);
CREATE TABLE deployments(id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,
    author TEXT NOT NULL, design_revision INTEGER NOT NULL, design TEXT NOT NULL,
    summary TEXT NOT NULL, confirmed INTEGER NOT NULL);
CREATE TABLE deployment_hosts(deployment INTEGER NOT NULL REFERENCES deployments(id),
    host TEXT NOT NULL, plan TEXT NOT NULL, desired TEXT NOT NULL, transaction_id TEXT NOT NULL,
    result TEXT NOT NULL, message TEXT NOT NULL, PRIMARY KEY(deployment, host));
CREATE INDEX deployment_hosts_by_host ON deployment_hosts(host, deployment);
UPDATE meta SET value = '2' WHERE key = 'storeVersion';
COMMIT;
)"));
        int n = 0;
        for (const Design *d : {&a, &b, &a})
            db.exec(
                QStringLiteral("INSERT INTO deployments VALUES(%1, '2024-05-0%1T10:00:00.000Z', "
                               "'alice', 2, %2, 'confirmed', 1)")
                    .arg(++n)
                    .arg(quoted(compactJson(designdocument::toJson(*d)))));
    }
    auto store = ProjectStore::open(path);
    ASSERT_TRUE(store) << store.error().message.toStdString();
    auto all = store->deployments();
    ASSERT_TRUE(all) << all.error().message.toStdString();
    ASSERT_EQ(all->size(), 3u); // newest first
    EXPECT_EQ((*all)[2].designRevision, 1);
    EXPECT_EQ((*all)[2].designHash, hashOf(a));
    EXPECT_EQ((*all)[1].designRevision, 2);
    EXPECT_EQ((*all)[1].designHash, hashOf(b));
    EXPECT_EQ((*all)[0].designRevision, 1);
    EXPECT_EQ((*all)[0].designHash, hashOf(a));
    EXPECT_EQ((*all)[0].summary, QStringLiteral("confirmed"));
    // New deployments go on from there.
    auto again = store->beginDeployment({}, b);
    auto next = store->beginDeployment({}, renamed(a, QStringLiteral("hv-c")));
    ASSERT_TRUE(again && next);
    EXPECT_EQ((*store->deployment(*again))->designRevision, 2);
    EXPECT_EQ((*store->deployment(*next))->designRevision, 3);
}

TEST(DeployStore, AVersion1StoreIsUpgradedInPlaceKeepingDesignAndHistory)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("old.converge.db"));
    const Design design = small();
    writeVersion1Store(path, design);
    {
        auto store = ProjectStore::open(path);
        ASSERT_TRUE(store) << store.error().message.toStdString();
        auto loaded = store->loadDesign();
        ASSERT_TRUE(loaded);
        EXPECT_EQ(designdocument::save(*loaded), designdocument::save(design));
        auto history = store->history();
        ASSERT_TRUE(history);
        ASSERT_EQ(history->size(), 2u);
        EXPECT_EQ((*history)[1].author, QStringLiteral("alice"));
        EXPECT_EQ((*history)[1].description, QStringLiteral("Rename"));
        auto agents = store->agents();
        ASSERT_TRUE(agents);
        EXPECT_TRUE(agents->empty());
        ASSERT_TRUE(store->saveAgent({QStringLiteral("hv1"),
                                      QStringLiteral("10.0.0.5:7443"),
                                      QStringLiteral("01"),
                                      utc("2024-05-01T00:00:00Z"),
                                      {},
                                      {}}));
        auto id = store->beginDeployment({}, *loaded);
        ASSERT_TRUE(id);
        auto d = store->deployment(*id);
        ASSERT_TRUE(d && *d);
        EXPECT_EQ((*d)->designRevision, 1); // the first design deployed (not the history length)
        EXPECT_EQ((*d)->designHash, hashOf(*loaded));
    }
    RawDb db(path);
    EXPECT_EQ(db.value(QStringLiteral("SELECT value FROM meta WHERE key = 'storeVersion'")),
              QString::number(ProjectStore::currentStoreVersion));
    EXPECT_EQ(db.value(QStringLiteral("SELECT host FROM agents")), QStringLiteral("hv1"));
    // Opening it again is a no-op.
    auto again = ProjectStore::open(path);
    ASSERT_TRUE(again) << again.error().message.toStdString();
    auto agents = again->agents();
    ASSERT_TRUE(agents);
    EXPECT_EQ(agents->size(), 1u);
}

TEST(DeployStore, AFailedUpgradeLeavesTheVersion1StoreAsItWas)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("old.converge.db"));
    writeVersion1Store(path, small());
    {
        // Something in the file already has the name of a version-2 table.
        RawDb db(path);
        db.exec(QStringLiteral("CREATE TABLE deployment_hosts(x)"));
    }
    const auto store = ProjectStore::open(path);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, Error::Code::Store);
    EXPECT_EQ(store.error().message,
              path + QStringLiteral(": upgrading the store from version 1 to %1: table "
                                    "deployment_hosts already exists")
                         .arg(ProjectStore::currentStoreVersion));
    RawDb db(path);
    EXPECT_EQ(db.value(QStringLiteral("SELECT value FROM meta WHERE key = 'storeVersion'")),
              QStringLiteral("1"));
    EXPECT_EQ(db.value(QStringLiteral("SELECT name FROM sqlite_master WHERE name = 'agents'")),
              QStringLiteral("(none)"));
    EXPECT_EQ(db.value(QStringLiteral("SELECT count(*) FROM elements")),
              QString::number(small().size()));
}

TEST(DeployStore, AStoreNewerThanTheCodeIsRefused)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("new.converge.db"));
    ASSERT_TRUE(ProjectStore::create(path, small()));
    {
        RawDb db(path);
        db.exec(QStringLiteral("UPDATE meta SET value = '%1' WHERE key = 'storeVersion'")
                    .arg(ProjectStore::currentStoreVersion + 1));
    }
    const auto store = ProjectStore::open(path);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, Error::Code::NewerSchema);
    EXPECT_EQ(store.error().message,
              path + QStringLiteral(": store version %1 is newer than this Converge reads (%2)")
                         .arg(ProjectStore::currentStoreVersion + 1)
                         .arg(ProjectStore::currentStoreVersion));
}

TEST(DeployStore, AnSQLiteDatabaseOfSomethingElseIsNotAStore)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("other.converge.db"));
    {
        RawDb db(path);
        db.exec(QStringLiteral("CREATE TABLE invoices(id INTEGER)"));
    }
    const auto store = ProjectStore::open(path);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, Error::Code::Store);
    RawDb db(path);
    EXPECT_EQ(db.value(QStringLiteral("SELECT count(*) FROM sqlite_master")), QStringLiteral("1"));
}
