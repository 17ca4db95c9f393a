#pragma once

#include "core/util/result.h"

#include <QByteArray>
#include <QString>

#include <vector>

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

// Path rules shared by both directions: relative, no empty, "." or ".." components, no NUL or
// backslash, at most 255 bytes. Empty when fine, else the reason.
QString tarPathProblem(const QString &path);

} // namespace converge::core::deploy
