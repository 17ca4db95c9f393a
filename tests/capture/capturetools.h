#pragma once
// Helpers of the capture engine's tests: running tshark and other tools, and a sink that keeps
// what the engine handed it.

#include "collectors/capture/captureengine.h"

#include <QProcess>
#include <QString>
#include <QStringList>

#include <mutex>
#include <ostream>
#include <vector>

// GoogleTest prints QStrings (and lists of them) as text.
inline void PrintTo(const QString &s, std::ostream *os)
{
    *os << '"' << s.toStdString() << '"';
}

namespace converge::capturetest {

inline const QString tsharkPath = QStringLiteral("/usr/bin/tshark");

struct ToolRun
{
    int exitCode = -1;
    QString out;
    QString err;
};

// PROGRAM ARGS to completion (at most timeoutMs); exitCode -1 when it could not run or hung.
inline ToolRun runTool(const QString &program, const QStringList &args, int timeoutMs = 60000)
{
    QProcess p;
    p.start(program, args);
    ToolRun r;
    if (!p.waitForStarted() || !p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = program + QStringLiteral(" did not run to completion");
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

// tshark -r FILE ARGS: one list of tab-separated fields per packet line.
inline std::vector<QStringList> tsharkFields(const QString &file, const QStringList &fields,
                                             const QStringList &extra = {},
                                             QString *error = nullptr)
{
    QStringList args = {QStringLiteral("-r"), file};
    args << extra << QStringLiteral("-T") << QStringLiteral("fields");
    for (const QString &f : fields)
        args << QStringLiteral("-e") << f;
    const ToolRun r = runTool(tsharkPath, args);
    if (error)
        *error = r.exitCode == 0 ? QString() : r.err;
    std::vector<QStringList> rows;
    for (const QString &line : r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        rows.push_back(line.split(QLatin1Char('\t')));
    return rows;
}

// Keeps every packet, or refuses every one while `refuse` is set.
class KeepingSink : public collectors::PacketSink
{
public:
    struct Packet
    {
        qint64 timestampNs = 0;
        QByteArray bytes;
        quint32 originalLength = 0;
    };
    bool packet(qint64 timestampNs, std::span<const quint8> bytes, quint32 originalLength) override
    {
        const std::lock_guard lock(m_mutex);
        if (refuse)
            return false;
        m_packets.push_back(
            {timestampNs,
             QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size())),
             originalLength});
        return true;
    }
    bool flush() override
    {
        ++flushes;
        return !stopAtFlush;
    }
    std::vector<Packet> packets() const
    {
        const std::lock_guard lock(m_mutex);
        return m_packets;
    }
    std::atomic<bool> refuse = false;
    std::atomic<bool> stopAtFlush = false;
    std::atomic<int> flushes = 0;

private:
    mutable std::mutex m_mutex;
    std::vector<Packet> m_packets;
};

} // namespace converge::capturetest
