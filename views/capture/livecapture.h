#pragma once

#include "core/protocol/agentsession.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <atomic>
#include <memory>

class QThread;

namespace converge::views::capture {

class CaptureWindow;

// A live capture shown in a capture window (issue 16, "Capture This vNIC"): a thread of its own
// opens a session to the agent and runs the console's live capture into a temporary pcapng file,
// which the window follows as Wireshark follows dumpcap's; the agent's counters go to the
// window's status bar as they come. Closing the window stops the capture (the agent removes
// its temporary mirror) and deletes the file unless it was saved elsewhere; the capture ending
// on the agent's side (an error, the interface gone) leaves the window with what it got and says
// why. The GUI thread never waits on the network.
class LiveCapture : public QObject
{
    Q_OBJECT

public:
    // Starts at once; the window (deleted on close) is `window()`. TITLE names what is captured.
    static LiveCapture *start(std::shared_ptr<core::protocol::AgentConnector> agents,
                              const core::protocol::AgentEndpoint &agent,
                              const core::protocol::CaptureStartRequest &request,
                              const QString &title, QWidget *parent, QString *error = nullptr);
    ~LiveCapture() override; // stops the capture and waits for its thread

    CaptureWindow *window() const { return m_window; }
    QString file() const { return m_file; }
    bool isRunning() const;
    void stop(); // asks the capture to stop; finished() follows
    QString endReason() const { return m_end; }

Q_SIGNALS:
    void finished(const QString &why); // "stopped", or what ended it

private:
    LiveCapture(QObject *parent);
    void progressed(qint64 received, qint64 kernelDropped, qint64 agentDropped);
    void ended(const QString &why);

    QPointer<CaptureWindow> m_window;
    QString m_file;
    QThread *m_thread = nullptr;
    std::shared_ptr<std::atomic_bool> m_stop = std::make_shared<std::atomic_bool>(false);
    QString m_end;
};

} // namespace converge::views::capture
