#pragma once

// A fake root for the samplers (collectors/metering): /proc, /sys and cgroup files written by
// hand in a temporary directory, rewritten between rounds to move the counters.
#include "collectors/metering/samplerround.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <optional>

namespace meteringtest {

class FixtureRoot
{
public:
    QString root() const { return m_dir.path(); }
    QString path(const QString &inRoot) const { return m_dir.path() + inRoot; }

    void write(const QString &inRoot, const QByteArray &text) const
    {
        const QString file = path(inRoot);
        ASSERT_TRUE(QDir().mkpath(QFileInfo(file).path())) << file.toStdString();
        QFile f(file);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly | QIODevice::Truncate)) << file.toStdString();
        f.write(text);
    }
    void mkdir(const QString &inRoot) const { ASSERT_TRUE(QDir().mkpath(path(inRoot))); }

private:
    QTemporaryDir m_dir;
};

// The value of the one sample of host|entity|metric in `round`, if there is one.
inline std::optional<double> valueOf(const converge::collectors::metering::SamplerRound &round,
                                     const QString &entity, const char *metric)
{
    for (const auto &series : round.batch.series)
        if (series.key.entity == entity && series.key.metric == QLatin1String(metric) &&
            series.samples.size() == 1)
            return series.samples.front().value;
    return std::nullopt;
}

inline bool hasEntity(const converge::collectors::metering::SamplerRound &round,
                      const QString &entity)
{
    for (const auto &series : round.batch.series)
        if (series.key.entity == entity)
            return true;
    return false;
}

} // namespace meteringtest
