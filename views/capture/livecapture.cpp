#include "livecapture.h"

#include "collectors/console/capturesession.h"
#include "views/capture/capturewindow.h"

#include <QDir>
#include <QFile>
#include <QStatusBar>
#include <QTemporaryFile>
#include <QThread>

namespace converge::views::capture {

namespace protocol = core::protocol;

LiveCapture::LiveCapture(QObject *parent)
    : QObject(parent)
{
}

LiveCapture *LiveCapture::start(std::shared_ptr<protocol::AgentConnector> agents,
                                const protocol::AgentEndpoint &agent,
                                const protocol::CaptureStartRequest &request, const QString &title,
                                QWidget *parent, QString *error)
{
    QTemporaryFile temp(QDir::temp().filePath(QStringLiteral("converge-capture-XXXXXX.pcapng")));
    temp.setAutoRemove(false);
    if (!temp.open()) {
        if (error)
            *error = tr("cannot create a capture file in %1: %2")
                         .arg(QDir::tempPath(), temp.errorString());
        return nullptr;
    }
    const QString path = temp.fileName();
    temp.close();
    CaptureWindow *window = CaptureWindow::openFile(path, true, parent, error);
    if (!window) {
        QFile::remove(path);
        return nullptr;
    }
    auto *live = new LiveCapture(parent);
    live->m_file = path;
    live->m_window = window;
    window->setWindowTitle(tr("Capturing %1").arg(title));
    connect(window, &QObject::destroyed, live, [live] {
        live->stop();
        if (!live->isRunning()) {
            QFile::remove(live->m_file);
            live->deleteLater();
        }
    });
    // The thread only reads what it was given; `live` outlives it (the destructor waits).
    live->m_thread = QThread::create([live, agents, agent, request, path, stop = live->m_stop] {
        QString why;
        auto session = agents->open(agent, {});
        QFile out(path);
        if (!session)
            why = session.error().message;
        else if (!out.open(QIODevice::WriteOnly | QIODevice::Append))
            why = tr("cannot write %1: %2").arg(path, out.errorString());
        else {
            auto done = collectors::runLiveCapture(
                **session, request, out, *stop, {},
                [live](const collectors::LiveCaptureProgress &p) {
                    QMetaObject::invokeMethod(live, [live, s = p.stats] {
                        live->progressed(s.received, s.kernelDropped, s.agentDropped);
                    });
                });
            why = done ? done->end : done.error().message;
        }
        QMetaObject::invokeMethod(live, [live, why] { live->ended(why); });
    });
    live->m_thread->setObjectName(QStringLiteral("converge-live-capture"));
    live->m_thread->start();
    return live;
}

LiveCapture::~LiveCapture()
{
    stop();
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
    // Gone with its parent, ended() never comes: the file goes now, or with a window that
    // outlives this.
    if (!m_window)
        QFile::remove(m_file);
    else
        connect(m_window, &QObject::destroyed, [file = m_file] { QFile::remove(file); });
}

bool LiveCapture::isRunning() const
{
    return m_thread && m_end.isEmpty();
}

void LiveCapture::stop()
{
    m_stop->store(true);
}

void LiveCapture::progressed(qint64 received, qint64 kernelDropped, qint64 agentDropped)
{
    if (m_window)
        m_window->setLiveCounters(quint64(received), quint64(kernelDropped), quint64(agentDropped));
}

void LiveCapture::ended(const QString &why)
{
    m_end = why.isEmpty() ? QStringLiteral("stopped") : why;
    if (!m_window) { // closed: nothing shows the file any more
        QFile::remove(m_file);
        deleteLater();
    } else {
        m_window->stopFollowing();
        const QString title = m_window->windowTitle();
        m_window->setWindowTitle(
            title.startsWith(tr("Capturing ")) ? title.mid(tr("Capturing ").size()) : title);
        if (m_end != QLatin1String("stopped"))
            m_window->statusBar()->showMessage(tr("The capture ended: %1").arg(m_end));
    }
    Q_EMIT finished(m_end);
}

} // namespace converge::views::capture
