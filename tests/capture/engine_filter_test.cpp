// The admin's capture choices as one BPF expression, and the JSON form the agent receives
// (validated field by field, the first bad one named).
#include "collectors/capture/captureengine.h"

#include <gtest/gtest.h>

#include <QJsonArray>
#include <QJsonDocument>

#include <unistd.h>

using namespace converge;
using collectors::CaptureFilter;

namespace {

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

std::string rejection(const char *text)
{
    auto f = CaptureFilter::fromJson(json(text));
    return f ? std::string("accepted") : f.error().message.toStdString();
}

} // namespace

TEST(CaptureFilter, EachFieldAloneIsOneParenthesizedTerm)
{
    CaptureFilter f;
    EXPECT_EQ(f.toBpf(), "");
    f.hosts = {QStringLiteral("10.0.0.1")};
    EXPECT_EQ(f.toBpf(), "(host 10.0.0.1)");
    f = {};
    f.hosts = {QStringLiteral("10.1.0.0/16"), QStringLiteral("2001:db8::1")};
    EXPECT_EQ(f.toBpf(), "(net 10.1.0.0/16 or host 2001:db8::1)");
    f = {};
    f.ports = {53, 5353};
    EXPECT_EQ(f.toBpf(), "(port 53 or port 5353)");
    f = {};
    f.protocol = QStringLiteral("icmp6");
    EXPECT_EQ(f.toBpf(), "(icmp6)");
    f = {};
    f.mac = QStringLiteral("52:54:00:00:00:01");
    EXPECT_EQ(f.toBpf(), "(ether host 52:54:00:00:00:01)");
    f = {};
    f.expression = QStringLiteral("tcp[13] & 2 != 0");
    EXPECT_EQ(f.toBpf(), "(tcp[13] & 2 != 0)");
}

TEST(CaptureFilter, PartsAreAndedInTheDocumentedOrder)
{
    CaptureFilter f;
    f.hosts = {QStringLiteral("10.0.0.1"), QStringLiteral("10.1.0.0/16")};
    f.ports = {53};
    f.protocol = QStringLiteral("udp");
    f.mac = QStringLiteral("52:54:00:00:00:01");
    EXPECT_EQ(f.toBpf(), "(host 10.0.0.1 or net 10.1.0.0/16) and (port 53) and (udp) and "
                         "(ether host 52:54:00:00:00:01)");
    f.expression = QStringLiteral("not port 22 or icmp");
    // The raw expression keeps its own precedence: "or" inside cannot widen the rest.
    EXPECT_TRUE(f.toBpf().endsWith(QStringLiteral(" and (not port 22 or icmp)")));
}

TEST(CaptureFilter, APrefixWithHostBitsIsCapturedAsItsNetwork)
{
    // libpcap refuses "net 10.1.2.3/16" (non-network bits set): the admin meant the /16.
    CaptureFilter f;
    f.hosts = {QStringLiteral("10.1.2.3/16"), QStringLiteral("2001:db8::5/64")};
    EXPECT_EQ(f.toBpf(), "(net 10.1.0.0/16 or net 2001:db8::/64)");
    auto parsed = CaptureFilter::fromJson(f.toJson());
    ASSERT_TRUE(parsed) << parsed.error().message.toStdString();
}

TEST(CaptureFilter, JsonRoundTrips)
{
    CaptureFilter f;
    f.hosts = {QStringLiteral("192.0.2.7"), QStringLiteral("fe80::1")};
    f.ports = {67, 68};
    f.protocol = QStringLiteral("udp");
    f.mac = QStringLiteral("02:00:00:00:00:0a");
    f.expression = QStringLiteral("len > 100");
    auto back = CaptureFilter::fromJson(f.toJson());
    ASSERT_TRUE(back) << back.error().message.toStdString();
    EXPECT_EQ(*back, f);
    EXPECT_TRUE(CaptureFilter::fromJson(QJsonObject()).has_value());
    EXPECT_EQ(CaptureFilter().toJson(), QJsonObject());
}

TEST(CaptureFilter, FromJsonNamesTheBadField)
{
    EXPECT_EQ(rejection(R"({"hosts": ["10.0.0.1", "10.0.0.300"]})"),
              "filter.hosts[1]: \"10.0.0.300\" is not an IPv4 or IPv6 address");
    EXPECT_EQ(rejection(R"({"hosts": ["10.0.0.0/33"]})"),
              "filter.hosts[0]: \"10.0.0.0/33\" is not an IPv4 or IPv6 prefix");
    EXPECT_EQ(rejection(R"({"hosts": [7]})"), "filter.hosts[0]: must be a string");
    EXPECT_EQ(rejection(R"({"hosts": "10.0.0.1"})"), "filter.hosts: must be a list");
    EXPECT_EQ(rejection(R"({"ports": [53, 0]})"),
              "filter.ports[1]: must be a port number in 1-65535");
    EXPECT_EQ(rejection(R"({"ports": [65536]})"),
              "filter.ports[0]: must be a port number in 1-65535");
    EXPECT_EQ(rejection(R"({"ports": ["53"]})"),
              "filter.ports[0]: must be a port number in 1-65535");
    EXPECT_EQ(rejection(R"({"ports": [5.5]})"),
              "filter.ports[0]: must be a port number in 1-65535");
    EXPECT_EQ(rejection(R"({"protocol": "sctp"})"),
              "filter.protocol: \"sctp\" is not one of tcp, udp, icmp, icmp6, arp, ip, ip6");
    EXPECT_EQ(rejection(R"({"mac": "52:54:00:00:00"})"),
              "filter.mac: \"52:54:00:00:00\" is not a MAC address (six hex pairs with ':')");
    EXPECT_EQ(rejection(R"({"vlan": 5})"), "filter.vlan: unknown field");
    EXPECT_EQ(rejection(R"({"expression": "port 53\nor host 1.2.3.4"})"),
              "filter.expression: holds a control character");
}

TEST(CaptureFilter, FromJsonRejectsExpressionsLibpcapCannotCompile)
{
    const std::string bad = rejection(R"({"ports": [53], "expression": "port banana and"})");
    EXPECT_TRUE(bad.starts_with("filter.expression: \"(port 53) and (port banana and)\": ")) << bad;
    QJsonObject tooLong;
    tooLong.insert(QStringLiteral("expression"), QString(1025, QLatin1Char('a')));
    auto f = CaptureFilter::fromJson(tooLong);
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().message, "filter.expression: is longer than 1024 characters");
    // Too many terms would make a filter the kernel refuses: the lists are bounded.
    QJsonArray ports;
    for (int p = 1; p <= 65; ++p)
        ports.append(p);
    f = CaptureFilter::fromJson(QJsonObject{{QStringLiteral("ports"), ports}});
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().message, "filter.ports: more than 64 entries");
}

TEST(CaptureEngineOpen, NamesTheBadOptionOrTheInterface)
{
    const auto rejection = [](const collectors::CaptureOptions &o) {
        auto e = collectors::CaptureEngine::open(o);
        return e ? QStringLiteral("opened") : e.error().message;
    };
    collectors::CaptureOptions o;
    o.interface = QStringLiteral("lo");
    o.snapLength = 10;
    EXPECT_EQ(rejection(o), QStringLiteral("capture.snapLength: 10 is not in 64-262144"));
    o.snapLength = 65535;
    o.bufferBytes = 1000;
    EXPECT_EQ(rejection(o), QStringLiteral("capture.bufferBytes: 1000 is not in 1 MiB-256 MiB"));
    o.bufferBytes = 1 << 20;
    o.timeoutMs = 0;
    EXPECT_EQ(rejection(o), QStringLiteral("capture.timeoutMs: 0 is not in 1-10000"));
    o.timeoutMs = 100;
    o.interface = QStringLiteral("a-name-too-long-for-linux");
    EXPECT_TRUE(rejection(o).startsWith(QStringLiteral("capture.interface: \"a-name-too-long")));
    // Unprivileged, libpcap refuses before it looks for the device: either way it is named.
    o.interface = QStringLiteral("cvnosuch0");
    const QString message = rejection(o);
    EXPECT_TRUE(message.startsWith(QStringLiteral("interface cvnosuch0: cannot capture: ")))
        << message.toStdString();
    if (::geteuid() == 0) {
        EXPECT_EQ(message, "interface cvnosuch0: cannot capture: No such device exists");
    }
}
