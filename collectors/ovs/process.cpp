#include "process.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>

#include <algorithm>

namespace converge::collectors::ovs {

namespace {

using core::Error;
using core::fail;

QString quoted(const QString &arg)
{
    if (!arg.isEmpty() && std::ranges::none_of(arg, [](QChar c) {
            return c.isSpace() || c == u'\'' || c == u'"' || c == u'\\' || c == u'$';
        }))
        return arg;
    QString q = arg;
    q.replace(u'\'', QStringLiteral("'\\''"));
    return u'\'' + q + u'\'';
}

QString trimmedText(const QByteArray &bytes, int limit = 2000)
{
    QString text = QString::fromUtf8(bytes).trimmed();
    if (text.size() > limit)
        text = text.left(limit) + QStringLiteral("...");
    return text;
}

} // namespace

QString describeCommand(const QString &program, const QStringList &args)
{
    QStringList parts{quoted(program)};
    for (const QString &a : args)
        parts << quoted(a);
    return parts.join(u' ');
}

Result<ProcessResult> runArgv(const QString &program, const QStringList &args,
                              const QByteArray &stdinData, int timeoutMs,
                              const QProcessEnvironment &env)
{
    QProcess process;
    process.setProcessEnvironment(env);
    process.setProcessChannelMode(QProcess::SeparateChannels);
    if (stdinData.isEmpty())
        process.setStandardInputFile(QProcess::nullDevice());
    QElapsedTimer timer;
    timer.start();
    process.start(program, args, stdinData.isEmpty() ? QIODevice::ReadOnly : QIODevice::ReadWrite);
    if (!process.waitForStarted(timeoutMs))
        return fail(Error::Code::Io,
                    QStringLiteral("%1: cannot start: %2")
                        .arg(describeCommand(program, args), process.errorString()));
    if (!stdinData.isEmpty()) {
        process.write(stdinData);
        process.closeWriteChannel();
    }
    const int left = int(std::max<qint64>(1, timeoutMs - timer.elapsed()));
    if (!process.waitForFinished(left) && process.state() != QProcess::NotRunning) {
        process.kill();
        process.waitForFinished(5000);
        return fail(Error::Code::Io,
                    QStringLiteral("%1: timed out after %2 ms (killed); stderr: %3")
                        .arg(describeCommand(program, args))
                        .arg(timeoutMs)
                        .arg(trimmedText(process.readAllStandardError())));
    }
    if (process.exitStatus() == QProcess::CrashExit)
        return fail(Error::Code::Io, QStringLiteral("%1: crashed (%2); stderr: %3")
                                         .arg(describeCommand(program, args), process.errorString(),
                                              trimmedText(process.readAllStandardError())));
    return ProcessResult{process.exitCode(), process.readAllStandardOutput(),
                         process.readAllStandardError()};
}

Result<QByteArray> runChecked(const QString &program, const QStringList &args,
                              const QByteArray &stdinData, int timeoutMs,
                              const QProcessEnvironment &env)
{
    auto r = runArgv(program, args, stdinData, timeoutMs, env);
    if (!r)
        return std::unexpected(r.error());
    if (r->exitCode != 0) {
        const QString err = trimmedText(r->err);
        return fail(Error::Code::Io,
                    QStringLiteral("%1: exit code %2%3")
                        .arg(describeCommand(program, args))
                        .arg(r->exitCode)
                        .arg(err.isEmpty() ? QString() : QStringLiteral(": ") + err));
    }
    return std::move(r->out);
}

QString findTool(const QString &name)
{
    if (name.contains(u'/'))
        return name;
    QStringList dirs = QString::fromLocal8Bit(qgetenv("PATH")).split(u':', Qt::SkipEmptyParts);
    for (const char *extra :
         {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"})
        if (!dirs.contains(QLatin1String(extra)))
            dirs << QLatin1String(extra);
    for (const QString &dir : dirs) {
        const QFileInfo fi(QDir(dir).filePath(name));
        if (fi.isFile() && fi.isExecutable())
            return fi.filePath();
    }
    return name;
}

QStringList vsctlArgs(const OvsEnv &env)
{
    if (env.dbSocket.isEmpty())
        return {};
    return {QStringLiteral("--db=unix:") + env.dbSocket};
}

QProcessEnvironment processEnv(const OvsEnv &env)
{
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    if (!env.runDir.isEmpty())
        e.insert(QStringLiteral("OVS_RUNDIR"), env.runDir);
    return e;
}

} // namespace converge::collectors::ovs
