#include "vmsource.h"

#include "collectors/metering/samplerround.h"

#include <QDir>
#include <QSet>

namespace converge::collectors::metering {

namespace {

QString checkCgroupPath(const QString &path)
{
    if (path.startsWith(u'/') || QDir::cleanPath(path) != path)
        return QStringLiteral("the cgroup path \"%1\" must be relative and clean (no leading '/', "
                              "'.', '..' or '//')")
            .arg(path.left(200));
    if (path == QLatin1String("..") || path.startsWith(QLatin1String("../")))
        return QStringLiteral("the cgroup path \"%1\" leaves the hierarchy").arg(path.left(200));
    return {};
}

QString checkVm(const VmSource &vm)
{
    if (vm.vmId.isEmpty() || !isSeriesName(QLatin1String("vm/") + vm.vmId))
        return QStringLiteral("the id is empty, too long or has '|' or a control character");
    if (vm.domain.isEmpty() == vm.cgroupPath.isEmpty())
        return QStringLiteral("give either a libvirt domain name or a cgroup path");
    if (vm.domain.contains(u'/') || vm.domain.contains(QChar(0)))
        return QStringLiteral("the domain name \"%1\" has '/' or NUL").arg(vm.domain.left(200));
    if (!vm.cgroupPath.isEmpty())
        if (QString why = checkCgroupPath(vm.cgroupPath); !why.isEmpty())
            return why;
    for (const QString &image : vm.diskImages)
        if (!QDir::isAbsolutePath(image))
            return QStringLiteral("the disk image \"%1\" is not an absolute path")
                .arg(image.left(200));
    return {};
}

} // namespace

core::Result<std::vector<VmSource>> checkVmSources(std::vector<VmSource> vms)
{
    QSet<QString> ids;
    for (size_t i = 0; i < vms.size(); ++i) {
        QString why = checkVm(vms[i]);
        if (why.isEmpty() && ids.contains(vms[i].vmId))
            why = QStringLiteral("the id is used by an earlier VM");
        if (!why.isEmpty())
            return core::invalid(
                QStringLiteral("VM %1 (\"%2\"): %3").arg(i).arg(vms[i].vmId.left(80), why));
        ids.insert(vms[i].vmId);
    }
    return vms;
}

} // namespace converge::collectors::metering
