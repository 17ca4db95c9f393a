#pragma once

// convergectl run by the bundle tests, with its console directory (keys) in CONSOLEDIR.
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace converge::testing {

struct CliRun
{
    int code = -1;
    QString out;
    QString err;
};

inline CliRun convergectl(const QStringList &args, const QString &consoleDir)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("CONVERGE_CONSOLE_DIR"), consoleDir);
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(CONVERGE_BINARY_DIR "/app/convergectl"), args);
    p.waitForFinished(30000);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

} // namespace converge::testing
