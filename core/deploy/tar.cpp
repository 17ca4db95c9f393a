#include "tar.h"

#include <QSet>

#include <cstring>

namespace converge::core::deploy {

namespace {

constexpr int kBlock = 512;

// ustar header field offsets and sizes (POSIX.1-2008, pax, "ustar Interchange Format").
struct Field
{
    int offset;
    int size;
};
constexpr Field kName{0, 100};
constexpr Field kMode{100, 8};
constexpr Field kUid{108, 8};
constexpr Field kGid{116, 8};
constexpr Field kSize{124, 12};
constexpr Field kMtime{136, 12};
constexpr Field kChecksum{148, 8};
constexpr int kTypeflag = 156;
constexpr Field kMagic{257, 6};
constexpr Field kVersion{263, 2};
constexpr Field kPrefix{345, 155};

void putOctal(char *header, Field f, qint64 value)
{
    // size-1 octal digits, zero-padded, then NUL.
    const QByteArray digits = QByteArray::number(value, 8).rightJustified(f.size - 1, '0');
    std::memcpy(header + f.offset, digits.constData(), f.size - 1);
    header[f.offset + f.size - 1] = '\0';
}

unsigned checksumOf(const char *header)
{
    unsigned sum = 0;
    for (int i = 0; i < kBlock; ++i) {
        const bool inField = i >= kChecksum.offset && i < kChecksum.offset + kChecksum.size;
        sum += inField ? unsigned(' ') : static_cast<unsigned char>(header[i]);
    }
    return sum;
}

// Splits PATH into ustar's prefix and name fields; false if it does not fit.
bool splitPath(const QByteArray &path, QByteArray &prefix, QByteArray &name)
{
    if (path.size() <= kName.size) {
        prefix.clear();
        name = path;
        return true;
    }
    for (qsizetype slash = path.lastIndexOf('/'); slash > 0;
         slash = path.lastIndexOf('/', slash - 1)) {
        if (slash <= kPrefix.size && path.size() - slash - 1 <= kName.size) {
            prefix = path.left(slash);
            name = path.mid(slash + 1);
            return !name.isEmpty();
        }
    }
    return false;
}

QByteArray field(const char *header, Field f)
{
    const char *start = header + f.offset;
    return QByteArray(start, qsizetype(::strnlen(start, size_t(f.size))));
}

// An octal number field: optional leading spaces, digits, then NUL or spaces. -1 if malformed
// (base-256 GNU numbers included: this reader has no use for them).
qint64 octal(const char *header, Field f)
{
    const QByteArray text = field(header, f).trimmed();
    if (text.isEmpty())
        return -1;
    qint64 value = 0;
    for (char c : text) {
        if (c < '0' || c > '7' || value > (qint64(1) << 40))
            return -1;
        value = value * 8 + (c - '0');
    }
    return value;
}

bool isZeroBlock(const char *block)
{
    for (int i = 0; i < kBlock; ++i)
        if (block[i] != 0)
            return false;
    return true;
}

Result<void> appendEntry(QByteArray &out, const TarFile &file, qint64 mtime)
{
    if (const QString problem = tarPathProblem(file.path); !problem.isEmpty())
        return core::invalid(QStringLiteral("%1: %2").arg(file.path, problem));
    QByteArray prefix, name;
    if (!splitPath(file.path.toUtf8(), prefix, name))
        return core::invalid(
            QStringLiteral("%1: the path does not fit a ustar header").arg(file.path));
    char header[kBlock] = {};
    std::memcpy(header + kName.offset, name.constData(), size_t(name.size()));
    std::memcpy(header + kPrefix.offset, prefix.constData(), size_t(prefix.size()));
    putOctal(header, kMode, file.mode & 07777);
    putOctal(header, kUid, 0);
    putOctal(header, kGid, 0);
    putOctal(header, kSize, file.data.size());
    putOctal(header, kMtime, mtime);
    header[kTypeflag] = '0';
    std::memcpy(header + kMagic.offset, "ustar", 6); // with its NUL
    std::memcpy(header + kVersion.offset, "00", 2);
    // Six octal digits, NUL, space (the historical layout every tar reads).
    const QByteArray sum = QByteArray::number(checksumOf(header), 8).rightJustified(6, '0');
    std::memcpy(header + kChecksum.offset, sum.constData(), 6);
    header[kChecksum.offset + 6] = '\0';
    header[kChecksum.offset + 7] = ' ';
    out.append(header, kBlock);
    out.append(file.data);
    out.append(QByteArray((kBlock - file.data.size() % kBlock) % kBlock, '\0'));
    return {};
}

struct Header
{
    QString path;
    char type = '0';
    qint64 size = 0;
    int mode = 0;
};

Result<Header> parseHeader(const char *h, qint64 offset)
{
    const auto bad = [&](const QString &what) {
        return core::invalid(QStringLiteral("entry at byte %1: %2").arg(offset).arg(what));
    };
    if (std::memcmp(h + kMagic.offset, "ustar", 5) != 0)
        return bad(QStringLiteral("not a ustar header"));
    const qint64 stored = octal(h, kChecksum);
    if (stored < 0 || unsigned(stored) != checksumOf(h))
        return bad(QStringLiteral("header checksum does not match (damaged archive)"));
    Header out;
    const QByteArray prefix = field(h, kPrefix);
    const QByteArray name = field(h, kName);
    out.path = QString::fromUtf8(prefix.isEmpty() ? name : prefix + '/' + name);
    out.type = h[kTypeflag] == '\0' ? '0' : h[kTypeflag];
    out.size = octal(h, kSize);
    out.mode = int(octal(h, kMode));
    if (out.size < 0)
        return bad(QStringLiteral("%1: unreadable size").arg(out.path));
    if (out.mode < 0)
        return bad(QStringLiteral("%1: unreadable mode").arg(out.path));
    return out;
}

QString typeName(char type)
{
    switch (type) {
    case '1':
        return QStringLiteral("a hard link");
    case '2':
        return QStringLiteral("a symbolic link");
    case '3':
    case '4':
        return QStringLiteral("a device");
    case '6':
        return QStringLiteral("a FIFO");
    default:
        return QStringLiteral("an entry of type '%1'").arg(QLatin1Char(type));
    }
}

} // namespace

QString tarPathProblem(const QString &path)
{
    if (path.isEmpty())
        return QStringLiteral("empty path");
    if (path.toUtf8().size() > 255)
        return QStringLiteral("path longer than 255 bytes");
    if (path.startsWith(QLatin1Char('/')))
        return QStringLiteral("absolute path");
    if (path.contains(QChar(0)) || path.contains(QLatin1Char('\\')))
        return QStringLiteral("NUL or backslash in the path");
    for (const QString &part : path.split(QLatin1Char('/'))) {
        if (part == QLatin1String(".."))
            return QStringLiteral("\"..\" in the path");
        if (part.isEmpty() || part == QLatin1String("."))
            return QStringLiteral("empty or \".\" component in the path");
    }
    return {};
}

Result<QByteArray> writeTar(const std::vector<TarFile> &files, qint64 mtime)
{
    QByteArray out;
    QSet<QString> seen;
    for (const TarFile &f : files) {
        if (seen.contains(f.path))
            return core::invalid(QStringLiteral("%1: path given twice").arg(f.path));
        seen.insert(f.path);
        if (auto r = appendEntry(out, f, mtime); !r)
            return std::unexpected(r.error());
    }
    out.append(QByteArray(qsizetype(2) * kBlock, '\0')); // end of archive
    return out;
}

Result<std::vector<TarFile>> readTar(const QByteArray &archive)
{
    std::vector<TarFile> files;
    QSet<QString> seen;
    qint64 total = 0; // bytes of file contents
    int entries = 0;
    qint64 offset = 0;
    while (true) {
        if (offset + kBlock > archive.size())
            return core::invalid(QStringLiteral("archive truncated at byte %1: no end-of-archive "
                                                "marker")
                                     .arg(offset));
        const char *h = archive.constData() + offset;
        if (isZeroBlock(h))
            break;
        auto header = parseHeader(h, offset);
        if (!header)
            return std::unexpected(header.error());
        const QString &path = header->path;
        const auto bad = [&](const QString &what) {
            return core::invalid(QStringLiteral("%1: %2").arg(path, what));
        };
        QString dirPath = path;
        if (header->type == '5' && dirPath.endsWith(QLatin1Char('/')))
            dirPath.chop(1);
        if (const QString problem = tarPathProblem(dirPath); !problem.isEmpty())
            return bad(problem);
        if (header->type != '0' && header->type != '7' && header->type != '5')
            return bad(typeName(header->type) + QStringLiteral(" (only regular files allowed)"));
        if (seen.contains(dirPath))
            return bad(QStringLiteral("appears twice in the archive"));
        seen.insert(dirPath);
        if (++entries > kTarMaxEntries)
            return bad(QStringLiteral("more than %1 entries").arg(kTarMaxEntries));
        const qint64 size = header->type == '5' ? 0 : header->size;
        if (size > kTarMaxTotalBytes || total + size > kTarMaxTotalBytes)
            return bad(QStringLiteral("the archive's files exceed %1 MiB")
                           .arg(kTarMaxTotalBytes / (qint64(1024) * 1024)));
        total += size;
        offset += kBlock;
        if (offset + size > archive.size())
            return bad(QStringLiteral("truncated: %1 bytes announced, %2 present")
                           .arg(size)
                           .arg(archive.size() - offset));
        if (header->type != '5')
            files.push_back(TarFile{path, archive.mid(offset, size), header->mode & 0777});
        offset += (size + kBlock - 1) / kBlock * kBlock;
    }
    return files;
}

} // namespace converge::core::deploy
