#include "autosave.h"

#include "core/store/projectstore.h"
#include "views/session/designsession.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLockFile>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>
#include <QUuid>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace converge::views {

using core::Error;
using core::Result;

namespace {

constexpr auto storeSuffix = ".converge.db";
constexpr auto sidecarSuffix = ".autosave.json";
constexpr auto lockSuffix = ".lock";
constexpr int sidecarFormat = 1;
constexpr int maxRetryDelay = 5 * 60 * 1000; // ms

QString storeOf(const QString &base)
{
    return base + QLatin1String(storeSuffix);
}
QString sidecarOf(const QString &base)
{
    return base + QLatin1String(sidecarSuffix);
}
QString lockOf(const QString &base)
{
    return base + QLatin1String(lockSuffix);
}

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

// A lock on an autosave that nobody is running (a live session's lock is not stale at any age).
std::unique_ptr<QLockFile> lockIfAbandoned(const QString &base)
{
    auto lock = std::make_unique<QLockFile>(lockOf(base));
    lock->setStaleLockTime(0);
    if (!lock->tryLock(0))
        return nullptr;
    return lock;
}

void removeStoreFiles(const QString &base)
{
    const QString store = storeOf(base);
    for (const char *extra : {"", "-wal", "-shm", "-journal"})
        QFile::remove(store + QLatin1String(extra));
}

void removeAutosaveFiles(const QString &base)
{
    removeStoreFiles(base);
    QFile::remove(sidecarOf(base));
}

QJsonObject readSidecar(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

Result<void> writeSidecar(const QString &base, const QJsonObject &sidecar)
{
    const QString path = sidecarOf(base);
    QSaveFile file(path);
    const QByteArray bytes = QJsonDocument(sidecar).toJson(QJsonDocument::Indented);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return core::fail(Error::Code::Io,
                          QStringLiteral("cannot write %1: %2")
                              .arg(QDir::toNativeSeparators(path), file.errorString()));
    return {};
}

} // namespace

// What the sidecar records besides the time of the write.
struct Autosave::Meta
{
    QString originalPath;
    QString name;
    QDateTime started;
    qint64 elements = 0;

    QJsonObject toJson(bool endedCleanly) const
    {
        return {
            {QStringLiteral("format"), sidecarFormat},
            {QStringLiteral("originalPath"), originalPath},
            {QStringLiteral("name"), name},
            {QStringLiteral("started"), started.toString(Qt::ISODateWithMs)},
            {QStringLiteral("saved"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
            {QStringLiteral("elements"), elements},
            {QStringLiteral("pid"), QCoreApplication::applicationPid()},
            {QStringLiteral("endedCleanly"), endedCleanly}};
    }
};

namespace detail {

// One thread that runs jobs in order. Its state (the open store, the lock) is touched by jobs
// only, so only on that thread; the owner reads nothing of it.
class AutosaveWriter
{
public:
    using Job = std::move_only_function<void(AutosaveWriter &)>;

    explicit AutosaveWriter(Autosave *owner)
        : m_owner(owner)
    {
    }
    ~AutosaveWriter() { stop(); }
    AutosaveWriter(const AutosaveWriter &) = delete;
    AutosaveWriter &operator=(const AutosaveWriter &) = delete;

    void post(Job job)
    {
        std::lock_guard guard(m_mutex);
        if (!m_thread.joinable())
            m_thread = std::thread([this] { run(); });
        m_jobs.push_back(std::move(job));
        m_wake.notify_one();
    }

    // Forgets the jobs not started yet.
    void dropPending()
    {
        std::lock_guard guard(m_mutex);
        m_jobs.clear();
        m_idle.notify_all();
    }

    bool waitForIdle(int msecs)
    {
        std::unique_lock guard(m_mutex);
        return m_idle.wait_for(guard, std::chrono::milliseconds(msecs),
                               [this] { return m_jobs.empty() && !m_busy; });
    }

    // Runs what is queued, then ends the thread.
    void stop()
    {
        {
            std::lock_guard guard(m_mutex);
            m_stopping = true;
            m_wake.notify_one();
        }
        if (m_thread.joinable())
            m_thread.join();
    }

    // Runs `function` on the owner's thread (dropped if the owner is gone by then).
    template<typename F> void report(F function)
    {
        QMetaObject::invokeMethod(m_owner, std::move(function), Qt::QueuedConnection);
    }

    Autosave *owner() const { return m_owner; }

    std::optional<core::ProjectStore> store;
    std::unique_ptr<QLockFile> lock;

private:
    void run()
    {
        for (;;) {
            Job job;
            {
                std::unique_lock guard(m_mutex);
                m_wake.wait(guard, [this] { return m_stopping || !m_jobs.empty(); });
                if (m_jobs.empty())
                    break; // stopping, and nothing left
                job = std::move(m_jobs.front());
                m_jobs.pop_front();
                m_busy = true;
            }
            job(*this);
            std::lock_guard guard(m_mutex);
            m_busy = false;
            if (m_jobs.empty())
                m_idle.notify_all();
        }
        // The store closes here, on the thread that used it.
        store.reset();
        lock.reset();
        std::lock_guard guard(m_mutex);
        m_idle.notify_all();
    }

    Autosave *m_owner;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_idle;
    std::deque<Job> m_jobs;
    bool m_busy = false;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace detail

namespace {

using Writer = detail::AutosaveWriter;

// Writer jobs. Each runs on the writer thread.

Result<void> ensureLocked(Writer &w, const QString &base)
{
    if (w.lock)
        return {};
    const QString directory = QFileInfo(base).absolutePath();
    if (!QDir().mkpath(directory))
        return core::fail(Error::Code::Io, QStringLiteral("cannot create the autosave folder %1")
                                               .arg(QDir::toNativeSeparators(directory)));
    auto lock = std::make_unique<QLockFile>(lockOf(base));
    lock->setStaleLockTime(0); // held for the whole session, however long
    if (!lock->tryLock(0))
        return core::fail(
            Error::Code::Io,
            QStringLiteral("cannot lock %1").arg(QDir::toNativeSeparators(lockOf(base))));
    w.lock = std::move(lock);
    return {};
}

struct Snapshot
{
    QJsonObject info;
    std::vector<core::Element> elements;
};

Result<void> writeWhole(Writer &w, const QString &base, Snapshot snapshot)
{
    if (auto ok = ensureLocked(w, base); !ok)
        return ok;
    core::Design design;
    design.setInfo(std::move(snapshot.info));
    for (core::Element &e : snapshot.elements)
        design.insert(std::move(e));
    if (w.store)
        return w.store->replaceDesign(design, QStringLiteral("Autosave"));
    removeStoreFiles(base); // a leftover of a failed write
    auto created = core::ProjectStore::create(storeOf(base), design);
    if (!created)
        return std::unexpected(created.error());
    w.store.emplace(std::move(*created));
    return {};
}

Result<void> writeChanges(Writer &w, const core::Edit &edit)
{
    if (!w.store)
        return core::fail(Error::Code::Store, QStringLiteral("the autosave store is not open"));
    if (edit.isEmpty())
        return {};
    return w.store->recordEdit(edit, QStringLiteral("autosave"));
}

// Closes the store and removes the autosave; the sidecar goes last, after saying the session
// ended cleanly, so a crash half way leaves nothing that is offered for recovery.
void removeAutosave(Writer &w, const QString &base, QJsonObject sidecar)
{
    w.store.reset();
    if (QFileInfo::exists(sidecarOf(base))) {
        sidecar.insert(QStringLiteral("endedCleanly"), true);
        (void)writeSidecar(base, sidecar);
    }
    removeAutosaveFiles(base);
}

} // namespace

Autosave::Autosave(DesignSession *session, const QString &originalPath, QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_originalPath(originalPath)
    , m_directory(defaultDirectory())
    , m_started(QDateTime::currentDateTimeUtc())
{
    m_baseName = QStringLiteral("%1-%2-%3")
                     .arg(stemOf(originalPath),
                          m_started.toLocalTime().toString(QStringLiteral("yyyyMMdd-HHmmss")),
                          QUuid::createUuid().toString(QUuid::Id128).left(8));
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &Autosave::flush);
    if (m_session)
        m_listener = m_session->design().addListener(
            [this](const std::vector<core::Change> &changes) { onChanges(changes); });
}

Autosave::~Autosave()
{
    m_timer.stop();
    detach();
    if (!m_abandoned)
        postRemoval();
    if (m_writer)
        m_writer->stop(); // after the jobs left; then releases the lock
}

void Autosave::postRemoval()
{
    if (!m_writer)
        return; // nothing was ever written
    // Queued writes (or an earlier removal) are dropped: this removal replaces them.
    m_writer->dropPending();
    m_writer->post([base = m_base, sidecar = meta().toJson(false)](Writer &w) mutable {
        removeAutosave(w, base, std::move(sidecar));
    });
}

QString Autosave::defaultDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/autosave");
}

void Autosave::setDirectory(const QString &directory)
{
    m_directory = directory;
}

void Autosave::setInterval(int msecs)
{
    m_interval = std::max(0, msecs);
}

void Autosave::setOriginalPath(const QString &path)
{
    if (path == m_originalPath)
        return;
    m_originalPath = path;
    if (m_written) { // the sidecar says where the design belongs
        m_pending = true;
        schedule(m_interval);
    }
}

QString Autosave::storePath() const
{
    return storeOf(m_base.isEmpty() ? QDir(m_directory).filePath(m_baseName) : m_base);
}

void Autosave::detach()
{
    if (m_session && m_listener)
        m_session->design().removeListener(m_listener);
    m_listener = 0;
}

Autosave::Meta Autosave::meta() const
{
    Meta m{m_originalPath, {}, m_started, 0};
    if (m_session) {
        m.name = m_session->design().info().value(QLatin1String("name")).toString();
        m.elements = qint64(m_session->design().size());
    }
    return m;
}

void Autosave::onChanges(const std::vector<core::Change> &changes)
{
    if (m_abandoned)
        return;
    if (!m_needFull) { // a whole-design write takes everything anyway
        for (const core::Change &c : changes) {
            if (c.id.isEmpty())
                m_infoDirty = true;
            else
                m_dirty.insert(c.id);
        }
    }
    m_pending = true;
    schedule(m_interval);
}

void Autosave::schedule(int msecs)
{
    if (!m_timer.isActive())
        m_timer.start(msecs);
}

void Autosave::flush()
{
    m_timer.stop();
    if (!m_pending || !m_session || m_abandoned)
        return;
    const core::Design &design = m_session->design();
    if (m_base.isEmpty())
        m_base = QDir(m_directory).filePath(m_baseName);
    if (!m_writer)
        m_writer = std::make_unique<Writer>(this);

    const QJsonObject sidecar = meta().toJson(false);
    const int generation = m_generation;
    auto finish = [generation, base = m_base, sidecar](Writer &w, Result<void> ok) {
        if (ok)
            ok = writeSidecar(base, sidecar);
        Autosave *owner = w.owner();
        if (ok)
            w.report([owner, generation] {
                if (generation == owner->m_generation) {
                    owner->m_failures = 0;
                    Q_EMIT owner->saved();
                }
            });
        else
            w.report([owner, generation, message = ok.error().message] {
                if (generation == owner->m_generation)
                    owner->writeFailed(message);
            });
    };

    if (m_needFull) {
        // The elements' strings and properties are shared, not copied: about 25 ms for the
        // 80,000 elements of a 1,000-host design, once. The writer builds the design and stores
        // it (about a second for that design).
        Snapshot snapshot{design.info(), {}};
        snapshot.elements.reserve(design.size());
        for (const core::Element *e : design.allElements())
            snapshot.elements.push_back(*e);
        m_writer->post([base = m_base, snapshot = std::move(snapshot), finish](Writer &w) mutable {
            finish(w, writeWhole(w, base, std::move(snapshot)));
        });
    } else {
        // The store row of each changed element is replaced by its current state: all removes
        // first, then the adds in creation order (the store's seq column is unique).
        core::Edit edit{QStringLiteral("Autosave"), {}};
        std::vector<const core::Element *> present;
        for (const QString &id : std::as_const(m_dirty)) {
            core::Op remove;
            remove.type = core::Op::Type::Remove;
            remove.element.id = id;
            edit.ops.push_back(std::move(remove));
            if (const core::Element *e = design.find(id))
                present.push_back(e);
        }
        std::ranges::sort(present, {}, &core::Element::seq);
        for (const core::Element *e : present) {
            core::Op add;
            add.type = core::Op::Type::Add;
            add.element = *e;
            edit.ops.push_back(std::move(add));
        }
        if (m_infoDirty) {
            QStringList keys = m_writtenInfo.keys() + design.info().keys();
            keys.removeDuplicates();
            for (const QString &key : std::as_const(keys)) {
                core::Op set;
                set.key = key;
                set.before = m_writtenInfo.value(key);
                set.after = design.info().value(key); // Undefined when gone
                if (set.before != set.after)
                    edit.ops.push_back(std::move(set));
            }
        }
        m_writer->post([edit = std::move(edit), finish](Writer &w) mutable {
            finish(w, writeChanges(w, edit));
        });
    }
    m_writtenInfo = design.info();
    m_needFull = false;
    m_dirty.clear();
    m_infoDirty = false;
    m_pending = false;
    m_written = true;
}

void Autosave::writeFailed(const QString &message)
{
    // The store may now miss changes: the next write stores the whole design. Retry without
    // waiting for another change, backing off while it keeps failing (a full disk).
    m_needFull = true;
    m_dirty.clear();
    m_infoDirty = false;
    m_pending = true;
    ++m_failures;
    schedule(int(std::min<qint64>(qint64(std::max(m_interval, 1000)) << std::min(m_failures, 10),
                                  maxRetryDelay)));
    Q_EMIT failed(message);
}

bool Autosave::waitForIdle(int msecs)
{
    return !m_writer || m_writer->waitForIdle(msecs);
}

void Autosave::writeAllNow()
{
    if (m_abandoned)
        return;
    m_needFull = true;
    m_dirty.clear();
    m_infoDirty = false;
    m_pending = true;
    flush();
}

void Autosave::markClean()
{
    if (m_abandoned)
        return;
    m_timer.stop();
    ++m_generation; // results of earlier writes no longer matter
    m_dirty.clear();
    m_infoDirty = false;
    m_pending = false;
    m_needFull = true;
    m_failures = 0;
    postRemoval();
    m_written = false;
}

void Autosave::abandon()
{
    flush();
    m_abandoned = true;
    m_timer.stop();
    detach();
    // As a crash would: the writer finishes what it has and lets go of the lock, so the
    // autosave is offered at the next start (a dead process's lock is no lock).
    if (m_writer)
        m_writer->stop();
}

QList<Autosave::Recoverable> Autosave::recoverable(const QString &directory)
{
    const QDir dir(directory.isEmpty() ? defaultDirectory() : directory);
    QList<Recoverable> out;
    const QString pattern = QStringLiteral("*") + QLatin1String(sidecarSuffix);
    for (const QFileInfo &info : dir.entryInfoList({pattern}, QDir::Files, QDir::Name)) {
        QString base = info.absoluteFilePath();
        base.chop(qsizetype(qstrlen(sidecarSuffix)));
        const auto lock = lockIfAbandoned(base);
        if (!lock)
            continue; // a running session's
        const QJsonObject sidecar = readSidecar(info.absoluteFilePath());
        if (sidecar.value(QLatin1String("endedCleanly")).toBool() ||
            !QFileInfo::exists(storeOf(base))) {
            removeAutosaveFiles(base); // the rest of a clean end, or nothing left to restore
            continue;
        }
        Recoverable r;
        r.storePath = storeOf(base);
        r.sidecarPath = info.absoluteFilePath();
        r.originalPath = sidecar.value(QLatin1String("originalPath")).toString();
        r.name = sidecar.value(QLatin1String("name")).toString();
        r.savedAt = QDateTime::fromString(sidecar.value(QLatin1String("saved")).toString(),
                                          Qt::ISODateWithMs);
        if (!r.savedAt.isValid())
            r.savedAt = QFileInfo(r.storePath).lastModified().toUTC();
        r.elementCount = sidecar.value(QLatin1String("elements")).toInteger();
        out << r;
    }
    // Locks of sessions that crashed before their first write.
    const QString lockPattern = QStringLiteral("*") + QLatin1String(lockSuffix);
    for (const QFileInfo &info : dir.entryInfoList({lockPattern}, QDir::Files)) {
        QString base = info.absoluteFilePath();
        base.chop(qsizetype(qstrlen(lockSuffix)));
        if (!QFileInfo::exists(sidecarOf(base)))
            (void)lockIfAbandoned(base); // takes a stale lock and releases it: the file goes
    }
    std::ranges::stable_sort(out, std::greater<>(), &Recoverable::savedAt);
    return out;
}

Result<std::unique_ptr<core::Design>> Autosave::restore(const Recoverable &autosave)
{
    const QString path = autosave.storePath;
    if (!path.endsWith(QLatin1String(storeSuffix)) || !QFileInfo::exists(path))
        return core::fail(
            Error::Code::NotFound,
            QStringLiteral("%1: the autosave is gone").arg(QDir::toNativeSeparators(path)));
    QString base = path;
    base.chop(qsizetype(qstrlen(storeSuffix)));
    const auto lock = lockIfAbandoned(base);
    if (!lock)
        return core::fail(Error::Code::Conflict,
                          QStringLiteral("%1: a running Converge is still using this autosave")
                              .arg(QDir::toNativeSeparators(path)));
    auto store = core::ProjectStore::open(path);
    if (!store)
        return std::unexpected(store.error());
    auto design = store->loadDesign();
    if (!design)
        return std::unexpected(design.error());
    if (design->size() == 0 && autosave.elementCount > 0)
        return core::fail(Error::Code::Store,
                          QStringLiteral("%1: holds no design although %2 elements were saved; "
                                         "the autosave is damaged")
                              .arg(QDir::toNativeSeparators(path))
                              .arg(autosave.elementCount));
    return std::make_unique<core::Design>(std::move(*design));
}

void Autosave::discard(const Recoverable &autosave)
{
    QString base = autosave.storePath;
    if (!base.endsWith(QLatin1String(storeSuffix)))
        return;
    base.chop(qsizetype(qstrlen(storeSuffix)));
    if (const auto lock = lockIfAbandoned(base))
        removeAutosaveFiles(base);
}

} // namespace converge::views
