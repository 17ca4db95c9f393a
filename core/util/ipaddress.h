#pragma once

#include <QString>

#include <array>
#include <cstdint>
#include <optional>

namespace converge::core {

// An IPv4 or IPv6 address, parsed without QtNetwork so core stays QtCore-only.
struct IpAddress
{
    bool v6 = false;
    std::array<std::uint8_t, 16> bytes{}; // IPv4 uses the first 4

    static std::optional<IpAddress> parse(const QString &text);
    int bitCount() const { return v6 ? 128 : 32; }
    bool bit(int i) const { return (bytes[i / 8] >> (7 - i % 8)) & 1; }
    QString toString() const;
    friend bool operator==(const IpAddress &, const IpAddress &) = default;
};

// address/length; `address` keeps host bits as written (10.127.4.50/22).
struct IpPrefix
{
    IpAddress address;
    int length = 0;

    static std::optional<IpPrefix> parse(const QString &text);
    bool contains(const IpAddress &a) const;
    bool overlaps(const IpPrefix &other) const;
    IpPrefix network() const; // host bits cleared
    friend bool operator==(const IpPrefix &, const IpPrefix &) = default;
};

} // namespace converge::core
