#include "atomicfile.h"

#include <QSaveFile>

namespace converge::core {

Result<void> writeFileAtomically(const QString &path, const QByteArray &bytes, bool secret)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(Error::Code::Io,
                    QStringLiteral("%1: cannot write (%2)").arg(path, file.errorString()));
    // Restrict the temporary file before the secret is in it; the rename keeps the mode.
    if (secret && !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return fail(Error::Code::Io, QStringLiteral("%1: cannot restrict to mode 0600").arg(path));
    if (file.write(bytes) != bytes.size() || !file.commit())
        return fail(Error::Code::Io,
                    QStringLiteral("%1: cannot write (%2)").arg(path, file.errorString()));
    return {};
}

} // namespace converge::core
