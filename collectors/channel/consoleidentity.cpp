#include "consoleidentity.h"

#include "core/util/consoledirectory.h"

#include <QDir>
#include <QFile>
#include <QSysInfo>

namespace converge::collectors {

core::Result<TlsIdentity> consoleIdentity()
{
    const QString dir = core::consoleDirectory();
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
