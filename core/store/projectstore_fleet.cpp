#include "projectstore.h"

#include "statement.h"

#include "../io/designdocument.h"

#include <QHash>
#include <QJsonDocument>
#include <QSet>

// The fleet (agents) and the deployments: the tables of store versions 2 and 3.

namespace converge::core {

using sql::compact;
using sql::Statement;

namespace {

QByteArray timeText(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs).toUtf8() : QByteArray();
}

// "" -> a null QDateTime; text that is not a time -> nullopt.
std::optional<QDateTime> parseTime(const QString &text)
{
    if (text.isEmpty())
        return QDateTime();
    QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!t.isValid())
        return std::nullopt;
    return t;
}

Result<void> checkHostName(const QString &host, const QString &what)
{
    if (host.trimmed().isEmpty())
        return invalid(QStringLiteral("%1: the host name is empty").arg(what));
    return {};
}

// Everything written must read back: a desired state HostState::fromJson refuses is refused here.
Result<void> checkDeploymentHost(const deploy::DeploymentHost &h, const QString &where)
{
    if (auto ok = checkHostName(h.host, where); !ok)
        return ok;
    if (auto desired = realize::HostState::fromJson(h.desired.toJson()); !desired)
        return invalid(QStringLiteral("%1, host %2: desired state: %3")
                           .arg(where, h.host, desired.error().message));
    return {};
}

// The revision a design got when first deployed, else the next number (schemaV3 numbers the
// deployments recorded before it the same way).
const char *const insertDeployment = R"(
INSERT INTO deployments(at, author, design_revision, design_hash, design, summary, confirmed)
VALUES(?1, ?2,
       COALESCE((SELECT min(design_revision) FROM deployments
                 WHERE design_hash = converge_design_hash(?3)),
                (SELECT COALESCE(max(design_revision), 0) + 1 FROM deployments)),
       converge_design_hash(?3), ?3, '', 0)
)";

const char *const agentColumns = "host, address, fingerprint, enrolled_at, last_seen, version";
const char *const hostColumns = "deployment, host, plan, desired, transaction_id, result, message";
const char *const deploymentColumns =
    "id, at, author, design_revision, summary, confirmed, design_hash";

Result<deploy::AgentRecord> readAgent(const Statement &row, const QString &path)
{
    deploy::AgentRecord a{row.text(0), row.text(1), row.text(2), {}, {}, row.text(5)};
    const auto enrolled = parseTime(row.text(3));
    const auto seen = parseTime(row.text(4));
    if (!enrolled || !seen)
        return fail(Error::Code::Store,
                    QStringLiteral("%1: agent %2: %3 \"%4\" is not a time")
                        .arg(path, a.host,
                             enrolled ? QStringLiteral("last_seen") : QStringLiteral("enrolled_at"),
                             enrolled ? row.text(4) : row.text(3)));
    a.enrolledAt = *enrolled;
    a.lastSeen = *seen;
    return a;
}

Result<deploy::DeploymentRecord> readDeployment(const Statement &row, const QString &path)
{
    deploy::DeploymentRecord d;
    d.id = row.int64(0);
    const auto at = parseTime(row.text(1));
    if (!at || !at->isValid())
        return fail(Error::Code::Store, QStringLiteral("%1: deployment %2: at \"%3\" is not a time")
                                            .arg(path, QString::number(d.id), row.text(1)));
    d.at = *at;
    d.author = row.text(2);
    d.designRevision = row.int64(3);
    d.summary = row.text(4);
    d.confirmed = row.int64(5) != 0;
    d.designHash = row.text(6);
    return d;
}

Result<deploy::DeploymentHost> readDeploymentHost(const Statement &row, const QString &path)
{
    deploy::DeploymentHost h;
    h.deployment = row.int64(0);
    h.host = row.text(1);
    h.transaction = row.text(4);
    h.message = row.text(6);
    const QString where = QStringLiteral("%1: deployment %2, host %3")
                              .arg(path, QString::number(h.deployment), h.host);
    QJsonParseError parseError;
    const QJsonDocument plan = QJsonDocument::fromJson(row.bytes(2), &parseError);
    if (!plan.isObject())
        return fail(Error::Code::Store, QStringLiteral("%1: the plan is not a JSON object (%2)")
                                            .arg(where, parseError.errorString()));
    h.plan = plan.object();
    const QJsonDocument desired = QJsonDocument::fromJson(row.bytes(3), &parseError);
    if (!desired.isObject())
        return fail(Error::Code::Store,
                    QStringLiteral("%1: the desired state is not a JSON object (%2)")
                        .arg(where, parseError.errorString()));
    auto state = realize::HostState::fromJson(desired.object());
    if (!state)
        return fail(Error::Code::Store,
                    QStringLiteral("%1: desired state: %2").arg(where, state.error().message));
    h.desired = std::move(*state);
    const auto phase = deploy::phaseFromName(row.text(5));
    if (!phase)
        return fail(
            Error::Code::Store,
            QStringLiteral("%1: result \"%2\" is not a host phase").arg(where, row.text(5)));
    h.result = *phase;
    return h;
}

} // namespace

// --- Fleet --------------------------------------------------------------------------------------

Result<void> ProjectStore::saveAgent(const deploy::AgentRecord &agent)
{
    if (auto ok = checkHostName(agent.host, m_path + QStringLiteral(": agent")); !ok)
        return ok;
    return inTransaction([&]() -> Result<void> {
        Statement put(m_db.get(),
                      "INSERT OR REPLACE INTO agents(host, address, fingerprint, enrolled_at, "
                      "last_seen, version) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
        put.bind(1, agent.host);
        put.bind(2, agent.address);
        put.bind(3, agent.fingerprint);
        put.bind(4, timeText(agent.enrolledAt));
        put.bind(5, timeText(agent.lastSeen));
        put.bind(6, agent.version);
        if (put.step() != SQLITE_DONE)
            return sqlError(QStringLiteral("save agent %1").arg(agent.host));
        return {};
    });
}

Result<void> ProjectStore::removeAgent(const QString &host)
{
    return inTransaction([&]() -> Result<void> {
        Statement del(m_db.get(), "DELETE FROM agents WHERE host = ?1");
        del.bind(1, host);
        if (del.step() != SQLITE_DONE)
            return sqlError(QStringLiteral("remove agent %1").arg(host));
        if (sqlite3_changes(m_db.get()) == 0)
            return fail(Error::Code::NotFound,
                        QStringLiteral("%1: no agent for host %2").arg(m_path, host));
        return {};
    });
}

Result<void> ProjectStore::touchAgent(const QString &host, const QDateTime &lastSeen,
                                      const QString &version)
{
    return inTransaction([&]() -> Result<void> {
        Statement put(m_db.get(), "UPDATE agents SET last_seen = ?2, version = COALESCE(NULLIF(?3, "
                                  "''), version) WHERE host = ?1");
        put.bind(1, host);
        put.bind(2, timeText(lastSeen));
        put.bind(3, version);
        if (put.step() != SQLITE_DONE)
            return sqlError(QStringLiteral("update agent %1").arg(host));
        if (sqlite3_changes(m_db.get()) == 0)
            return fail(Error::Code::NotFound,
                        QStringLiteral("%1: no agent for host %2").arg(m_path, host));
        return {};
    });
}

Result<std::vector<deploy::AgentRecord>> ProjectStore::agents() const
{
    Statement rows(m_db.get(), QByteArray("SELECT ") + agentColumns + " FROM agents ORDER BY host");
    if (!rows.ok())
        return sqlError(QStringLiteral("read agents"));
    std::vector<deploy::AgentRecord> out;
    int rc;
    while ((rc = rows.step()) == SQLITE_ROW) {
        auto a = readAgent(rows, m_path);
        if (!a)
            return std::unexpected(a.error());
        out.push_back(std::move(*a));
    }
    if (rc != SQLITE_DONE)
        return sqlError(QStringLiteral("read agents"));
    return out;
}

Result<std::optional<deploy::AgentRecord>> ProjectStore::agent(const QString &host) const
{
    Statement row(m_db.get(),
                  QByteArray("SELECT ") + agentColumns + " FROM agents WHERE host = ?1");
    if (!row.ok())
        return sqlError(QStringLiteral("read agent %1").arg(host));
    row.bind(1, host);
    const int rc = row.step();
    if (rc == SQLITE_DONE)
        return std::nullopt;
    if (rc != SQLITE_ROW)
        return sqlError(QStringLiteral("read agent %1").arg(host));
    auto a = readAgent(row, m_path);
    if (!a)
        return std::unexpected(a.error());
    return std::optional(std::move(*a));
}

// --- Deployments --------------------------------------------------------------------------------

Result<void> ProjectStore::insertDeploymentHost(qint64 id, const deploy::DeploymentHost &host)
{
    Statement exists(m_db.get(), "SELECT 1 FROM deployments WHERE id = ?1");
    exists.bind(1, id);
    if (exists.step() != SQLITE_ROW)
        return fail(Error::Code::NotFound, QStringLiteral("%1: no deployment %2 (saving host %3)")
                                               .arg(m_path, QString::number(id), host.host));
    Statement put(m_db.get(),
                  "INSERT OR REPLACE INTO deployment_hosts(deployment, host, plan, desired, "
                  "transaction_id, result, message) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    put.bind(1, id);
    put.bind(2, host.host);
    put.bind(3, compact(host.plan));
    put.bind(4, compact(host.desired.toJson()));
    put.bind(5, host.transaction);
    put.bind(6, deploy::phaseName(host.result));
    put.bind(7, host.message);
    if (put.step() != SQLITE_DONE)
        return sqlError(
            QStringLiteral("deployment %1: save host %2").arg(QString::number(id), host.host));
    return {};
}

Result<qint64> ProjectStore::beginDeployment(const deploy::DeploymentRecord &record,
                                             const Design &snapshot)
{
    const QString where = m_path + QStringLiteral(": new deployment");
    QSet<QString> seen;
    for (const deploy::DeploymentHost &h : record.hosts) {
        if (auto ok = checkDeploymentHost(h, where); !ok)
            return std::unexpected(ok.error());
        if (seen.contains(h.host))
            return invalid(QStringLiteral("%1: host %2 is listed twice").arg(where, h.host));
        seen.insert(h.host);
    }
    qint64 id = 0;
    auto ok = inTransaction([&]() -> Result<void> {
        Statement put(m_db.get(), insertDeployment);
        put.bind(1, timeText(record.at.isValid() ? record.at : QDateTime::currentDateTimeUtc()));
        put.bind(2, record.author);
        put.bind(3, compact(designdocument::toJson(snapshot)));
        if (put.step() != SQLITE_DONE)
            return sqlError(QStringLiteral("record a new deployment"));
        id = sqlite3_last_insert_rowid(m_db.get());
        for (const deploy::DeploymentHost &h : record.hosts)
            if (auto saved = insertDeploymentHost(id, h); !saved)
                return saved;
        return {};
    });
    if (!ok)
        return std::unexpected(ok.error());
    return id;
}

Result<void> ProjectStore::saveDeploymentHost(qint64 id, const deploy::DeploymentHost &host)
{
    if (auto ok =
            checkDeploymentHost(host, QStringLiteral("%1: deployment %2").arg(m_path).arg(id));
        !ok)
        return ok;
    return inTransaction([&]() { return insertDeploymentHost(id, host); });
}

Result<void> ProjectStore::finishDeployment(qint64 id, const QString &summary, bool confirmed)
{
    return inTransaction([&]() -> Result<void> {
        Statement put(m_db.get(),
                      "UPDATE deployments SET summary = ?2, confirmed = ?3 WHERE id = ?1");
        put.bind(1, id);
        put.bind(2, summary);
        put.bind(3, qint64(confirmed ? 1 : 0));
        if (put.step() != SQLITE_DONE)
            return sqlError(QStringLiteral("finish deployment %1").arg(id));
        if (sqlite3_changes(m_db.get()) == 0)
            return fail(Error::Code::NotFound,
                        QStringLiteral("%1: no deployment %2").arg(m_path).arg(id));
        return {};
    });
}

// All deployments (onlyId 0) or the one with id onlyId, newest first, with their hosts.
Result<std::vector<deploy::DeploymentRecord>> ProjectStore::readDeployments(qint64 onlyId) const
{
    std::vector<deploy::DeploymentRecord> out;
    auto ok = inReadTransaction([&]() -> Result<void> {
        if (auto rows = readDeploymentRows(onlyId, out); !rows || out.empty())
            return rows;
        return readDeploymentHosts(onlyId, out);
    });
    if (!ok)
        return std::unexpected(ok.error());
    return out;
}

Result<void> ProjectStore::readDeploymentRows(qint64 onlyId,
                                              std::vector<deploy::DeploymentRecord> &out) const
{
    Statement rows(m_db.get(), QByteArray("SELECT ") + deploymentColumns +
                                   (onlyId ? " FROM deployments WHERE id = ?1"
                                           : " FROM deployments ORDER BY id DESC"));
    if (!rows.ok())
        return sqlError(QStringLiteral("read deployments"));
    if (onlyId)
        rows.bind(1, onlyId);
    int rc;
    while ((rc = rows.step()) == SQLITE_ROW) {
        auto d = readDeployment(rows, m_path);
        if (!d)
            return std::unexpected(d.error());
        out.push_back(std::move(*d));
    }
    if (rc != SQLITE_DONE)
        return sqlError(QStringLiteral("read deployments"));
    return {};
}

// Adds their hosts to the deployments readDeploymentRows read.
Result<void> ProjectStore::readDeploymentHosts(qint64 onlyId,
                                               std::vector<deploy::DeploymentRecord> &out) const
{
    QHash<qint64, std::size_t> index;
    for (std::size_t i = 0; i < out.size(); ++i)
        index.insert(out[i].id, i);
    Statement hosts(m_db.get(),
                    onlyId ? QByteArray("SELECT ") + hostColumns +
                                 " FROM deployment_hosts WHERE deployment = ?1 ORDER BY host"
                           : QByteArray("SELECT ") + hostColumns +
                                 " FROM deployment_hosts ORDER BY deployment, host");
    if (!hosts.ok())
        return sqlError(QStringLiteral("read deployment hosts"));
    if (onlyId)
        hosts.bind(1, onlyId);
    int rc;
    while ((rc = hosts.step()) == SQLITE_ROW) {
        const auto at = index.constFind(hosts.int64(0));
        if (at == index.cend())
            continue; // a row without its deployment: cannot be written through this class
        auto h = readDeploymentHost(hosts, m_path);
        if (!h)
            return std::unexpected(h.error());
        out[*at].hosts.push_back(std::move(*h));
    }
    if (rc != SQLITE_DONE)
        return sqlError(QStringLiteral("read deployment hosts"));
    return {};
}

Result<std::vector<deploy::DeploymentRecord>> ProjectStore::deployments() const
{
    return readDeployments(0);
}

Result<std::optional<deploy::DeploymentRecord>> ProjectStore::deployment(qint64 id) const
{
    if (id <= 0)
        return std::nullopt;
    auto found = readDeployments(id);
    if (!found)
        return std::unexpected(found.error());
    if (found->empty())
        return std::nullopt;
    return std::optional(std::move(found->front()));
}

Result<Design> ProjectStore::deployedDesign(qint64 id) const
{
    Statement row(m_db.get(), "SELECT design FROM deployments WHERE id = ?1");
    if (!row.ok())
        return sqlError(QStringLiteral("read deployment %1").arg(id));
    row.bind(1, id);
    const int rc = row.step();
    if (rc == SQLITE_DONE)
        return fail(Error::Code::NotFound,
                    QStringLiteral("%1: no deployment %2").arg(m_path).arg(id));
    if (rc != SQLITE_ROW)
        return sqlError(QStringLiteral("read deployment %1").arg(id));
    auto design = designdocument::load(row.bytes(0));
    if (!design)
        return fail(Error::Code::Store,
                    QStringLiteral("%1: deployment %2: design snapshot: %3")
                        .arg(m_path, QString::number(id), design.error().message));
    return design;
}

Result<std::optional<deploy::DeploymentHost>> ProjectStore::lastConfirmedFor(const QString &host,
                                                                             qint64 beforeId) const
{
    if (auto ok = checkHostName(host, m_path + QStringLiteral(": last confirmed deployment")); !ok)
        return std::unexpected(ok.error());
    Statement row(m_db.get(), QByteArray("SELECT ") + hostColumns +
                                  " FROM deployment_hosts WHERE host = ?1 AND deployment < ?2 "
                                  "AND result IN (?3, ?4) ORDER BY deployment DESC LIMIT 1");
    if (!row.ok())
        return sqlError(QStringLiteral("read deployments of host %1").arg(host));
    row.bind(1, host);
    row.bind(2, beforeId);
    static_assert(std::size(deploy::phasesLeftInPlace) == 2, "one parameter per phase");
    row.bind(3, deploy::phaseName(deploy::phasesLeftInPlace[0]));
    row.bind(4, deploy::phaseName(deploy::phasesLeftInPlace[1]));
    const int rc = row.step();
    if (rc == SQLITE_DONE)
        return std::nullopt;
    if (rc != SQLITE_ROW)
        return sqlError(QStringLiteral("read deployments of host %1").arg(host));
    auto h = readDeploymentHost(row, m_path);
    if (!h)
        return std::unexpected(h.error());
    return std::optional(std::move(*h));
}

} // namespace converge::core
