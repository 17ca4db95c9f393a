#include "autosaverecovery.h"

#include "autosavefiles.h"
#include "projectstore.h"

#include <QDir>
#include <QFileInfo>
#include <QLockFile>

#include <algorithm>
#include <functional>

namespace converge::core::autosaverecovery {

namespace {

RecoverableAutosave fromSidecar(const AutosaveFiles &files, const QJsonObject &sidecar)
{
    RecoverableAutosave r;
    r.storePath = files.store();
    r.sidecarPath = files.sidecar();
    r.originalPath = sidecar.value(QLatin1String("originalPath")).toString();
    r.name = sidecar.value(QLatin1String("name")).toString();
    r.savedAt =
        QDateTime::fromString(sidecar.value(QLatin1String("saved")).toString(), Qt::ISODateWithMs);
    if (!r.savedAt.isValid())
        r.savedAt = QFileInfo(r.storePath).lastModified().toUTC();
    r.elementCount = sidecar.value(QLatin1String("elements")).toInteger();
    return r;
}

// The base path of a file named BASE + suffix.
AutosaveFiles filesOf(const QFileInfo &info, const char *suffix)
{
    QString base = info.absoluteFilePath();
    base.chop(qsizetype(qstrlen(suffix)));
    return AutosaveFiles(std::move(base));
}

// Locks of sessions that crashed before their first write.
void removeStaleLocks(const QDir &dir)
{
    const QString pattern = QStringLiteral("*") + QLatin1String(AutosaveFiles::lockSuffix);
    for (const QFileInfo &info : dir.entryInfoList({pattern}, QDir::Files)) {
        const AutosaveFiles files = filesOf(info, AutosaveFiles::lockSuffix);
        if (!QFileInfo::exists(files.sidecar()))
            (void)files.lockIfAbandoned(); // takes a stale lock and releases it: the file goes
    }
}

} // namespace

QList<RecoverableAutosave> find(const QString &directory)
{
    const QDir dir(directory);
    QList<RecoverableAutosave> out;
    const QString pattern = QStringLiteral("*") + QLatin1String(AutosaveFiles::sidecarSuffix);
    for (const QFileInfo &info : dir.entryInfoList({pattern}, QDir::Files, QDir::Name)) {
        const AutosaveFiles files = filesOf(info, AutosaveFiles::sidecarSuffix);
        const auto lock = files.lockIfAbandoned();
        if (!lock)
            continue; // a running session's
        const QJsonObject sidecar = files.readSidecar();
        if (sidecar.value(QLatin1String("endedCleanly")).toBool() ||
            !QFileInfo::exists(files.store())) {
            files.removeAll(); // the rest of a clean end, or nothing left to restore
            continue;
        }
        out << fromSidecar(files, sidecar);
    }
    removeStaleLocks(dir);
    std::ranges::stable_sort(out, std::greater<>(), &RecoverableAutosave::savedAt);
    return out;
}

Result<std::unique_ptr<Design>> restore(const RecoverableAutosave &autosave)
{
    const QString path = autosave.storePath;
    const auto files = AutosaveFiles::ofStore(path);
    if (!files || !QFileInfo::exists(path))
        return fail(Error::Code::NotFound,
                    QStringLiteral("%1: the autosave is gone").arg(QDir::toNativeSeparators(path)));
    const auto lock = files->lockIfAbandoned();
    if (!lock)
        return fail(Error::Code::Conflict,
                    QStringLiteral("%1: a running Converge is still using this autosave")
                        .arg(QDir::toNativeSeparators(path)));
    auto store = ProjectStore::open(path);
    if (!store)
        return std::unexpected(store.error());
    auto design = store->loadDesign();
    if (!design)
        return std::unexpected(design.error());
    if (design->size() == 0 && autosave.elementCount > 0)
        return fail(Error::Code::Store,
                    QStringLiteral("%1: holds no design although %2 elements were saved; "
                                   "the autosave is damaged")
                        .arg(QDir::toNativeSeparators(path))
                        .arg(autosave.elementCount));
    return std::make_unique<Design>(std::move(*design));
}

void discard(const RecoverableAutosave &autosave)
{
    const auto files = AutosaveFiles::ofStore(autosave.storePath);
    if (!files)
        return;
    if (const auto lock = files->lockIfAbandoned())
        files->removeAll();
}

} // namespace converge::core::autosaverecovery
