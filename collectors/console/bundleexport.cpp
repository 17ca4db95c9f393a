#include "bundleexport.h"

#include "collectors/crypto/bundlesigner.h"

#include <QFileInfo>
#include <QSaveFile>

namespace converge::collectors {

core::Result<SignedBundle> signedBundle(const core::Design &design, const QStringList &hosts,
                                        const core::deploy::BundleOptions &options)
{
    auto files = core::deploy::makeBundleFiles(design, hosts, options);
    if (!files)
        return std::unexpected(files.error());
    auto key = loadOrCreateBundleSigningKey();
    if (!key)
        return std::unexpected(key.error());
    auto archive = writeBundle(*files, *key);
    if (!archive)
        return std::unexpected(archive.error());
    return SignedBundle{std::move(*archive), std::move(*files),
                        publicKeyFingerprint(key->publicPem)};
}

core::Result<void> saveBundle(const QString &path, const QByteArray &archive, bool overwrite)
{
    if (!overwrite && QFileInfo::exists(path))
        return core::fail(
            core::Error::Code::Conflict,
            QStringLiteral("%1: exists already (use --force to replace it)").arg(path));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(archive) != archive.size() || !file.commit())
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("%1: cannot write (%2)").arg(path, file.errorString()));
    return {};
}

} // namespace converge::collectors
