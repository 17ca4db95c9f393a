#include "consoleidentity.h"

#include <QDir>
#include <QStandardPaths>
#include <QSysInfo>

namespace converge::collectors {

QString consoleDirectory()
{
    const QString fromEnv = qEnvironmentVariable("CONVERGE_CONSOLE_DIR");
    if (!fromEnv.isEmpty())
        return fromEnv;
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation))
        .filePath(QStringLiteral("converge"));
}

core::Result<TlsIdentity> consoleIdentity()
{
    const QString dir = consoleDirectory();
    if (!QDir().mkpath(dir))
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("cannot create the console directory %1").arg(dir));
    QFile::setPermissions(dir,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    const QString user = qEnvironmentVariable("USER", QStringLiteral("console"));
    return loadOrCreateIdentity(
        dir, QStringLiteral("console"),
        QStringLiteral("Converge console %1@%2").arg(user, QSysInfo::machineHostName()));
}

} // namespace converge::collectors
