#include "consoledirectory.h"

#include <QDir>
#include <QStandardPaths>

namespace converge::core {

QString consoleDirectory()
{
    const QString fromEnv = qEnvironmentVariable("CONVERGE_CONSOLE_DIR");
    if (!fromEnv.isEmpty())
        return fromEnv;
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation))
        .filePath(QStringLiteral("converge"));
}

} // namespace converge::core
