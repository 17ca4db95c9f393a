#include "procfile.h"

#include <QFile>

#include <cerrno>
#include <charconv>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace converge::collectors::metering {

namespace {

core::Error ioError(const char *verb, const QString &path, int error)
{
    return {core::Error::Code::Io,
            QStringLiteral("cannot %1 %2: %3")
                .arg(QLatin1String(verb), path, QString::fromLocal8Bit(std::strerror(error)))};
}

// A file descriptor closed on every path out.
class Fd
{
public:
    explicit Fd(const QString &path)
        : m_fd(::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC))
    {
    }
    ~Fd()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

// Reads until end of file or `cap` bytes, retrying interrupted reads; -1 and errno on failure.
qint64 readUpTo(int fd, char *into, qint64 cap)
{
    qint64 got = 0;
    while (got < cap) {
        const ssize_t n = ::read(fd, into + got, size_t(cap - got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += n;
    }
    return got;
}

} // namespace

core::Result<FileText> readTextFile(const QString &path, qint64 cap)
{
    const Fd fd(path);
    if (fd.get() < 0)
        return std::unexpected(ioError("read", path, errno));
    // /proc files report size 0: read in steps and stop one byte past the cap, which tells a
    // file of exactly `cap` bytes from a longer one.
    FileText text;
    text.bytes.resize(qsizetype(std::min<qint64>(cap + 1, qint64(64) * 1024)));
    qint64 got = 0;
    for (;;) {
        const qint64 n = readUpTo(fd.get(), text.bytes.data() + got, text.bytes.size() - got);
        if (n < 0)
            return std::unexpected(ioError("read", path, errno));
        got += n;
        if (got < text.bytes.size() || got > cap)
            break;
        text.bytes.resize(qsizetype(std::min<qint64>(cap + 1, got * 2)));
    }
    text.truncated = got > cap;
    text.bytes.truncate(
        qsizetype(text.truncated ? text.bytes.lastIndexOf('\n', cap - 1) + 1 : got));
    return text;
}

namespace {

// DIR/NAME, or DIR alone for no name: built only for an error, not for every read.
QString joined(const QString &dir, const char *name)
{
    return name ? dir + u'/' + QLatin1String(name) : dir;
}

// The number in the file open as `fd`, which is DIR/NAME (see joined()).
core::Result<quint64> readNumberFrom(int fd, const QString &dir, const char *name)
{
    char buffer[64];
    const qint64 n = readUpTo(fd, buffer, sizeof buffer);
    if (n < 0)
        return std::unexpected(ioError("read", joined(dir, name), errno));
    QByteArrayView text(buffer, n);
    if (text.endsWith('\n'))
        text.chop(1);
    const auto value = parseNumber(text);
    if (!value)
        return core::invalid(
            QStringLiteral("%1: \"%2\" is not a number")
                .arg(joined(dir, name),
                     QString::fromLatin1(text.first(std::min<qsizetype>(text.size(), 30)))));
    return *value;
}

} // namespace

core::Result<quint64> readNumberFile(const QString &path)
{
    const Fd fd(path);
    if (fd.get() < 0)
        return std::unexpected(ioError("read", path, errno));
    return readNumberFrom(fd.get(), path, nullptr);
}

OpenDirectory::OpenDirectory(const QString &path)
    : m_path(path)
    , m_fd(::open(QFile::encodeName(path).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC))
{
    if (m_fd < 0)
        m_error = ioError("open", path, errno).message;
}

OpenDirectory::~OpenDirectory()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

core::Result<quint64> OpenDirectory::readNumber(const char *name) const
{
    if (m_fd < 0)
        return std::unexpected(core::Error{core::Error::Code::Io, m_error});
    const int fd = ::openat(m_fd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::unexpected(ioError("read", joined(m_path, name), errno));
    auto value = readNumberFrom(fd, m_path, name);
    ::close(fd);
    return value;
}

std::optional<quint64> parseNumber(QByteArrayView text)
{
    quint64 value = 0;
    const char *end = text.data() + text.size();
    const auto [at, error] = std::from_chars(text.data(), end, value);
    if (text.isEmpty() || error != std::errc() || at != end)
        return std::nullopt;
    return value;
}

qsizetype splitFields(QByteArrayView line, std::span<QByteArrayView> fields)
{
    qsizetype count = 0, i = 0;
    const auto blank = [&](qsizetype at) {
        return line[at] == ' ' || line[at] == '\t';
    };
    while (count < qsizetype(fields.size())) {
        while (i < line.size() && blank(i))
            ++i;
        if (i == line.size())
            break;
        const qsizetype start = i;
        while (i < line.size() && !blank(i))
            ++i;
        fields[size_t(count++)] = line.sliced(start, i - start);
    }
    return count;
}

QString lineProblem(const QString &path, int line, const QString &what)
{
    return QStringLiteral("%1:%2: %3").arg(path).arg(line).arg(what);
}

core::Result<quint64> inodeOf(const QString &path)
{
    struct stat st = {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return std::unexpected(ioError("stat", path, errno));
    return quint64(st.st_ino);
}

} // namespace converge::collectors::metering
