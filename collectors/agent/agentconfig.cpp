#include "agentconfig.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <functional>
#include <map>

namespace converge::collectors {

namespace {

using core::Result;

// One key's value into the config; errors without the "file:line: " prefix.
using Setter = std::function<Result<void>(AgentConfig &, const QString &key, const QString &)>;

Result<void> listenOn(AgentConfig &c, const QString &, const QString &value)
{
    const qsizetype colon = value.lastIndexOf(QLatin1Char(':'));
    bool portOk = false;
    const uint port = colon > 0 ? value.mid(colon + 1).toUInt(&portOk) : 0;
    QString host = colon > 0 ? value.left(colon) : QString();
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    QHostAddress address;
    if (!portOk || port == 0 || port > 65535 || !address.setAddress(host))
        return core::invalid(
            QStringLiteral("listen must be ADDRESS:PORT (0.0.0.0:7443, [::]:7443), got \"%1\"")
                .arg(value));
    c.listenAddress = address;
    c.listenPort = static_cast<quint16>(port);
    return {};
}

Result<QString> checkedPath(const QString &key, const QString &value)
{
    if (!QDir::isAbsolutePath(value))
        return core::invalid(
            QStringLiteral("%1 must be an absolute path, got \"%2\"").arg(key, value));
    return QDir::cleanPath(value);
}

// A setter for an absolute path in the config (FIELD) or in its Open vSwitch part (OVSFIELD).
Setter absolutePath(QString AgentConfig::*field, QString ovs::OvsEnv::*ovsField = nullptr)
{
    return [=](AgentConfig &c, const QString &key, const QString &value) -> Result<void> {
        auto path = checkedPath(key, value);
        if (!path)
            return std::unexpected(path.error());
        (field ? c.*field : c.ovs.*ovsField) = *path;
        return {};
    };
}

Result<void> datapath(AgentConfig &c, const QString &, const QString &value)
{
    if (!QStringList{QStringLiteral("auto"), QStringLiteral("system"), QStringLiteral("netdev")}
             .contains(value))
        return core::invalid(
            QStringLiteral("datapath must be auto, system or netdev, got \"%1\"").arg(value));
    c.datapathType = value;
    return {};
}

Result<void> hostName(AgentConfig &c, const QString &, const QString &value)
{
    if (value.isEmpty() || value.size() > 64)
        return core::invalid(QStringLiteral("host_name must be 1-64 characters"));
    c.hostName = value;
    return {};
}

Result<void> applyTimeout(AgentConfig &c, const QString &, const QString &value)
{
    bool numOk = false;
    const int seconds = value.toInt(&numOk);
    if (!numOk || seconds < 1 || seconds > 3600)
        return core::invalid(
            QStringLiteral("apply_timeout must be seconds in 1-3600, got \"%1\"").arg(value));
    c.applyTimeoutMs = seconds * 1000;
    return {};
}

// A setter for a whole number in [MIN, MAX] stored times SCALE in a channel limit (FIELD) or
// in the config itself (CONFIGFIELD).
Setter limit(int ChannelLimits::*field, int min, int max, int scale = 1,
             int AgentConfig::*configField = nullptr)
{
    return [=](AgentConfig &c, const QString &key, const QString &value) -> Result<void> {
        bool numOk = false;
        const int n = value.toInt(&numOk);
        if (!numOk || n < min || n > max)
            return core::invalid(QStringLiteral("%1 must be a whole number in %2-%3, got \"%4\"")
                                     .arg(key)
                                     .arg(min)
                                     .arg(max)
                                     .arg(value));
        (configField ? c.*configField : c.limits.*field) = n * scale;
        return {};
    };
}

const std::map<QString, Setter> &setters()
{
    static const std::map<QString, Setter> table{
        {QStringLiteral("listen"), listenOn},
        {QStringLiteral("state_dir"), absolutePath(&AgentConfig::stateDir)},
        {QStringLiteral("ovs_db"), absolutePath(nullptr, &ovs::OvsEnv::dbSocket)},
        {QStringLiteral("ovs_rundir"), absolutePath(nullptr, &ovs::OvsEnv::runDir)},
        {QStringLiteral("datapath"), datapath},
        {QStringLiteral("host_name"), hostName},
        {QStringLiteral("console_certificate"), absolutePath(&AgentConfig::consoleCertificate)},
        {QStringLiteral("apply_timeout"), applyTimeout},
        {QStringLiteral("bundle_signer"), absolutePath(&AgentConfig::bundleSigner)},
        {QStringLiteral("max_connections"), limit(&ChannelLimits::maxConnections, 1, 65536)},
        {QStringLiteral("max_connections_per_source"),
         limit(&ChannelLimits::maxPerSource, 1, 65536)},
        {QStringLiteral("max_unauthenticated"),
         limit(&ChannelLimits::maxUnauthenticated, 1, 65536)},
        {QStringLiteral("connection_rate_per_source"),
         limit(&ChannelLimits::newPerSecondPerSource, 1, 65536)},
        {QStringLiteral("idle_timeout"), limit(&ChannelLimits::idleTimeoutMs, 10, 86400, 1000)},
        {QStringLiteral("cgroup_root"), absolutePath(&AgentConfig::cgroupRoot)},
        {QStringLiteral("metering_interval"),
         limit(nullptr, 0, 3600, 1000, &AgentConfig::meteringIntervalMs)},
        {QStringLiteral("metering_buffer"),
         limit(nullptr, 1, 60, 60'000, &AgentConfig::meteringBufferMs)},
    };
    return table;
}

const QStringList &keys()
{
    static const QStringList names = [] {
        QStringList n;
        for (const auto &entry : setters())
            n << entry.first;
        return n;
    }();
    return names;
}

// One non-comment line into C; SEEN holds the keys set so far.
Result<void> parseLine(AgentConfig &c, QSet<QString> &seen, const QString &line)
{
    const qsizetype eq = line.indexOf(QLatin1Char('='));
    if (eq <= 0)
        return core::invalid(QStringLiteral("expected \"key = value\", got \"%1\"").arg(line));
    const QString key = line.left(eq).trimmed();
    const QString value = line.mid(eq + 1).trimmed();
    if (seen.contains(key))
        return core::invalid(QStringLiteral("\"%1\" is set twice").arg(key));
    seen.insert(key);
    const auto setter = setters().find(key);
    if (setter == setters().end())
        return core::invalid(
            QStringLiteral("unknown key \"%1\" (%2)").arg(key, keys().join(QStringLiteral(", "))));
    return setter->second(c, key, value);
}

} // namespace

core::Result<AgentConfig> parseAgentConfig(const QByteArray &text, const QString &fileName)
{
    AgentConfig c;
    QSet<QString> seen;
    const QList<QByteArray> lines = text.split('\n');
    for (qsizetype n = 0; n < lines.size(); ++n) {
        const QString line = QString::fromUtf8(lines[n]).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        if (auto ok = parseLine(c, seen, line); !ok)
            return core::invalid(
                QStringLiteral("%1:%2: %3").arg(fileName).arg(n + 1).arg(ok.error().message));
    }
    return c;
}

core::Result<AgentConfig> loadAgentConfig(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
    return parseAgentConfig(f.readAll(), QFileInfo(path).fileName());
}

} // namespace converge::collectors
