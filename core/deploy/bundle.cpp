#include "bundle.h"

#include "core/model/design.h"
#include "core/model/newelements.h"
#include "core/realize/desiredstate.h"
#include "core/realize/planner.h"
#include "core/realize/scripts.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>

namespace converge::core::deploy {

namespace {

using core::Design;
using core::Element;
using core::ElementKind;

QByteArray jsonBytes(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

// JSON numbers are doubles: integers are exact up to 2^53.
constexpr qint64 kMaxSequence = (qint64(1) << 53) - 1;

QString sha256(const QByteArray &data)
{
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

// The hosts to bundle, in design order; errors for unknown, unsafe or clashing names.
Result<std::vector<const Element *>> selectHosts(const Design &design, const QStringList &filter)
{
    std::vector<const Element *> out;
    QSet<QString> seen; // case-insensitive: the bundle may be unpacked on Windows
    for (const Element *host : design.elements(ElementKind::Host)) {
        if (!filter.isEmpty() && !filter.contains(host->name()))
            continue;
        if (!isSafeHostName(host->name()))
            return core::invalid(QStringLiteral("%1: the name is not usable as a directory in a "
                                                "bundle (1-64 letters, digits, '.', '_', '-')")
                                     .arg(core::describe(*host)));
        if (seen.contains(host->name().toLower()))
            return core::invalid(
                QStringLiteral("%1: another host has the same name").arg(core::describe(*host)));
        seen.insert(host->name().toLower());
        out.push_back(host);
    }
    for (const QString &name : filter)
        if (!seen.contains(name.toLower()))
            return core::fail(core::Error::Code::NotFound,
                              QStringLiteral("no host named \"%1\" in the design").arg(name));
    if (out.empty())
        return core::invalid(QStringLiteral("the design has no hosts to bundle"));
    return out;
}

QJsonObject hypervElements(const Design &design, const Element &host)
{
    QJsonArray elements;
    for (const Element *e : design.allElements()) {
        if (e->kind == ElementKind::Host ? e != &host : core::hostOf(design, *e) != &host)
            continue;
        elements.append(QJsonObject{{QStringLiteral("id"), e->id},
                                    {QStringLiteral("kind"), core::kindName(e->kind)},
                                    {QStringLiteral("parent"), e->parent},
                                    {QStringLiteral("properties"), e->props}});
    }
    return {{QStringLiteral("host"), host.name()},
            {QStringLiteral("platform"), value::hyperv},
            {QStringLiteral("elements"), elements}};
}

Result<void> addHost(std::vector<BundleFile> &files, const Design &design, const Element &host)
{
    const QString dir = QStringLiteral("hosts/%1/").arg(host.name());
    const QString designName = design.info().value(QLatin1String("name")).toString();
    if (host.value(key::platform).toString() == value::hyperv) {
        auto script = realize::powerShellScript(design, host.id);
        if (!script)
            return std::unexpected(script.error());
        files.push_back(
            {dir + QStringLiteral("plan.json"), jsonBytes(hypervElements(design, host))});
        files.push_back({dir + QStringLiteral("apply.ps1"), script->toUtf8()});
        return {};
    }
    auto desired = realize::desiredState(design, host.id);
    if (!desired)
        return std::unexpected(desired.error());
    const realize::Plan plan = realize::makePlan(*desired, realize::HostState{});
    // The script learns the host's datapath only when it runs (OVS_DATAPATH).
    realize::HostState userspace = *desired;
    for (realize::Bridge &b : userspace.bridges)
        b.datapathType = QStringLiteral("netdev");
    const realize::Plan userspacePlan = realize::makePlan(userspace, realize::HostState{});
    const QJsonObject json{{QStringLiteral("host"), host.name()},
                           {QStringLiteral("platform"), value::linuxOvs},
                           {QStringLiteral("desired"), desired->toJson()},
                           {QStringLiteral("plan"), plan.toJson()}};
    files.push_back({dir + QStringLiteral("plan.json"), jsonBytes(json)});
    files.push_back({dir + QStringLiteral("apply.sh"),
                     realize::shellScript(designName, host.name(), plan, userspacePlan).toUtf8(),
                     0755});
    return {};
}

QString bundleReadme(const QString &designName, const QStringList &linuxHosts,
                     const QStringList &hypervHosts)
{
    QString out = QStringLiteral("# Converge deployment bundle: %1\n\n")
                      .arg(realize::commentText(designName));
    out += QStringLiteral(
        "This archive holds, per host of the design, what is needed to bring the host to the "
        "design by hand, where the console cannot reach an agent.\n\n"
        "| file | what it is |\n| --- | --- |\n"
        "| `MANIFEST.json` | design, time of creation, sequence number, expiry, hosts, and the "
        "size and SHA-256 of every file |\n"
        "| `MANIFEST.sig` | Ed25519 signature of `MANIFEST.json` (base64) |\n"
        "| `signer.pub` | the public key that made the signature (PEM) |\n"
        "| `hosts/NAME/plan.json` | the host's desired state and plan (linux-ovs), or its "
        "elements (hyperv) |\n"
        "| `hosts/NAME/apply.sh` | linux-ovs hosts: `ovs-vsctl`, `ovs-ofctl` and `ip` "
        "commands |\n"
        "| `hosts/NAME/apply.ps1` | hyperv hosts: Hyper-V and NetLbfo cmdlets |\n\n"
        "## Verify\n\n"
        "```sh\nconvergectl bundle verify BUNDLE.tar --key console-signing.pub\n```\n\n"
        "checks the signature and every file's size and SHA-256, and that no file is missing "
        "or extra. Without `--key` the bundle's own `signer.pub` is used, which proves "
        "integrity but not origin: compare its fingerprint with the console's.\n\n"
        "## Apply\n\n");
    if (!linuxHosts.isEmpty()) {
        out +=
            QStringLiteral("linux-ovs hosts (%1):\n\n").arg(linuxHosts.join(QLatin1String(", ")));
        out += QStringLiteral(
            "- with the agent installed: `converged --apply-bundle BUNDLE.tar` (as root; needs "
            "`bundle_signer` in converged.conf). It verifies the bundle, refuses it once expired "
            "or when a bundle with the same or a later sequence number was applied, plans from "
            "the host's current state, applies, checks and rolls back on failure;\n"
            "- without it: unpack and run `sh hosts/NAME/apply.sh` as root, on a host without "
            "Converge's bridges (set `OVS_DATAPATH=netdev` for the userspace datapath).\n\n");
    }
    if (!hypervHosts.isEmpty()) {
        out += QStringLiteral("hyperv hosts (%1): unpack, then in an elevated PowerShell (Run as "
                              "Administrator) on the host:\n\n")
                   .arg(hypervHosts.join(QLatin1String(", ")));
        out += QStringLiteral("```powershell\npowershell -ExecutionPolicy Bypass -File "
                              "hosts\\NAME\\apply.ps1\n```\n\n"
                              "The script stops at the first error and may be run again: it "
                              "creates teams, switches and adapters only where they are missing, "
                              "and sets the rest to the design's values.\n");
    }
    return out;
}

} // namespace

bool isSafeHostName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("\\A[A-Za-z0-9_][A-Za-z0-9._-]{0,63}\\z"));
    return re.match(name).hasMatch();
}

Result<std::vector<BundleFile>> makeBundleFiles(const Design &design, const QStringList &hostFilter,
                                                const QDateTime &created)
{
    BundleOptions options;
    options.created = created;
    return makeBundleFiles(design, hostFilter, options);
}

Result<std::vector<BundleFile>> makeBundleFiles(const Design &design, const QStringList &hostFilter,
                                                const BundleOptions &options)
{
    const QDateTime when =
        (options.created.isValid() ? options.created : QDateTime::currentDateTimeUtc()).toUTC();
    const qint64 sequence =
        options.sequence.value_or(std::max<qint64>(1, when.toMSecsSinceEpoch()));
    if (sequence < 1 || sequence > kMaxSequence)
        return core::invalid(QStringLiteral("sequence %1: a bundle's sequence number is 1 to %2")
                                 .arg(sequence)
                                 .arg(kMaxSequence));
    if (options.validSecs < 1 || options.validSecs > kMaxBundleValiditySecs)
        return core::invalid(QStringLiteral("a bundle is valid for 1 second to 365 days"));
    auto hosts = selectHosts(design, hostFilter);
    if (!hosts)
        return std::unexpected(hosts.error());
    std::vector<BundleFile> files;
    QStringList linuxHosts, hypervHosts;
    QJsonArray hostList;
    for (const Element *host : *hosts) {
        if (auto r = addHost(files, design, *host); !r)
            return std::unexpected(r.error());
        const QString platform = host->value(key::platform).toString();
        (platform == value::hyperv ? hypervHosts : linuxHosts) << host->name();
        hostList.append(QJsonObject{{QStringLiteral("name"), host->name()},
                                    {QStringLiteral("platform"), platform}});
    }
    const QString designName = design.info().value(QLatin1String("name")).toString();
    files.push_back(
        {QStringLiteral("README.md"), bundleReadme(designName, linuxHosts, hypervHosts).toUtf8()});
    QJsonArray list;
    for (const BundleFile &f : files)
        list.append(QJsonObject{{QStringLiteral("path"), f.path},
                                {QStringLiteral("size"), double(f.data.size())},
                                {QStringLiteral("sha256"), sha256(f.data)}});
    const QJsonObject manifest{
        {QStringLiteral("format"), QLatin1String(kBundleFormat)},
        {QStringLiteral("design"), designName},
        {QStringLiteral("created"), when.toString(Qt::ISODate)},
        {QStringLiteral("sequence"), double(sequence)},
        {QStringLiteral("expires"), when.addSecs(options.validSecs).toString(Qt::ISODate)},
        {QStringLiteral("generator"), QStringLiteral("Converge " CONVERGE_VERSION)},
        {QStringLiteral("hosts"), hostList},
        {QStringLiteral("files"), list}};
    files.push_back({QLatin1String(kManifestPath), jsonBytes(manifest)});
    return files;
}

Result<qint64> parseValidity(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("\\A([0-9]{1,6})([dhm])\\z"));
    const QRegularExpressionMatch m = re.match(text);
    const qint64 unit = !m.hasMatch()                         ? 0
                        : m.captured(2) == QLatin1String("d") ? 86400
                        : m.captured(2) == QLatin1String("h") ? 3600
                                                              : 60;
    const qint64 secs = unit * m.captured(1).toLongLong();
    if (secs < 1 || secs > kMaxBundleValiditySecs)
        return core::invalid(QStringLiteral("expiry \"%1\": expected a duration of 1m to 365d, "
                                            "such as 7d, 36h or 90m")
                                 .arg(text));
    return secs;
}

Result<Manifest> checkManifest(const QByteArray &manifest, const std::vector<FileDigest> &files)
{
    QHash<QString, const FileDigest *> byPath;
    for (const FileDigest &f : files)
        byPath.insert(f.path, &f);
    QJsonParseError pe;
    const QJsonObject json = QJsonDocument::fromJson(manifest, &pe).object();
    if (pe.error != QJsonParseError::NoError)
        return core::invalid(QStringLiteral("MANIFEST.json: not JSON (%1)").arg(pe.errorString()));
    if (json.value(QLatin1String("format")).toString() != QLatin1String(kBundleFormat))
        return core::invalid(
            QStringLiteral("MANIFEST.json: format is not %1").arg(QLatin1String(kBundleFormat)));
    QSet<QString> listed{QLatin1String(kManifestPath), QLatin1String(kSignaturePath),
                         QLatin1String(kSignerPath)};
    for (const QJsonValue &v : json.value(QLatin1String("files")).toArray()) {
        const QJsonObject entry = v.toObject();
        const QString path = entry.value(QLatin1String("path")).toString();
        if (path.isEmpty() || listed.contains(path))
            return core::invalid(
                QStringLiteral("MANIFEST.json: file entry \"%1\" is empty or repeated").arg(path));
        listed.insert(path);
        const FileDigest *f = byPath.value(path);
        if (!f)
            return core::invalid(
                QStringLiteral("%1: listed in the manifest but missing").arg(path));
        if (f->size != entry.value(QLatin1String("size")).toInteger(-1))
            return core::invalid(QStringLiteral("%1: size does not match the manifest").arg(path));
        if (f->sha256 != entry.value(QLatin1String("sha256")).toString())
            return core::invalid(
                QStringLiteral("%1: SHA-256 does not match the manifest").arg(path));
    }
    for (const FileDigest &f : files)
        if (!listed.contains(f.path))
            return core::invalid(QStringLiteral("%1: not in the manifest").arg(f.path));
    Manifest m;
    m.json = json;
    m.design = json.value(QLatin1String("design")).toString();
    m.created = QDateTime::fromString(json.value(QLatin1String("created")).toString(), Qt::ISODate);
    for (const QJsonValue &h : json.value(QLatin1String("hosts")).toArray())
        m.hosts << h.toObject().value(QLatin1String("name")).toString();
    m.sequence = json.value(QLatin1String("sequence")).toInteger(0);
    m.expires = QDateTime::fromString(json.value(QLatin1String("expires")).toString(), Qt::ISODate);
    return m;
}

Result<Manifest> checkManifest(const std::vector<BundleFile> &files)
{
    const BundleFile *manifestFile = nullptr;
    std::vector<FileDigest> digests;
    for (const BundleFile &f : files) {
        digests.push_back({f.path, f.data.size(), sha256(f.data)});
        if (f.path == QLatin1String(kManifestPath))
            manifestFile = &f;
    }
    if (!manifestFile)
        return core::invalid(QStringLiteral("MANIFEST.json: missing from the bundle"));
    return checkManifest(manifestFile->data, digests);
}

} // namespace converge::core::deploy
