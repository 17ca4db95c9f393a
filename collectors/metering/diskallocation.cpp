#include "diskallocation.h"

#include <QFile>

#include <cerrno>
#include <cstring>

#include <sys/stat.h>

namespace converge::collectors::metering {

core::Result<quint64> allocatedBytes(const QString &file)
{
    struct stat st = {};
    if (::stat(QFile::encodeName(file).constData(), &st) != 0)
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("cannot stat %1: %2")
                              .arg(file, QString::fromLocal8Bit(std::strerror(errno))));
    // A block device (an LVM volume) says nothing of its allocation in st_blocks.
    if (!S_ISREG(st.st_mode))
        return core::invalid(
            QStringLiteral("%1 is not a regular file: only image files are metered").arg(file));
    // st_blocks counts 512-byte units whatever the file system's block size (stat(2)).
    return quint64(st.st_blocks) * 512;
}

core::Result<DiskAllocationSampler> DiskAllocationSampler::create(const QString &host,
                                                                  std::vector<VmSource> vms)
{
    if (host.isEmpty() || !isSeriesName(host))
        return core::invalid(QStringLiteral("disk allocation sampler: the host name \"%1\" is "
                                            "empty, longer than 255 characters or has '|' or a "
                                            "control character")
                                 .arg(host.left(80)));
    auto checked = checkVmSources(std::move(vms));
    if (!checked)
        return core::invalid(QStringLiteral("disk allocation sampler: ") + checked.error().message);
    std::erase_if(*checked, [](const VmSource &vm) { return vm.diskImages.isEmpty(); });
    return DiskAllocationSampler(host, std::move(*checked));
}

DiskAllocationSampler::DiskAllocationSampler(QString host, std::vector<VmSource> vms)
    : m_host(std::move(host))
    , m_vms(std::move(vms))
{
}

SamplerRound DiskAllocationSampler::sample(qint64 nowMs)
{
    SamplerRound round;
    for (const VmSource &vm : m_vms) {
        quint64 sum = 0;
        bool complete = true;
        for (const QString &image : vm.diskImages) {
            const auto bytes = allocatedBytes(image);
            if (bytes)
                sum += *bytes;
            else
                m_problems.note(QStringLiteral("VM %1: %2").arg(vm.vmId, bytes.error().message));
            complete = complete && bytes.has_value();
        }
        if (complete)
            addSample(
                round.batch,
                {m_host, QLatin1String("vm/") + vm.vmId, QStringLiteral("vm_disk_allocated_bytes")},
                {nowMs, double(sum), 0});
    }
    round.problems = m_problems.finishRound();
    return round;
}

} // namespace converge::collectors::metering
