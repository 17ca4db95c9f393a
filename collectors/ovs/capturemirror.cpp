#include "capturemirror.h"

#include "collectors/ovs/ovsdbrows.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QThread>

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <functional>

namespace converge::collectors::ovs {

using core::Result;

namespace {

const QString kDb = QStringLiteral("Open_vSwitch");
const QString kMark = QStringLiteral("converge-capture");

QJsonArray uuidAtom(const QString &uuid)
{
    return {QStringLiteral("uuid"), uuid};
}

QJsonArray namedUuid(const QString &name)
{
    return {QStringLiteral("named-uuid"), name};
}

QJsonArray marked(qint64 id)
{
    return {QStringLiteral("map"), QJsonArray{QJsonArray{kMark, QString::number(id)}}};
}

QJsonObject insert(const QString &table, const QString &uuidName, const QJsonObject &row)
{
    return {{QStringLiteral("op"), QStringLiteral("insert")},
            {QStringLiteral("table"), table},
            {QStringLiteral("uuid-name"), uuidName},
            {QStringLiteral("row"), row}};
}

// mutate Bridge BRIDGEUUID: COLUMN MUTATOR (insert/delete) the uuids in ITEMS.
QJsonObject mutateBridge(const QString &bridgeUuid, const QString &column, const QString &mutator,
                         const QJsonArray &items)
{
    return {{QStringLiteral("op"), QStringLiteral("mutate")},
            {QStringLiteral("table"), QStringLiteral("Bridge")},
            {QStringLiteral("where"),
             QJsonArray{
                 QJsonArray{QStringLiteral("_uuid"), QStringLiteral("=="), uuidAtom(bridgeUuid)}}},
            {QStringLiteral("mutations"),
             QJsonArray{QJsonArray{column, mutator, QJsonArray{QStringLiteral("set"), items}}}}};
}

// A wait that holds while BRIDGE's ports and mirrors are still what was read.
QJsonObject waitUnchanged(const Row &bridge)
{
    return {
        {QStringLiteral("op"), QStringLiteral("wait")},
        {QStringLiteral("table"), QStringLiteral("Bridge")},
        {QStringLiteral("timeout"), 0},
        {QStringLiteral("where"),
         QJsonArray{
             QJsonArray{QStringLiteral("_uuid"), QStringLiteral("=="), uuidAtom(bridge.uuid)}}},
        {QStringLiteral("columns"), QJsonArray{QStringLiteral("ports"), QStringLiteral("mirrors")}},
        {QStringLiteral("until"), QStringLiteral("==")},
        {QStringLiteral("rows"),
         QJsonArray{QJsonObject{{QStringLiteral("ports"), bridge["ports"]},
                                {QStringLiteral("mirrors"), bridge["mirrors"]}}}}};
}

// BRIDGE's ports and mirrors with the capture port and mirror of this transaction added.
QJsonObject withNew(const Row &bridge)
{
    QJsonArray ports, mirrors;
    for (const QString &uuid : uuidSet(bridge["ports"]))
        ports.append(uuidAtom(uuid));
    for (const QString &uuid : uuidSet(bridge["mirrors"]))
        mirrors.append(uuidAtom(uuid));
    ports.append(namedUuid(QStringLiteral("port")));
    mirrors.append(namedUuid(QStringLiteral("mirror")));
    return {{QStringLiteral("op"), QStringLiteral("update")},
            {QStringLiteral("table"), QStringLiteral("Bridge")},
            {QStringLiteral("where"),
             QJsonArray{
                 QJsonArray{QStringLiteral("_uuid"), QStringLiteral("=="), uuidAtom(bridge.uuid)}}},
            {QStringLiteral("row"),
             QJsonObject{{QStringLiteral("ports"), QJsonArray{QStringLiteral("set"), ports}},
                         {QStringLiteral("mirrors"), QJsonArray{QStringLiteral("set"), mirrors}}}}};
}

struct Tables
{
    QHash<QString, Row> bridges, ports, mirrors;
};

Result<Tables> readTables(OvsdbClient &db)
{
    const QJsonArray ops{
        selectAll(QStringLiteral("Bridge"), {QStringLiteral("_uuid"), QStringLiteral("name"),
                                             QStringLiteral("ports"), QStringLiteral("mirrors")}),
        selectAll(QStringLiteral("Port"), {QStringLiteral("_uuid"), QStringLiteral("name"),
                                           QStringLiteral("external_ids")}),
        selectAll(QStringLiteral("Mirror"),
                  {QStringLiteral("_uuid"), QStringLiteral("name"), QStringLiteral("output_port"),
                   QStringLiteral("external_ids")}),
    };
    auto results = db.transact(kDb, ops, 10000);
    if (!results)
        return std::unexpected(results.error());
    return Tables{rowsByUuid(results->at(0)), rowsByUuid(results->at(1)),
                  rowsByUuid(results->at(2))};
}

// The bridge holding the port with uuid PORTUUID, by its uuid; empty when none.
QString bridgeOf(const Tables &t, const QString &portUuid)
{
    for (const Row &b : t.bridges)
        if (uuidSet(b["ports"]).contains(portUuid))
            return b.uuid;
    return {};
}

const Row *byName(const QHash<QString, Row> &rows, const QString &name)
{
    for (const Row &r : rows)
        if (r["name"].toString() == name)
            return &r;
    return nullptr;
}

// The kernel interface ovs-vswitchd makes for an internal port appears a moment after the
// transaction: wait for it, keep the kernel from talking on it, and bring it up.
Result<void> prepareInterface(const QString &name, int timeoutMs)
{
    const QByteArray ifName = name.toLatin1();
    QDeadlineTimer deadline(timeoutMs);
    while (if_nametoindex(ifName.constData()) == 0) {
        if (deadline.hasExpired())
            return core::fail(core::Error::Code::Io,
                              QStringLiteral("the capture port %1 got no kernel interface within "
                                             "%2 ms (is ovs-vswitchd running?)")
                                  .arg(name)
                                  .arg(timeoutMs));
        QThread::msleep(10);
    }
    QFile ipv6(QStringLiteral("/proc/sys/net/ipv6/conf/%1/disable_ipv6").arg(name));
    if (ipv6.open(QIODevice::WriteOnly))
        ipv6.write("1\n");
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq request{};
    std::strncpy(request.ifr_name, ifName.constData(), IFNAMSIZ - 1);
    bool up = fd >= 0 && ::ioctl(fd, SIOCGIFFLAGS, &request) == 0;
    request.ifr_flags |= IFF_UP;
    up = up && ::ioctl(fd, SIOCSIFFLAGS, &request) == 0;
    const int error = errno;
    if (fd >= 0)
        ::close(fd);
    if (!up)
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("cannot bring the capture port "
                                         "%1 up: %2")
                              .arg(name, QString::fromLocal8Bit(std::strerror(error))));
    return {};
}

} // namespace

namespace {

// One try: the rows, and the bridge's sets written whole after a wait on what was read. *RACED
// says the bridge changed meanwhile (another capture's mirror, an apply): worth another try.
Result<CaptureMirror> insertMirror(OvsdbClient &db, const QString &sourcePort, qint64 id,
                                   bool *raced)
{
    auto t = readTables(db);
    if (!t)
        return std::unexpected(t.error());
    const Row *source = byName(t->ports, sourcePort);
    const QString bridge = source ? bridgeOf(*t, source->uuid) : QString();
    if (!source || bridge.isEmpty())
        return core::fail(core::Error::Code::NotFound,
                          QStringLiteral("no port %1 on any bridge of this host").arg(sourcePort));
    CaptureMirror made{t->bridges.value(bridge)["name"].toString(),
                       QStringLiteral("cvcap%1").arg(id),
                       QStringLiteral("converge-capture-%1").arg(id)};
    const QJsonArray sourceSet{QStringLiteral("set"), QJsonArray{uuidAtom(source->uuid)}};
    const QJsonArray ops{
        insert(QStringLiteral("Interface"), QStringLiteral("iface"),
               {{QStringLiteral("name"), made.port},
                {QStringLiteral("type"), QStringLiteral("internal")},
                {QStringLiteral("external_ids"), marked(id)}}),
        insert(QStringLiteral("Port"), QStringLiteral("port"),
               {{QStringLiteral("name"), made.port},
                {QStringLiteral("interfaces"), namedUuid(QStringLiteral("iface"))},
                {QStringLiteral("external_ids"), marked(id)}}),
        insert(QStringLiteral("Mirror"), QStringLiteral("mirror"),
               {{QStringLiteral("name"), made.mirror},
                {QStringLiteral("select_src_port"), sourceSet},
                {QStringLiteral("select_dst_port"), sourceSet},
                {QStringLiteral("output_port"), namedUuid(QStringLiteral("port"))},
                {QStringLiteral("external_ids"), marked(id)}}),
        // ovsdb-server takes no named-uuid in a mutation: the bridge's sets are written whole,
        // after a wait that fails the transaction if they changed since they were read.
        waitUnchanged(t->bridges.value(bridge)),
        withNew(t->bridges.value(bridge)),
    };
    if (auto r = db.transact(kDb, ops, 10000); !r) {
        // The wait is operation 3: its failure is the bridge having changed since it was read.
        *raced = r.error().message.contains(QLatin1String("operation 3 (wait"));
        return core::fail(
            r.error().code,
            QStringLiteral("cannot mirror port %1: %2").arg(sourcePort, r.error().message));
    }
    return made;
}

} // namespace

Result<CaptureMirror> createCaptureMirror(OvsdbClient &db, const QString &sourcePort, qint64 id,
                                          int timeoutMs)
{
    Result<CaptureMirror> made = core::invalid(QString());
    for (int attempt = 0; attempt < 5; ++attempt) {
        bool raced = false;
        made = insertMirror(db, sourcePort, id, &raced);
        if (made || !raced)
            break;
        QThread::msleep(10 + 20 * attempt);
    }
    if (!made)
        return made;
    if (auto r = prepareInterface(made->port, timeoutMs); !r) {
        (void)removeCaptureMirror(db, *made);
        return std::unexpected(r.error());
    }
    return made;
}

namespace {

// Takes the capture ports and mirrors WHICH picks off their bridges (OVSDB then drops the rows,
// which nothing else refers to); returns how many went.
Result<int> removeRows(OvsdbClient &db, const std::function<bool(const Row &)> &which)
{
    auto t = readTables(db);
    if (!t)
        return std::unexpected(t.error());
    QJsonArray ops;
    int removed = 0;
    for (const Row &b : t->bridges) {
        QJsonArray ports, mirrors;
        for (const QString &uuid : uuidSet(b["ports"]))
            if (const Row &r = t->ports[uuid]; isCaptureRow(r) && which(r))
                ports.append(uuidAtom(uuid));
        for (const QString &uuid : uuidSet(b["mirrors"]))
            if (const Row &r = t->mirrors[uuid]; isCaptureRow(r) && which(r))
                mirrors.append(uuidAtom(uuid));
        removed += int(ports.size() + mirrors.size());
        if (!mirrors.isEmpty())
            ops.append(
                mutateBridge(b.uuid, QStringLiteral("mirrors"), QStringLiteral("delete"), mirrors));
        if (!ports.isEmpty())
            ops.append(
                mutateBridge(b.uuid, QStringLiteral("ports"), QStringLiteral("delete"), ports));
    }
    if (ops.isEmpty())
        return 0;
    if (auto r = db.transact(kDb, ops, 10000); !r)
        return std::unexpected(r.error());
    return removed;
}

} // namespace

Result<void> removeCaptureMirror(OvsdbClient &db, const CaptureMirror &mirror)
{
    auto removed = removeRows(db, [&](const Row &r) {
        const QString name = r["name"].toString();
        return name == mirror.port || name == mirror.mirror;
    });
    if (!removed)
        return core::fail(removed.error().code,
                          QStringLiteral("cannot remove the capture mirror %1: %2")
                              .arg(mirror.mirror, removed.error().message));
    return {};
}

Result<int> removeLeftoverCaptureMirrors(OvsdbClient &db)
{
    auto removed = removeRows(db, [](const Row &) { return true; });
    if (!removed)
        return core::fail(removed.error().code,
                          QStringLiteral("cannot remove leftover capture mirrors: %1")
                              .arg(removed.error().message));
    return removed;
}

Result<QString> mirrorOutputPort(OvsdbClient &db, const QString &mirror)
{
    auto t = readTables(db);
    if (!t)
        return std::unexpected(t.error());
    const Row *row = byName(t->mirrors, mirror);
    if (!row)
        return core::fail(
            core::Error::Code::NotFound,
            QStringLiteral("no mirror %1 on this host (is the design deployed?)").arg(mirror));
    const QStringList output = uuidSet((*row)["output_port"]);
    if (output.isEmpty())
        return core::fail(core::Error::Code::NotFound,
                          QStringLiteral("mirror %1 sends its copies to a VLAN, not a port: "
                                         "capture on a port that carries that VLAN")
                              .arg(mirror));
    return t->ports.value(output.front())["name"].toString();
}

} // namespace converge::collectors::ovs
