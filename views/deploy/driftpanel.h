#pragma once

#include "core/deploy/drift.h"
#include "core/protocol/agentsession.h"

#include <QPointer>
#include <QWidget>

#include <map>
#include <memory>
#include <optional>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace converge::views {

class DesignSession;

// Deploy > Check Drift: reads the running state of every enrolled linux-ovs host in the
// background and lists, per host, where it differs from the design. Each difference is also a
// session finding (rule "DRIFT", warning) on the element it names, so the diagram badges it and
// the validation panel lists it (with the running value as a quick fix when the design can
// take it); a new check clears them first. Per host: Re-apply Design (a DeployDialog for that
// host) or Take Running Values (one undo step).
class DriftPanel : public QWidget
{
    Q_OBJECT

public:
    static constexpr char findingSource[] = "drift";
    static constexpr char ruleId[] = "DRIFT";

    explicit DriftPanel(QWidget *parent = nullptr);
    ~DriftPanel() override;

    // How the panel reaches the agents (the TLS channel in the app, a fake in tests).
    void setAgentConnector(std::shared_ptr<core::protocol::AgentConnector> agents);
    void setSession(DesignSession *session, const QString &designFile = {});
    void setDesignFile(const QString &designFile) { m_file = designFile; }
    QTreeWidget *driftList() const { return m_list; }
    QString summary() const;
    bool isChecking() const { return m_pending > 0; }
    std::vector<core::deploy::DriftItem> itemsOf(const QString &host) const;
    QPushButton *reapplyButton() const { return m_reapply; }
    QPushButton *adoptButton() const { return m_adopt; }

public Q_SLOTS:
    void check();
    bool takeRunningValues(const QString &host); // adoptRunningValues, one undo step

Q_SIGNALS:
    void checkFinished();
    void reapplyRequested(const QString &host);

private:
    struct HostDrift
    {
        QString host;
        QString hostId;
        QString error; // unreachable, or an unreadable state
        std::optional<core::realize::HostState> running;
        std::vector<core::deploy::DriftItem> items;
    };
    void received(HostDrift drift);
    void recompute(HostDrift &drift); // against the design as it is now
    void designChanged();
    void rebuild();
    void publishFindings();
    QString selectedHost() const;
    void selectionChanged();
    void setStatus(const QString &text, bool error);

    QPointer<DesignSession> m_session;
    QString m_file;
    std::shared_ptr<core::protocol::AgentConnector> m_agents;
    std::map<QString, HostDrift> m_hosts;
    int m_generation = 0; // results of an earlier check are dropped
    int m_pending = 0;
    QTreeWidget *m_list;
    QLabel *m_status;
    QPushButton *m_checkAgain;
    QPushButton *m_reapply;
    QPushButton *m_adopt;
};

} // namespace converge::views
