#include "datapath.h"

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace converge::collectors {

namespace {

// CTRL_CMD_GETFAMILY for one family name: a netlink header, a generic netlink header and the
// name attribute.
struct FamilyRequest
{
    nlmsghdr header;
    genlmsghdr genl;
    nlattr name;
    std::array<char, GENL_NAMSIZ> value;
};

FamilyRequest familyRequest(const QByteArray &name)
{
    FamilyRequest r{};
    r.header.nlmsg_type = GENL_ID_CTRL;
    r.header.nlmsg_flags = NLM_F_REQUEST;
    r.header.nlmsg_seq = 1;
    r.genl.cmd = CTRL_CMD_GETFAMILY;
    r.genl.version = 1;
    const qsizetype length = std::min<qsizetype>(name.size(), GENL_NAMSIZ - 1);
    r.name.nla_len = static_cast<__u16>(NLA_HDRLEN + length + 1);
    r.name.nla_type = CTRL_ATTR_FAMILY_NAME;
    std::memcpy(r.value.data(), name.constData(), static_cast<size_t>(length));
    r.header.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + NLA_ALIGN(r.name.nla_len);
    return r;
}

} // namespace

QString chooseDatapath(const QString &configured, const QStringList &vswitchdTypes,
                       bool kernelHasOvsDatapath)
{
    if (configured != QLatin1String("auto"))
        return configured;
    return vswitchdTypes.contains(QLatin1String("system")) && kernelHasOvsDatapath
               ? QStringLiteral("system")
               : QStringLiteral("netdev");
}

bool kernelHasOvsDatapath()
{
    return genericNetlinkHasFamily("ovs_datapath");
}

bool genericNetlinkHasFamily(const QByteArray &name)
{
    const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
    if (fd < 0)
        return false;
    timeval timeout{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    const FamilyRequest request = familyRequest(name);
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    std::array<char, 8192> reply{};
    ssize_t n = -1;
    if (sendto(fd, &request, request.header.nlmsg_len, 0,
               reinterpret_cast<const sockaddr *>(&kernel),
               sizeof kernel) == ssize_t(request.header.nlmsg_len))
        n = recv(fd, reply.data(), reply.size(), 0);
    close(fd);
    // The family's description answers; an unknown family gets NLMSG_ERROR (ENOENT).
    if (n < ssize_t(sizeof(nlmsghdr)))
        return false;
    nlmsghdr header{};
    std::memcpy(&header, reply.data(), sizeof header);
    return header.nlmsg_type == GENL_ID_CTRL;
}

} // namespace converge::collectors
