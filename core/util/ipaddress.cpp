#include "ipaddress.h"

#include <arpa/inet.h>

#include <algorithm>

namespace converge::core {

std::optional<IpAddress> IpAddress::parse(const QString &text)
{
    const QByteArray latin = text.toLatin1();
    IpAddress a;
    if (text.contains(QLatin1Char(':'))) {
        a.v6 = true;
        if (inet_pton(AF_INET6, latin.constData(), a.bytes.data()) == 1)
            return a;
        return std::nullopt;
    }
    if (inet_pton(AF_INET, latin.constData(), a.bytes.data()) == 1)
        return a;
    return std::nullopt;
}

QString IpAddress::toString() const
{
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
    return QString::fromLatin1(buf);
}

std::optional<IpPrefix> IpPrefix::parse(const QString &text)
{
    const auto slash = text.indexOf(QLatin1Char('/'));
    if (slash < 0)
        return std::nullopt;
    auto address = IpAddress::parse(text.left(slash));
    bool ok = false;
    const QString lenText = text.mid(slash + 1);
    const int length = lenText.toInt(&ok);
    if (!address || !ok || lenText.isEmpty() || !lenText.at(0).isDigit() || length < 0 ||
        length > address->bitCount())
        return std::nullopt;
    return IpPrefix{*address, length};
}

bool IpPrefix::contains(const IpAddress &a) const
{
    if (a.v6 != address.v6)
        return false;
    for (int i = 0; i < length; ++i) {
        if (a.bit(i) != address.bit(i))
            return false;
    }
    return true;
}

bool IpPrefix::overlaps(const IpPrefix &other) const
{
    if (other.address.v6 != address.v6)
        return false;
    const int common = std::min(length, other.length);
    for (int i = 0; i < common; ++i) {
        if (address.bit(i) != other.address.bit(i))
            return false;
    }
    return true;
}

IpPrefix IpPrefix::network() const
{
    IpPrefix n = *this;
    for (int i = length; i < address.bitCount(); ++i)
        n.address.bytes[i / 8] &= static_cast<std::uint8_t>(~(1u << (7 - i % 8)));
    return n;
}

} // namespace converge::core
