#include "collectors/capture/captureengine.h"

#include "collectors/logging.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QRegularExpression>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <mutex>

namespace converge::collectors {

namespace {

// Written out when it grows past this, and at each flush(): the ring's memory stays bounded
// whatever the rate.
constexpr qsizetype bufferLimit = qsizetype(1024) * 1024;
constexpr qint64 minFileBytes = qint64(64) * 1024;
constexpr qint64 maxFileBytes = qint64(4) * 1024 * 1024 * 1024;

core::Result<void> checkOptions(const RingOptions &o, const QByteArray &header)
{
    static const QRegularExpression base(QStringLiteral("\\A[A-Za-z0-9._-]{1,64}\\z"));
    if (!QFileInfo(o.directory).isDir())
        return core::invalid(
            QStringLiteral("ring.directory: \"%1\" is not a directory").arg(o.directory));
    if (!base.match(o.baseName).hasMatch() || o.baseName.startsWith(QLatin1Char('.')))
        return core::invalid(QStringLiteral("ring.baseName: \"%1\" must be 1-64 letters, digits, "
                                            "'.', '_', '-', not starting with '.'")
                                 .arg(o.baseName));
    if (o.fileBytes < minFileBytes || o.fileBytes > maxFileBytes)
        return core::invalid(
            QStringLiteral("ring.fileBytes: %1 is not in 64 KiB-4 GiB").arg(o.fileBytes));
    if (o.files < 1 || o.files > 10000)
        return core::invalid(QStringLiteral("ring.files: %1 is not in 1-10000").arg(o.files));
    if (o.fileSeconds < 0 || o.durationSeconds < 0)
        return core::invalid(QStringLiteral("ring.%1: must not be negative")
                                 .arg(o.fileSeconds < 0 ? QStringLiteral("fileSeconds")
                                                        : QStringLiteral("durationSeconds")));
    if (header.isEmpty() || qint64(header.size()) >= o.fileBytes)
        return core::invalid(QStringLiteral("ring: the header blocks must fit in a file"));
    return {};
}

QString errnoText()
{
    return QString::fromLocal8Bit(strerror(errno));
}

} // namespace

struct RingWriter::Private
{
    RingOptions options;
    QByteArray header;
    QByteArray buffer;
    int fd = -1;
    int number = 0;          // of the current file
    qint64 fileSize = 0;     // written to the current file
    qint64 filePackets = 0;  // in the current file, buffered or written
    QElapsedTimer fileClock; // since the current file was opened
    QElapsedTimer captureClock;
    bool failed = false;
    mutable std::mutex mutex; // guards kept and error: files() and error() come from any thread
    std::deque<QString> kept;
    QString error;

    QString path(int n) const;
    bool openNext();
    bool writeOut();
    bool closeCurrent(bool sync);
    bool rotate();
    void fail(const QString &why);
};

QString RingWriter::Private::path(int n) const
{
    return QDir(options.directory)
        .absoluteFilePath(
            QStringLiteral("%1_%2.pcapng").arg(options.baseName).arg(n, 5, 10, QLatin1Char('0')));
}

void RingWriter::Private::fail(const QString &why)
{
    failed = true;
    buffer.clear();
    const std::lock_guard lock(mutex);
    if (error.isEmpty())
        error = why;
}

// A new file starting with the header blocks; never over an existing file (an earlier
// capture's files stay theirs). Past `files` the oldest kept file is deleted.
bool RingWriter::Private::openNext()
{
    const QString file = path(++number);
    fd = ::open(QFile::encodeName(file).constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) {
        fail(QStringLiteral("cannot create %1: %2").arg(file, errnoText()));
        return false;
    }
    fileSize = 0;
    filePackets = 0;
    fileClock.start();
    buffer.prepend(header);
    QString oldest;
    {
        const std::lock_guard lock(mutex);
        kept.push_back(file);
        if (kept.size() > size_t(options.files)) {
            oldest = kept.front();
            kept.pop_front();
        }
    }
    if (!oldest.isEmpty() && ::unlink(QFile::encodeName(oldest).constData()) != 0 &&
        errno != ENOENT)
        qCWarning(lcAgent) << "ring: cannot delete" << oldest << errnoText();
    return true;
}

bool RingWriter::Private::writeOut()
{
    const char *p = buffer.constData();
    qsizetype left = buffer.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, size_t(left));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fail(QStringLiteral("cannot write %1: %2").arg(path(number), errnoText()));
            return false;
        }
        p += n;
        left -= n;
        fileSize += n;
    }
    buffer.clear();
    return true;
}

bool RingWriter::Private::closeCurrent(bool sync)
{
    if (fd < 0)
        return true;
    bool ok = writeOut();
    if (ok && sync && ::fsync(fd) != 0) {
        fail(QStringLiteral("cannot sync %1: %2").arg(path(number), errnoText()));
        ok = false;
    }
    if (::close(fd) != 0 && ok) {
        fail(QStringLiteral("cannot close %1: %2").arg(path(number), errnoText()));
        ok = false;
    }
    fd = -1;
    return ok;
}

// What is buffered was counted against the current file: it is written there first.
bool RingWriter::Private::rotate()
{
    return closeCurrent(false) && openNext();
}

RingWriter::RingWriter()
    : m_d(std::make_unique<Private>())
{
}

RingWriter::~RingWriter()
{
    if (m_d->fd >= 0 && !m_d->failed)
        (void)m_d->closeCurrent(false);
    else if (m_d->fd >= 0)
        ::close(m_d->fd);
}

core::Result<std::unique_ptr<RingWriter>> RingWriter::create(const RingOptions &options,
                                                             const QByteArray &header)
{
    if (auto ok = checkOptions(options, header); !ok)
        return std::unexpected(ok.error());
    std::unique_ptr<RingWriter> ring(new RingWriter());
    Private &r = *ring->m_d;
    r.options = options;
    r.header = header;
    r.buffer.reserve(bufferLimit + qsizetype(64) * 1024);
    r.captureClock.start();
    if (!r.openNext() || !r.writeOut())
        return core::fail(core::Error::Code::Io, QStringLiteral("ring: ") + ring->error());
    return ring;
}

bool RingWriter::packet(qint64 timestampNs, std::span<const quint8> bytes, quint32 originalLength)
{
    Private &r = *m_d;
    if (r.failed)
        return false;
    const qint64 blockBytes = 32 + ((qint64(bytes.size()) + 3) & ~qint64(3));
    // A file holds at least one packet, so a packet larger than fileBytes still gets written.
    if (r.filePackets > 0 && r.fileSize + r.buffer.size() + blockBytes > r.options.fileBytes &&
        !r.rotate())
        return false;
    pcapng::appendPacket(r.buffer, timestampNs, bytes, originalLength);
    ++r.filePackets;
    if (r.buffer.size() >= bufferLimit)
        return r.writeOut();
    return true;
}

bool RingWriter::flush()
{
    Private &r = *m_d;
    if (r.failed || !r.writeOut())
        return false;
    if (r.options.durationSeconds > 0 &&
        r.captureClock.elapsed() >= r.options.durationSeconds * 1000)
        return false;
    if (r.options.fileSeconds > 0 && r.filePackets > 0 &&
        r.fileClock.elapsed() >= r.options.fileSeconds * 1000)
        return r.rotate() && r.writeOut();
    return true;
}

core::Result<void> RingWriter::finish(const QByteArray &statisticsBlock)
{
    Private &r = *m_d;
    if (!r.failed && r.fd >= 0) {
        r.buffer.append(statisticsBlock);
        (void)r.closeCurrent(true);
    }
    if (r.failed)
        return core::fail(core::Error::Code::Io, error());
    return {};
}

QStringList RingWriter::files() const
{
    const std::lock_guard lock(m_d->mutex);
    return QStringList(m_d->kept.begin(), m_d->kept.end());
}

QString RingWriter::error() const
{
    const std::lock_guard lock(m_d->mutex);
    return m_d->error;
}

} // namespace converge::collectors
