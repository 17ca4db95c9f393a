#pragma once

#include "../deploy/deploytypes.h"
#include "../model/design.h"

#include <QDateTime>

#include <functional>
#include <limits>
#include <memory>
#include <optional>

struct sqlite3;

namespace converge::core {

struct HistoryEntry
{
    qint64 seq = 0;
    QDateTime at;
    QString author;
    QString description;
    Edit edit;
};

// The project store: one SQLite file (WAL) holding a design and its edit history, the agents
// enrolled for the design's hosts and the deployments made. Every write is one transaction (an
// edit updates the elements and appends to the history together), so a killed process loses at
// most the write it was doing. Opening an older store upgrades it in place, in one transaction.
// Implemented over three files along its three seams: projectstore.cpp (connection, schema,
// migrations), projectstore_design.cpp (design, history), projectstore_fleet.cpp (agents,
// deployments).
class ProjectStore
{
public:
    static constexpr auto fileSuffix = ".converge.db";
    // 1: design and history. 2: agents, deployments, deployment_hosts. 3: deployments'
    // design_hash, and design_revision counts distinct designs.
    static constexpr int currentStoreVersion = 3;

    // Creates a new store holding `design`; refuses to overwrite an existing file.
    static Result<ProjectStore> create(const QString &path, const Design &design);
    static Result<ProjectStore> open(const QString &path);
    // The store that keeps the fleet and the deployments of a design file: the file itself when
    // it is a store, else NAME.converge.db next to the NAME.converge.json document.
    static QString storePathFor(const QString &designFile);

    ProjectStore(ProjectStore &&) noexcept;
    ProjectStore &operator=(ProjectStore &&) noexcept;
    ~ProjectStore();

    const QString &path() const { return m_path; }
    Result<Design> loadDesign() const;
    // Records an edit the caller has applied to its design (or its inverse, for an undo).
    Result<void> recordEdit(const Edit &edit, const QString &author = {});
    // Replaces the whole design (import), recorded in history as one entry.
    Result<void> replaceDesign(const Design &design, const QString &description);
    Result<std::vector<HistoryEntry>> history() const;

    // Fleet: one agent per design host name.
    Result<void> saveAgent(const deploy::AgentRecord &agent); // inserts or replaces by host
    Result<void> removeAgent(const QString &host);            // NotFound if there is none
    Result<std::vector<deploy::AgentRecord>> agents() const;  // sorted by host name
    Result<std::optional<deploy::AgentRecord>> agent(const QString &host) const;
    // Records a contact with the agent (NotFound if the host has no agent); an empty version
    // keeps the one known.
    Result<void> touchAgent(const QString &host, const QDateTime &lastSeen, const QString &version);

    // History of deployments. beginDeployment stores `record` (its at, author and hosts; an
    // invalid `at` means now) with the design it deploys and returns the new id; the store sets
    // the design's hash and revision (a new number for a design not deployed before, else the
    // number it got then) and ignores record.id, designRevision, designHash, summary and
    // confirmed. Hosts may be added or updated later.
    Result<qint64> beginDeployment(const deploy::DeploymentRecord &record, const Design &snapshot);
    // Inserts or replaces the deployment's row for host.host.
    Result<void> saveDeploymentHost(qint64 id, const deploy::DeploymentHost &host);
    Result<void> finishDeployment(qint64 id, const QString &summary, bool confirmed);
    Result<std::vector<deploy::DeploymentRecord>> deployments() const; // newest first
    Result<std::optional<deploy::DeploymentRecord>> deployment(qint64 id) const;
    Result<Design> deployedDesign(qint64 id) const; // the snapshot beginDeployment stored
    // What the last deployment before `beforeId` (exclusive) left on `host`: its row from the
    // newest such deployment where the host ended confirmed or unchanged (failed, rolled back,
    // cancelled and unfinished rows are skipped). `deployment` says which deployment it was.
    // lastConfirmedFor(h, n + 1) is the state deployment n left h in.
    Result<std::optional<deploy::DeploymentHost>>
    lastConfirmedFor(const QString &host,
                     qint64 beforeId = std::numeric_limits<qint64>::max()) const;

private:
    // The connection, the schema and its migrations (projectstore.cpp).
    explicit ProjectStore(QString path);
    Result<void> exec(const char *sql) const;
    Result<void> migrate();
    Result<int> storedVersion() const; // 0: a new, empty file
    Result<int> readableVersion() const;
    Result<void> upgradeFrom(int version);
    Result<void> inTransaction(const std::function<Result<void>()> &work);
    // A deferred transaction for reads that take several statements: one consistent snapshot.
    Result<void> inReadTransaction(const std::function<Result<void>()> &work) const;
    std::unexpected<Error> sqlError(const QString &what) const;

    // The design and its history (projectstore_design.cpp).
    Result<void> applyOp(const Op &op);
    Result<void> applySet(const Op &op);
    Result<void> writeInfo(const QJsonObject &info);
    Result<void> appendHistory(const QString &description, const QByteArray &edit,
                               const QString &author);

    // The fleet and the deployments (projectstore_fleet.cpp).
    Result<void> insertDeploymentHost(qint64 id, const deploy::DeploymentHost &host);
    Result<std::vector<deploy::DeploymentRecord>> readDeployments(qint64 onlyId) const;
    Result<void> readDeploymentRows(qint64 onlyId,
                                    std::vector<deploy::DeploymentRecord> &out) const;
    Result<void> readDeploymentHosts(qint64 onlyId,
                                     std::vector<deploy::DeploymentRecord> &out) const;

    QString m_path;
    struct Closer
    {
        void operator()(sqlite3 *db) const;
    };
    std::unique_ptr<sqlite3, Closer> m_db;
};

} // namespace converge::core
