#pragma once

#include "core/deploy/deploytypes.h"
#include "core/protocol/agentsession.h"
#include "core/store/projectstore.h"

#include <QDialog>
#include <QHash>
#include <QPointer>

#include <memory>
#include <optional>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace converge::views {

class DesignSession;

// Deploy > Fleet…: the agents enrolled for the design's hosts (host, address, certificate
// fingerprint, enrolled, last seen, version), kept in the design's project store. Enroll…
// pairs a host with its agent (EnrollDialog), Remove forgets one, Check says hello to the
// selected agents (all when none is selected) in the background and records what they answer.
class FleetDialog : public QDialog
{
    Q_OBJECT

public:
    enum Column {
        HostColumn,
        AddressColumn,
        FingerprintColumn,
        EnrolledColumn,
        LastSeenColumn,
        VersionColumn,
        CheckColumn,
        ColumnCount
    };

    FleetDialog(DesignSession *session, const QString &designFile,
                std::shared_ptr<core::protocol::AgentConnector> agents, QWidget *parent = nullptr);

    QTreeWidget *agentList() const { return m_agents; }
    QString statusText() const;
    bool saveAgent(const core::deploy::AgentRecord &agent); // creates the store when needed
    bool removeAgent(const QString &host);
    void check(const QStringList &hosts); // empty: every agent
    int pendingChecks() const { return m_pendingChecks; }

public Q_SLOTS:
    void reload();
    void openEnrollDialog();

Q_SIGNALS:
    void fleetChanged();
    void checksFinished();

private:
    void removeSelected();
    void checkSelected();
    void setStatus(const QString &text, bool error);
    QStringList selectedHosts() const;
    std::optional<core::ProjectStore> &store(bool create);

    QPointer<DesignSession> m_session;
    QString m_file;
    std::shared_ptr<core::protocol::AgentConnector> m_connector;
    std::optional<core::ProjectStore> m_store;
    QTreeWidget *m_agents;
    QLabel *m_status;
    QPushButton *m_remove;
    QPushButton *m_check;
    int m_pendingChecks = 0;
    QHash<QString, QString> m_checks; // host -> the last check's outcome
};

} // namespace converge::views
