#pragma once

#include "core/util/result.h"

#include <QByteArray>
#include <QString>

#include <functional>
#include <optional>
#include <vector>

class QIODevice;

// POSIX ustar archives of in-memory files (IEEE Std 1003.1, "pax", ustar interchange format):
// what a deployment bundle is shipped in. Regular files only; the reader refuses anything a
// hostile archive could use against the one who unpacks it (links, devices, absolute paths,
// "..", duplicates, huge sizes) and names the entry it refuses.
namespace converge::core::deploy {

using core::Result;

struct TarFile
{
    QString path; // relative, '/'-separated: "hosts/hv01/apply.ps1"
    QByteArray data;
    int mode = 0644; // permission bits
    friend bool operator==(const TarFile &, const TarFile &) = default;
};

inline constexpr qint64 kTarMaxTotalBytes = qint64(64) * 1024 * 1024; // contents of all files
inline constexpr int kTarMaxEntries = 10000;

// The archive of FILES in order, every entry with modification time MTIME (seconds since the
// epoch; a fixed one keeps archives reproducible). Fails for paths the reader would refuse or
// that do not fit a ustar header (name 100 bytes, prefix 155).
Result<QByteArray> writeTar(const std::vector<TarFile> &files, qint64 mtime = 0);

// The regular files of ARCHIVE in order (directory entries are skipped). Errors say which
// entry (by path, or by offset when its header is unreadable) and what is wrong.
Result<std::vector<TarFile>> readTar(const QByteArray &archive);

// One regular file of an archive read as a stream (scanTar): its size and SHA-256, and its
// contents only when the caller asked to keep them.
struct TarDigest
{
    QString path;
    int mode = 0644;
    qint64 size = 0;
    QString sha256;                 // lower-case hex
    std::optional<QByteArray> data; // the contents, when kept
};

inline constexpr qint64 kTarChunkBytes = qint64(64) * 1024;

// The archive read from DEVICE front to back in chunks of at most kTarChunkBytes, with readTar's
// checks and errors, every regular file hashed on the way. KEEP(path) is how many bytes of that
// file's contents may be kept (0: none are); a larger file is refused, by name. Holds one chunk,
// the kept contents and a digest per file, never the archive.
Result<std::vector<TarDigest>> scanTar(QIODevice &device,
                                       const std::function<qint64(const QString &)> &keep);

// Path rules shared by both directions: relative, no empty, "." or ".." components, no NUL or
// backslash, at most 255 bytes. Empty when fine, else the reason.
QString tarPathProblem(const QString &path);

} // namespace converge::core::deploy
