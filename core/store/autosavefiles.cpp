#include "autosavefiles.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLockFile>
#include <QRegularExpression>
#include <QSaveFile>
#include <QUuid>

namespace converge::core {

namespace {

constexpr int sidecarFormat = 1;

// "/x/lab-a.converge.json" -> "lab-a"; "smb-basic" -> "smb-basic"; "" -> "untitled".
QString stemOf(const QString &identity)
{
    QString stem = QFileInfo(identity).fileName();
    for (const char *suffix : {".converge.json", ".converge.db", ".json"}) {
        if (stem.endsWith(QLatin1String(suffix))) {
            stem.chop(qsizetype(qstrlen(suffix)));
            break;
        }
    }
    static const QRegularExpression unsafe(QStringLiteral("[^A-Za-z0-9_.-]+"));
    stem.replace(unsafe, QStringLiteral("_"));
    stem = stem.left(40);
    return stem.isEmpty() || stem.startsWith(QLatin1Char('.')) ? QStringLiteral("untitled") : stem;
}

} // namespace

AutosaveFiles::AutosaveFiles(QString base)
    : m_base(std::move(base))
{
}

std::optional<AutosaveFiles> AutosaveFiles::ofStore(const QString &storePath)
{
    if (!storePath.endsWith(QLatin1String(storeSuffix)))
        return std::nullopt;
    QString base = storePath;
    base.chop(qsizetype(qstrlen(storeSuffix)));
    return AutosaveFiles(std::move(base));
}

QString AutosaveFiles::uniqueName(const QString &identity, const QDateTime &started)
{
    return QStringLiteral("%1-%2-%3")
        .arg(stemOf(identity), started.toLocalTime().toString(QStringLiteral("yyyyMMdd-HHmmss")),
             QUuid::createUuid().toString(QUuid::Id128).left(8));
}

QString AutosaveFiles::store() const
{
    return m_base + QLatin1String(storeSuffix);
}

QString AutosaveFiles::sidecar() const
{
    return m_base + QLatin1String(sidecarSuffix);
}

QString AutosaveFiles::lock() const
{
    return m_base + QLatin1String(lockSuffix);
}

std::unique_ptr<QLockFile> AutosaveFiles::lockIfAbandoned() const
{
    auto lockFile = std::make_unique<QLockFile>(lock());
    lockFile->setStaleLockTime(0);
    if (!lockFile->tryLock(0))
        return nullptr;
    return lockFile;
}

void AutosaveFiles::removeStore() const
{
    const QString path = store();
    for (const char *extra : {"", "-wal", "-shm", "-journal"})
        QFile::remove(path + QLatin1String(extra));
}

void AutosaveFiles::removeAll() const
{
    removeStore();
    QFile::remove(sidecar());
}

QJsonObject AutosaveFiles::readSidecar() const
{
    QFile file(sidecar());
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

Result<void> AutosaveFiles::writeSidecar(const QJsonObject &sidecar) const
{
    const QString path = this->sidecar();
    QSaveFile file(path);
    const QByteArray bytes = QJsonDocument(sidecar).toJson(QJsonDocument::Indented);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return fail(Error::Code::Io, QStringLiteral("cannot write %1: %2")
                                         .arg(QDir::toNativeSeparators(path), file.errorString()));
    return {};
}

QJsonObject AutosaveSidecar::toJson(bool endedCleanly) const
{
    return {{QStringLiteral("format"), sidecarFormat},
            {QStringLiteral("originalPath"), originalPath},
            {QStringLiteral("name"), name},
            {QStringLiteral("started"), started.toString(Qt::ISODateWithMs)},
            {QStringLiteral("saved"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
            {QStringLiteral("elements"), elements},
            {QStringLiteral("pid"), QCoreApplication::applicationPid()},
            {QStringLiteral("endedCleanly"), endedCleanly}};
}

} // namespace converge::core
