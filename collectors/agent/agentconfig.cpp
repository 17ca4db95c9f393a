#include "agentconfig.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>

namespace converge::collectors {

core::Result<AgentConfig> parseAgentConfig(const QByteArray &text, const QString &fileName)
{
    AgentConfig c;
    QSet<QString> seen;
    const QList<QByteArray> lines = text.split('\n');
    for (qsizetype n = 0; n < lines.size(); ++n) {
        const QString line = QString::fromUtf8(lines[n]).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const auto where = [&](const QString &what) {
            return core::invalid(QStringLiteral("%1:%2: %3").arg(fileName).arg(n + 1).arg(what));
        };
        const qsizetype eq = line.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return where(QStringLiteral("expected \"key = value\", got \"%1\"").arg(line));
        const QString key = line.left(eq).trimmed();
        const QString value = line.mid(eq + 1).trimmed();
        if (seen.contains(key))
            return where(QStringLiteral("\"%1\" is set twice").arg(key));
        seen.insert(key);
        const auto absolutePath = [&](QString &out) -> core::Result<void> {
            if (!QDir::isAbsolutePath(value))
                return where(
                    QStringLiteral("%1 must be an absolute path, got \"%2\"").arg(key, value));
            out = QDir::cleanPath(value);
            return {};
        };
        core::Result<void> ok;
        if (key == QLatin1String("listen")) {
            const qsizetype colon = value.lastIndexOf(QLatin1Char(':'));
            bool portOk = false;
            const uint port = colon > 0 ? value.mid(colon + 1).toUInt(&portOk) : 0;
            QString host = colon > 0 ? value.left(colon) : QString();
            if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
                host = host.mid(1, host.size() - 2);
            QHostAddress address;
            if (!portOk || port == 0 || port > 65535 || !address.setAddress(host))
                return where(QStringLiteral("listen must be ADDRESS:PORT (0.0.0.0:7443, "
                                            "[::]:7443), got \"%1\"")
                                 .arg(value));
            c.listenAddress = address;
            c.listenPort = static_cast<quint16>(port);
        } else if (key == QLatin1String("state_dir")) {
            ok = absolutePath(c.stateDir);
        } else if (key == QLatin1String("ovs_db")) {
            ok = absolutePath(c.ovs.dbSocket);
        } else if (key == QLatin1String("ovs_rundir")) {
            ok = absolutePath(c.ovs.runDir);
        } else if (key == QLatin1String("console_certificate")) {
            ok = absolutePath(c.consoleCertificate);
        } else if (key == QLatin1String("bundle_signer")) {
            ok = absolutePath(c.bundleSigner);
        } else if (key == QLatin1String("datapath")) {
            if (value != QLatin1String("system") && value != QLatin1String("netdev"))
                return where(
                    QStringLiteral("datapath must be system or netdev, got \"%1\"").arg(value));
            c.datapathType = value;
        } else if (key == QLatin1String("host_name")) {
            if (value.isEmpty() || value.size() > 64)
                return where(QStringLiteral("host_name must be 1-64 characters"));
            c.hostName = value;
        } else if (key == QLatin1String("apply_timeout")) {
            bool numOk = false;
            const int seconds = value.toInt(&numOk);
            if (!numOk || seconds < 1 || seconds > 3600)
                return where(QStringLiteral("apply_timeout must be seconds in 1-3600, got \"%1\"")
                                 .arg(value));
            c.applyTimeoutMs = seconds * 1000;
        } else {
            return where(
                QStringLiteral("unknown key \"%1\" (listen, state_dir, ovs_db, ovs_rundir, "
                               "datapath, host_name, console_certificate, apply_timeout, "
                               "bundle_signer)")
                    .arg(key));
        }
        if (!ok)
            return std::unexpected(ok.error());
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
