#pragma once
// Capture files for the capture window's tests, made from tests/capture's fixtures.

#include "captureframes.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <vector>

namespace converge::views::test {

inline std::vector<QByteArray> fixtureFrames()
{
    std::vector<QByteArray> frames;
    for (const capturetest::Fixture &f : capturetest::fixtures())
        frames.push_back(f.frame);
    return frames;
}

// The fixture's row (0-based) by name ("dns-query", "truncated-ipv4", ...).
inline int fixtureRow(const char *name)
{
    const auto all = capturetest::fixtures();
    for (size_t i = 0; i < all.size(); ++i) {
        if (qstrcmp(all[i].name, name) == 0)
            return int(i);
    }
    return -1;
}

// A pcapng of `count` frames, the fixtures in turn.
inline QByteArray mixedPcapng(int count)
{
    const capturetest::CaptureWriter w(false);
    const auto frames = fixtureFrames();
    QByteArray out = w.pcapng({});
    quint64 stamp = 1700000000000000000ULL;
    for (int i = 0; i < count; ++i, stamp += 1000000)
        out += w.enhanced(frames[size_t(i) % frames.size()], stamp);
    return out;
}

inline bool appendFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::Append) && file.write(bytes) == bytes.size() && file.flush();
}

} // namespace converge::views::test
