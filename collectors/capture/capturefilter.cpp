#include "collectors/capture/captureengine.h"

#include "core/util/ipaddress.h"
#include "core/util/jsonreader.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <pcap/pcap.h>

namespace converge::collectors {

namespace {

constexpr qsizetype maxExpressionLength = 1024;
constexpr qsizetype maxHosts = 64;
constexpr qsizetype maxPorts = 64;

const QStringList &protocols()
{
    static const QStringList names = {QStringLiteral("tcp"),  QStringLiteral("udp"),
                                      QStringLiteral("icmp"), QStringLiteral("icmp6"),
                                      QStringLiteral("arp"),  QStringLiteral("ip"),
                                      QStringLiteral("ip6")};
    return names;
}

// "host A" for an address, "net P" for a prefix, with its host bits cleared: libpcap refuses
// "net 10.1.0.5/16" ("non-network bits set").
QString hostTerm(const QString &host)
{
    if (!host.contains(QLatin1Char('/')))
        return QStringLiteral("host ") + host;
    const auto prefix = core::IpPrefix::parse(host);
    if (!prefix)
        return QStringLiteral("net ") + host;
    return QStringLiteral("net %1/%2")
        .arg(prefix->network().address.toString())
        .arg(prefix->length);
}

QString hostError(const QString &host)
{
    if (host.contains(QLatin1Char('/')))
        return core::IpPrefix::parse(host)
                   ? QString()
                   : QStringLiteral("\"%1\" is not an IPv4 or IPv6 prefix").arg(host);
    return core::IpAddress::parse(host)
               ? QString()
               : QStringLiteral("\"%1\" is not an IPv4 or IPv6 address").arg(host);
}

bool isMac(const QString &mac)
{
    static const QRegularExpression re(QStringLiteral("\\A[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}\\z"));
    return re.match(mac).hasMatch();
}

void readHosts(core::JsonReader &r, CaptureFilter &f)
{
    f.hosts = r.stringList(QStringLiteral("hosts"));
    if (f.hosts.size() > maxHosts)
        r.fail(QStringLiteral("hosts"), QStringLiteral("more than %1 entries").arg(maxHosts));
    for (qsizetype i = 0; i < f.hosts.size(); ++i)
        if (const QString why = hostError(f.hosts[i]); !why.isEmpty())
            r.fail(QStringLiteral("hosts[%1]").arg(i), why);
}

void readPorts(core::JsonReader &r, CaptureFilter &f)
{
    const QJsonArray ports = r.array(QStringLiteral("ports"));
    if (ports.size() > maxPorts)
        r.fail(QStringLiteral("ports"), QStringLiteral("more than %1 entries").arg(maxPorts));
    for (qsizetype i = 0; i < ports.size(); ++i) {
        const double d = ports[i].toDouble(-1);
        if (!ports[i].isDouble() || d < 1 || d > 65535 || d != double(qint64(d))) {
            r.fail(QStringLiteral("ports[%1]").arg(i),
                   QStringLiteral("must be a port number in 1-65535"));
            return;
        }
        f.ports.append(quint16(d));
    }
}

void readMacAndExpression(core::JsonReader &r, CaptureFilter &f)
{
    f.mac = r.str(QStringLiteral("mac"));
    if (!f.mac.isEmpty() && !isMac(f.mac))
        r.fail(QStringLiteral("mac"),
               QStringLiteral("\"%1\" is not a MAC address (six hex pairs with ':')").arg(f.mac));
    f.expression = r.str(QStringLiteral("expression"));
    if (f.expression.size() > maxExpressionLength)
        r.fail(QStringLiteral("expression"),
               QStringLiteral("is longer than %1 characters").arg(maxExpressionLength));
    for (const QChar c : std::as_const(f.expression))
        if (c.unicode() < 0x20 || c.unicode() == 0x7f) {
            r.fail(QStringLiteral("expression"), QStringLiteral("holds a control character"));
            break;
        }
}

// Compiled once for Ethernet, as the engine will: a syntax error is the admin's, reported
// with the request rather than when the capture starts on the host.
QString compileError(const QString &bpf)
{
    std::unique_ptr<pcap_t, decltype(&pcap_close)> dead(pcap_open_dead(DLT_EN10MB, 262144),
                                                        &pcap_close);
    if (!dead)
        return QStringLiteral("libpcap could not compile it");
    bpf_program program{};
    if (pcap_compile(dead.get(), &program, bpf.toUtf8().constData(), 1, PCAP_NETMASK_UNKNOWN) != 0)
        return QStringLiteral("\"%1\": %2")
            .arg(bpf, QString::fromLocal8Bit(pcap_geterr(dead.get())));
    pcap_freecode(&program);
    return {};
}

} // namespace

QString CaptureFilter::toBpf() const
{
    QStringList parts;
    QStringList terms;
    for (const QString &h : hosts)
        terms << hostTerm(h);
    if (!terms.isEmpty())
        parts << terms.join(QStringLiteral(" or "));
    terms.clear();
    for (const quint16 p : ports)
        terms << QStringLiteral("port %1").arg(p);
    if (!terms.isEmpty())
        parts << terms.join(QStringLiteral(" or "));
    for (const QString *s : {&protocol, &mac, &expression})
        if (!s->isEmpty())
            parts << (s == &mac ? QStringLiteral("ether host ") + *s : *s);
    for (QString &part : parts)
        part = QLatin1Char('(') + part + QLatin1Char(')');
    return parts.join(QStringLiteral(" and "));
}

QJsonObject CaptureFilter::toJson() const
{
    QJsonObject o;
    if (!hosts.isEmpty())
        o.insert(QStringLiteral("hosts"), QJsonArray::fromStringList(hosts));
    if (!ports.isEmpty()) {
        QJsonArray a;
        for (const quint16 p : ports)
            a.append(int(p));
        o.insert(QStringLiteral("ports"), a);
    }
    if (!protocol.isEmpty())
        o.insert(QStringLiteral("protocol"), protocol);
    if (!mac.isEmpty())
        o.insert(QStringLiteral("mac"), mac);
    if (!expression.isEmpty())
        o.insert(QStringLiteral("expression"), expression);
    return o;
}

core::Result<CaptureFilter> CaptureFilter::fromJson(const QJsonObject &json)
{
    core::JsonReader r(json, QStringLiteral("filter"));
    r.unknownKeys({QStringLiteral("hosts"), QStringLiteral("ports"), QStringLiteral("protocol"),
                   QStringLiteral("mac"), QStringLiteral("expression")});
    CaptureFilter f;
    readHosts(r, f);
    readPorts(r, f);
    f.protocol = r.oneOf(QStringLiteral("protocol"), protocols());
    readMacAndExpression(r, f);
    if (!r.ok())
        return core::invalid(r.error());
    if (const QString why = compileError(f.toBpf()); !why.isEmpty())
        return core::invalid(QStringLiteral("%1: %2").arg(
            f.expression.isEmpty() ? QStringLiteral("filter") : QStringLiteral("filter.expression"),
            why));
    return f;
}

} // namespace converge::collectors
