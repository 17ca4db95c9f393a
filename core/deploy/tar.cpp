#include "tar.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QIODevice>
#include <QSet>

#include <algorithm>
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

// The checksum does not cover its own field: past its digits there may be only NULs and spaces,
// so that no byte of a header changes unnoticed.
bool onlyEndsAfterDigits(const char *header, Field f)
{
    const char *end = header + f.offset + f.size;
    const char *c = std::find_if(header + f.offset, end, [](char x) { return x != ' '; });
    c = std::find_if(c, end, [](char x) { return x < '0' || x > '7'; });
    return std::all_of(c, end, [](char x) { return x == ' ' || x == '\0'; });
}

bool isZero(const char *bytes, qint64 n)
{
    return std::all_of(bytes, bytes + n, [](char c) { return c == 0; });
}

bool isZeroBlock(const char *block)
{
    return isZero(block, kBlock);
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
    if (stored < 0 || unsigned(stored) != checksumOf(h) || !onlyEndsAfterDigits(h, kChecksum))
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

namespace {

struct ScanState
{
    QSet<QString> seen;
    qint64 total = 0; // bytes of file contents
    int entries = 0;
};

// What an entry may be: a regular file or a directory, once, with a safe path, within the caps.
// The size of its contents.
Result<qint64> checkEntry(const Header &header, ScanState &state)
{
    const QString &path = header.path;
    const auto bad = [&](const QString &what) {
        return core::invalid(QStringLiteral("%1: %2").arg(path, what));
    };
    QString dirPath = path;
    if (header.type == '5' && dirPath.endsWith(QLatin1Char('/')))
        dirPath.chop(1);
    if (const QString problem = tarPathProblem(dirPath); !problem.isEmpty())
        return bad(problem);
    if (header.type != '0' && header.type != '7' && header.type != '5')
        return bad(typeName(header.type) + QStringLiteral(" (only regular files allowed)"));
    if (state.seen.contains(dirPath))
        return bad(QStringLiteral("appears twice in the archive"));
    state.seen.insert(dirPath);
    if (++state.entries > kTarMaxEntries)
        return bad(QStringLiteral("more than %1 entries").arg(kTarMaxEntries));
    const qint64 size = header.type == '5' ? 0 : header.size;
    if (size > kTarMaxTotalBytes || state.total + size > kTarMaxTotalBytes)
        return bad(QStringLiteral("the archive's files exceed %1 MiB")
                       .arg(kTarMaxTotalBytes / (qint64(1024) * 1024)));
    state.total += size;
    return size;
}

// Up to N bytes (fewer only at the end of DEVICE).
qint64 readUpTo(QIODevice &device, char *out, qint64 n)
{
    qint64 got = 0;
    while (got < n) {
        const qint64 r = device.read(out + got, n - got);
        if (r <= 0)
            break;
        got += r;
    }
    return got;
}

// An entry's contents and padding, chunk by chunk: hashed, and kept up to KEEPCAP bytes.
Result<TarDigest> readContents(QIODevice &device, const Header &header, qint64 size, qint64 keepCap,
                               QByteArray &chunk)
{
    TarDigest out{header.path, header.mode & 0777, size, {}, {}};
    if (keepCap > 0 && size > keepCap)
        return core::invalid(QStringLiteral("%1: %2 bytes, more than the %3 this reader keeps")
                                 .arg(header.path)
                                 .arg(size)
                                 .arg(keepCap));
    if (keepCap > 0)
        out.data.emplace().reserve(size);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    const qint64 padded = (size + kBlock - 1) / kBlock * kBlock;
    for (qint64 done = 0; done < padded;) {
        const qint64 want = std::min(kTarChunkBytes, padded - done);
        const qint64 got = readUpTo(device, chunk.data(), want);
        const qint64 content = std::clamp(size - done, qint64(0), got);
        hash.addData(QByteArrayView(chunk.constData(), content));
        if (out.data)
            out.data->append(chunk.constData(), content);
        // Nothing signs the padding: a changed byte there is refused all the same.
        if (!isZero(chunk.constData() + content, got - content))
            return core::invalid(
                QStringLiteral("%1: the padding after its contents is not zero (an altered "
                               "archive)")
                    .arg(header.path));
        done += got;
        if (got < want && done < size)
            return core::invalid(QStringLiteral("%1: truncated: %2 bytes announced, %3 present")
                                     .arg(header.path)
                                     .arg(size)
                                     .arg(done));
        if (got < want)
            break; // missing padding: the next header's read says the archive is truncated
    }
    out.sha256 = QString::fromLatin1(hash.result().toHex());
    return out;
}

// After the end-of-archive marker's first block there may be only zeros (its second block, a
// record's padding). The marker is two zero blocks: an archive cut in the second is truncated.
Result<void> checkTrailer(QIODevice &device, qint64 offset, QByteArray &chunk)
{
    const qint64 marker = offset - kBlock; // where the first zero block began
    for (qint64 got = 0; (got = readUpTo(device, chunk.data(), kTarChunkBytes)) > 0; offset += got)
        if (!isZero(chunk.constData(), got))
            return core::invalid(QStringLiteral("archive altered after its end-of-archive marker "
                                                "(bytes %1-%2 are not all zero)")
                                     .arg(offset)
                                     .arg(offset + got - 1));
    if (offset < marker + qint64(2) * kBlock)
        return core::invalid(QStringLiteral("archive truncated at byte %1: the end-of-archive "
                                            "marker is two zero blocks")
                                 .arg(offset));
    return {};
}

} // namespace

Result<std::vector<TarDigest>> scanTar(QIODevice &device,
                                       const std::function<qint64(const QString &)> &keep)
{
    std::vector<TarDigest> files;
    ScanState state;
    QByteArray chunk(kTarChunkBytes, Qt::Uninitialized);
    char h[kBlock];
    for (qint64 offset = 0;;) {
        if (readUpTo(device, h, kBlock) < kBlock)
            return core::invalid(QStringLiteral("archive truncated at byte %1: no end-of-archive "
                                                "marker")
                                     .arg(offset));
        if (isZeroBlock(h)) {
            if (auto trailer = checkTrailer(device, offset + kBlock, chunk); !trailer)
                return std::unexpected(trailer.error());
            break;
        }
        auto header = parseHeader(h, offset);
        if (!header)
            return std::unexpected(header.error());
        auto size = checkEntry(*header, state);
        if (!size)
            return std::unexpected(size.error());
        const bool file = header->type != '5';
        auto contents = readContents(device, *header, *size, file ? keep(header->path) : 0, chunk);
        if (!contents)
            return std::unexpected(contents.error());
        if (file)
            files.push_back(std::move(*contents));
        offset += kBlock + (*size + kBlock - 1) / kBlock * kBlock;
    }
    return files;
}

Result<std::vector<TarFile>> readTar(const QByteArray &archive)
{
    QBuffer buffer;
    buffer.setData(archive);
    buffer.open(QIODevice::ReadOnly);
    auto scanned = scanTar(buffer, [](const QString &) { return kTarMaxTotalBytes; });
    if (!scanned)
        return std::unexpected(scanned.error());
    std::vector<TarFile> files;
    files.reserve(scanned->size());
    for (TarDigest &f : *scanned)
        files.push_back(TarFile{f.path, f.data.value_or(QByteArray()), f.mode});
    return files;
}

} // namespace converge::core::deploy
