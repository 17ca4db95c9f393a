#pragma once

#include "core/deploy/deploytypes.h"
#include "core/protocol/agentsession.h"

#include <QDialog>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTimer;

namespace converge::core {
class Design;
}
namespace converge::collectors {
struct EnrollAttempts;
}

namespace converge::views {

// Deploy > Fleet > Enroll…: pairs a linux-ovs design host with its agent. The admin either
// pastes the token `converged --issue-token` printed on the host, or generates one here and
// runs the `converged --enroll-token TOKEN` it shows on the host; a generated token is tried
// every 2 s in the background until the agent answers or the admin cancels.
class EnrollDialog : public QDialog
{
    Q_OBJECT

public:
    static constexpr int retryMs = 2000;
    EnrollDialog(const core::Design &design, std::shared_ptr<core::protocol::AgentConnector> agents,
                 QWidget *parent = nullptr);
    ~EnrollDialog() override;

    QComboBox *hostBox() const { return m_host; }
    QLineEdit *addressEdit() const { return m_address; }
    QLineEdit *tokenEdit() const { return m_token; }
    QLabel *instructions() const { return m_instructions; }
    QString statusText() const;
    bool isEnrolling() const { return bool(m_attempt); }
    core::deploy::AgentRecord record() const { return m_record; }

public Q_SLOTS:
    QString generateToken(); // fills in a fresh token and shows the command for the host
    void enroll();
    void stopEnrolling();

Q_SIGNALS:
    void enrolled(const core::deploy::AgentRecord &agent);

private:
    void hostChanged();
    void showProgress();
    void setStatus(const QString &text, bool error);

    const core::Design &m_design;
    std::shared_ptr<core::protocol::AgentConnector> m_agents;
    QComboBox *m_host;
    QLineEdit *m_address;
    QLineEdit *m_token;
    QLabel *m_instructions;
    QLabel *m_status;
    QPushButton *m_enroll;
    QPushButton *m_stop;
    QTimer *m_poll;
    QString m_generated; // the token Generate made: retried until the agent has it
    std::shared_ptr<collectors::EnrollAttempts> m_attempt; // shared with its worker thread
    core::deploy::AgentRecord m_record;
};

} // namespace converge::views
