#include "bundleapply.h"

#include "collectors/agent/agentservice.h"
#include "collectors/agent/bundlesequence.h"
#include "collectors/crypto/bundlesigner.h"
#include "core/deploy/tar.h"
#include "core/model/propertykeys.h"
#include "core/protocol/frame.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSysInfo>

#include <memory>

namespace converge::collectors {

using core::Result;

namespace {

// A bundle holds at most kTarMaxTotalBytes of files, plus a tar header (and padding) for each:
// anything larger is refused before a byte of it is read.
constexpr qint64 kMaxBundleBytes = core::deploy::kTarMaxTotalBytes + qint64(8) * 1024 * 1024;
constexpr qint64 kMaxKeyBytes = qint64(64) * 1024;
// The one file --apply-bundle keeps in memory besides the manifest: the host's plan.json, which
// holds a desired state, as large as one protocol frame can carry.
constexpr qint64 kMaxPlanBytes = core::protocol::kMaxFrameBytes;

QString mib(qint64 bytes)
{
    return QString::number(double(bytes) / (1 << 20), 'f', 1);
}

// The regular file at PATH opened for reading, if it holds at most CAP bytes; what it is called
// in messages: WHAT. Checked before a byte is read.
Result<std::unique_ptr<QFile>> openCapped(const QString &path, qint64 cap, const QString &what)
{
    const QFileInfo info(path);
    if (!info.exists())
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("cannot read %1: no such file").arg(path));
    if (!info.isFile())
        return core::invalid(QStringLiteral("%1 is not a regular file (a %2 is)").arg(path, what));
    if (info.size() > cap)
        return core::invalid(QStringLiteral("%1 is %2 MiB; a %3 is at most %4 MiB")
                                 .arg(path, mib(info.size()), what, mib(cap)));
    auto f = std::make_unique<QFile>(path);
    if (!f->open(QIODevice::ReadOnly))
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("cannot read %1: %2").arg(path, f->errorString()));
    return f;
}

Result<QByteArray> readCapped(const QString &path, qint64 cap, const QString &what)
{
    auto f = openCapped(path, cap, what);
    if (!f)
        return std::unexpected(f.error());
    QByteArray data = (*f)->read(cap + 1); // the file may grow while it is read
    if (data.size() > cap)
        return core::invalid(
            QStringLiteral("%1 is larger than a %2 can be (%3 MiB)").arg(path, what, mib(cap)));
    return data;
}

QString planPath(const QString &host)
{
    return QStringLiteral("hosts/%1/plan.json").arg(host);
}

// The bundle read in chunks and verified as it is read; of its files only the host's plan is
// kept (core::deploy::scanTar, verifyBundle).
Result<VerifiedBundle> verified(const AgentConfig &config, const QString &path, const QString &host)
{
    if (config.bundleSigner.isEmpty())
        return core::invalid(QStringLiteral("--apply-bundle needs bundle_signer (the console's "
                                            "public bundle key) in the configuration"));
    auto signer = readCapped(config.bundleSigner, kMaxKeyBytes, QStringLiteral("public key"));
    if (!signer)
        return std::unexpected(signer.error());
    auto tar = openCapped(path, kMaxBundleBytes, QStringLiteral("bundle"));
    if (!tar)
        return std::unexpected(tar.error());
    auto bundle = verifyBundle(**tar, *signer, {planPath(host)}, kMaxPlanBytes);
    if (!bundle)
        return core::invalid(QStringLiteral("%1 refused: %2").arg(path, bundle.error().message));
    return bundle;
}

// The desired state of `host` in the bundle's hosts/HOST/plan.json.
Result<core::realize::HostState> desiredIn(const VerifiedBundle &bundle, const QString &path,
                                           const QString &host)
{
    const core::deploy::BundleFile *plan = bundle.file(planPath(host));
    if (!plan)
        return core::invalid(QStringLiteral("%1 has no plan for host \"%2\" (it holds %3); use "
                                            "--host")
                                 .arg(path, host, bundle.manifest.hosts.join(QLatin1String(", "))));
    const QJsonObject json = QJsonDocument::fromJson(plan->data).object();
    if (json.value(QLatin1String("platform")).toString() != core::value::linuxOvs)
        return core::invalid(QStringLiteral("host %1 is not a %2 host in %3")
                                 .arg(host, core::value::linuxOvs, path));
    auto desired =
        core::realize::HostState::fromJson(json.value(QLatin1String("desired")).toObject());
    if (!desired)
        return core::invalid(
            QStringLiteral("hosts/%1/plan.json: desired.%2").arg(host, desired.error().message));
    return desired;
}

// Refuses a bundle that expired, or is not newer than the last one applied to HOST.
Result<void> fresh(const AgentConfig &config, const VerifiedBundle &bundle, const QString &path,
                   const QString &host)
{
    auto last = lastAppliedBundle(config.stateDir, host);
    if (!last)
        return std::unexpected(last.error());
    if (auto ok = checkBundleFresh(bundle.manifest, host, *last, QDateTime::currentDateTimeUtc());
        !ok)
        return core::invalid(QStringLiteral("%1 refused: %2").arg(path, ok.error().message));
    return {};
}

} // namespace

Result<AppliedBundle> applyBundle(const AgentConfig &config, const QString &bundlePath,
                                  const QString &hostIn)
{
    const QString host = !hostIn.isEmpty()            ? hostIn
                         : !config.hostName.isEmpty() ? config.hostName
                                                      : QSysInfo::machineHostName();
    auto bundle = verified(config, bundlePath, host);
    if (!bundle)
        return std::unexpected(bundle.error());
    auto desired = desiredIn(*bundle, bundlePath, host);
    if (!desired)
        return std::unexpected(desired.error());
    if (auto ok = fresh(config, *bundle, bundlePath, host); !ok)
        return std::unexpected(ok.error());
    AgentConfig local = config;
    local.hostName = host;
    AgentService service(local);
    if (auto r = service.recover(); !r)
        return std::unexpected(r.error());
    auto diff = service.applyLocally(std::move(*desired));
    if (!diff)
        return core::fail(diff.error().code,
                          QStringLiteral("host %1: %2").arg(host, diff.error().message));
    if (auto r = recordAppliedBundle(config.stateDir, host, bundle->manifest,
                                     QDateTime::currentDateTimeUtc());
        !r)
        return core::fail(r.error().code,
                          QStringLiteral("host %1: applied and confirmed, but the bundle's "
                                         "sequence was not recorded: %2")
                              .arg(host, r.error().message));
    const core::deploy::Manifest &m = bundle->manifest;
    return AppliedBundle{m.design, m.created, m.sequence, m.expires, bundle->signerFingerprint,
                         host,     *diff};
}

} // namespace converge::collectors
