#pragma once

#include "core/util/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>
#include <span>

// Reading the kernel's text files (/proc, /sys, cgroupfs) the way the samplers need: bounded (a
// file never costs more than kMaxFileBytes, whatever it claims), errors that name the file, and
// fields split without allocating, because a round reads hundreds of them every second.
namespace converge::collectors::metering {

inline constexpr qint64 kMaxFileBytes = qint64(1024) * 1024;

struct FileText
{
    QByteArray bytes;       // complete lines only when truncated
    bool truncated = false; // the file went on past kMaxFileBytes; the rest was not read
};

// The file's text, at most `cap` bytes; Error::Io "cannot read PATH: REASON" otherwise.
core::Result<FileText> readTextFile(const QString &path, qint64 cap = kMaxFileBytes);

// A file that holds one unsigned decimal number (sysfs statistics, memory.current, ifindex).
core::Result<quint64> readNumberFile(const QString &path);

// A directory held open, whose files are opened relative to it: a round reads eight counters in
// each interface's statistics/, and a lookup of the whole sysfs path for each costs more than
// the read.
class OpenDirectory
{
public:
    explicit OpenDirectory(const QString &path);
    ~OpenDirectory();
    OpenDirectory(const OpenDirectory &) = delete;
    OpenDirectory &operator=(const OpenDirectory &) = delete;

    // Why the directory could not be opened; empty when it is open.
    const QString &error() const { return m_error; }
    // readNumberFile for the file `name` in the directory.
    core::Result<quint64> readNumber(const char *name) const;

private:
    QString m_path;
    QString m_error;
    int m_fd = -1;
};

// An unsigned decimal, all of `text` and nothing else; nothing when it is not one.
std::optional<quint64> parseNumber(QByteArrayView text);

// Splits `line` at runs of spaces and tabs into `fields`; returns how many it found (at most
// fields.size(): the rest of the line is ignored).
qsizetype splitFields(QByteArrayView line, std::span<QByteArrayView> fields);

// Calls `onLine(line, number)` for each line of `text` (numbered from 1, without the '\n').
template<typename OnLine> void forEachLine(QByteArrayView text, OnLine &&onLine)
{
    int number = 0;
    while (!text.isEmpty()) {
        qsizetype end = text.indexOf('\n');
        if (end < 0)
            end = text.size();
        onLine(text.first(end), ++number);
        text = text.sliced(std::min(end + 1, text.size()));
    }
}

// "PATH:LINE: WHAT", how a malformed line is reported.
QString lineProblem(const QString &path, int line, const QString &what);

// The inode of a directory or file (a cgroup's identity across restarts), or an Io error.
core::Result<quint64> inodeOf(const QString &path);

} // namespace converge::collectors::metering
