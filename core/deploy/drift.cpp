#include "drift.h"

#include "core/model/commands.h"
#include "core/model/design.h"
#include "core/model/labels.h"

#include <QJsonArray>

namespace converge::core::deploy {

using core::Design;
using core::Element;

namespace {

QString text(int v)
{
    return v < 0 ? QStringLiteral("none") : QString::number(v);
}
QString text(const QString &v)
{
    return v.isEmpty() ? QStringLiteral("none") : v;
}
QString text(bool v)
{
    return v ? QStringLiteral("on") : QStringLiteral("off");
}
QString text(const QList<int> &v)
{
    QStringList parts;
    for (int x : v)
        parts << QString::number(x);
    return parts.isEmpty() ? QStringLiteral("none") : parts.join(u", ");
}
QString text(const QStringList &v)
{
    return v.isEmpty() ? QStringLiteral("none") : v.join(u", ");
}

// The PVLAN mode a port runs in: isolated, community, or none.
QString pvlanModeName(const realize::Port &p)
{
    return p.isolated         ? QString(value::isolated)
           : p.community >= 0 ? QString(value::community)
                              : QStringLiteral("none");
}

QString vlanModeName(const realize::Port &p)
{
    if (p.isolated || p.community >= 0)
        return value::pvlan;
    if (p.vlanMode == QLatin1String("access"))
        return value::access;
    if (p.vlanMode == QLatin1String("trunk") || p.vlanMode == QLatin1String("native-untagged"))
        return value::trunk;
    return value::untagged;
}

class Collector
{
public:
    Collector(const Design &design, QString host, std::vector<DriftItem> &out)
        : m_design(design)
        , m_host(std::move(host))
        , m_out(out)
    {
    }

    void add(const QString &elementId, const QString &where, const QString &property,
             const QString &designValue, const QString &runningValue, QJsonValue adopt = {})
    {
        m_out.push_back(
            {m_host, elementId, where, property, designValue, runningValue, std::move(adopt)});
    }

    void ports(const realize::Bridge &d, const realize::Bridge &r)
    {
        for (const realize::Port &dp : d.ports) {
            const QString where = QStringLiteral("port %1 on bridge %2").arg(dp.name, d.name);
            const realize::Port *rp = r.port(dp.name);
            if (!rp) {
                add(dp.elementId, where, {}, QStringLiteral("present"), QStringLiteral("missing"));
                continue;
            }
            compare(dp, *rp, where);
        }
        for (const realize::Port &rp : r.ports)
            if (!d.port(rp.name))
                add(rp.elementId, QStringLiteral("port %1 on bridge %2").arg(rp.name, r.name), {},
                    QStringLiteral("absent"), QStringLiteral("present"));
        // Policy differences show up on their ports; an unrecognized table was edited by hand.
        if (r.flowsDigest.isEmpty())
            add(d.elementId, QStringLiteral("bridge %1").arg(d.name), {},
                QStringLiteral("the design's flow table"), QStringLiteral("flows changed by hand"));
    }

    void compare(const realize::Port &d, const realize::Port &r, const QString &where)
    {
        const Element *e = m_design.find(d.elementId);
        const bool vnic = e && e->kind == core::ElementKind::VirtualNic;
        const QString mode = e ? e->value(key::vlanMode).toString() : QString();
        auto item = [&](QLatin1StringView property, const QString &dv, const QString &rv,
                        QJsonValue adopt = {}) {
            add(d.elementId, where, vnic || !adopt.isUndefined() ? QString(property) : QString(),
                dv, rv, vnic ? std::move(adopt) : QJsonValue());
        };
        const bool modeChanged = vlanModeName(d) != vlanModeName(r);
        if (modeChanged)
            item(key::vlanMode, vlanModeName(d), vlanModeName(r), vlanModeName(r));
        if (d.tag != r.tag || (modeChanged && r.tag >= 0)) {
            // The VLAN goes to the property of the mode the port runs in (the one a vlanMode
            // taken from the host needs); the design's mode when the host has no VLAN.
            // An isolated or community port's VLAN is its secondary one; a promiscuous port (an
            // access port of a design vNIC in PVLAN mode) carries the primary.
            const QString m = r.tag >= 0 ? vlanModeName(r) : mode;
            const QLatin1StringView tagKey =
                m == value::pvlan                                            ? key::pvlanSecondary
                : m == value::trunk                                          ? key::nativeVlan
                : m == value::access && mode == value::pvlan && !modeChanged ? key::pvlanPrimary
                                                                             : key::accessVlan;
            const QJsonValue designed = e ? e->value(tagKey) : QJsonValue();
            item(tagKey,
                 modeChanged ? text(designed.isDouble() ? designed.toInt() : -1) : text(d.tag),
                 text(r.tag), r.tag >= 0 ? QJsonValue(r.tag) : QJsonValue());
        }
        if (d.trunks != r.trunks) {
            QJsonArray a;
            for (int t : r.trunks)
                a.append(t);
            item(key::trunkVlans, text(d.trunks), text(r.trunks), a);
        }
        if (pvlanModeName(d) != pvlanModeName(r) && !modeChanged)
            item(key::pvlanMode, pvlanModeName(d), pvlanModeName(r),
                 r.isolated || r.community >= 0 ? QJsonValue(pvlanModeName(r)) : QJsonValue());
        if (d.pvlanPrimary != r.pvlanPrimary)
            item(key::pvlanPrimary, text(d.pvlanPrimary), text(r.pvlanPrimary),
                 r.pvlanPrimary >= 0 ? QJsonValue(r.pvlanPrimary) : QJsonValue());
        if (d.mac != r.mac)
            item(key::mac, text(d.mac), text(r.mac),
                 r.mac.isEmpty() ? QJsonValue() : QJsonValue(r.mac));
        if (d.maxRateKbps != r.maxRateKbps)
            item(key::maximumBandwidth, formatBandwidth(double(d.maxRateKbps) * 1000),
                 formatBandwidth(double(r.maxRateKbps) * 1000),
                 r.maxRateKbps > 0 ? QJsonValue(double(r.maxRateKbps) * 1000) : QJsonValue());
        if (d.mtu != r.mtu && d.mtu > 0)
            item(key::mtu, text(d.mtu), text(r.mtu), r.mtu > 0 ? QJsonValue(r.mtu) : QJsonValue());
        if (d.macSpoofing != r.macSpoofing)
            item(key::macSpoofing, text(d.macSpoofing), text(r.macSpoofing), r.macSpoofing);
        if (d.dhcpGuard != r.dhcpGuard)
            item(key::dhcpGuard, text(d.dhcpGuard), text(r.dhcpGuard), r.dhcpGuard);
        if (d.routerGuard != r.routerGuard)
            item(key::routerGuard, text(d.routerGuard), text(r.routerGuard), r.routerGuard);
        if (d.acls != r.acls)
            add(d.elementId, where, key::acls, QStringLiteral("%1 rules").arg(d.acls.size()),
                QStringLiteral("%1 rules").arg(r.acls.size()));
        if (d.addresses != r.addresses)
            item(key::addresses, text(d.addresses), text(r.addresses),
                 QJsonArray::fromStringList(r.addresses));
        if (d.bondMode != r.bondMode || d.lacp != r.lacp || d.bondPrimary != r.bondPrimary)
            add(d.elementId, where, key::mode,
                QStringLiteral("%1%2").arg(d.bondMode,
                                           d.lacp ? QStringLiteral(" + LACP") : QString()),
                QStringLiteral("%1%2").arg(r.bondMode,
                                           r.lacp ? QStringLiteral(" + LACP") : QString()));
        if (d.members != r.members)
            add(d.elementId, where, key::members, text(d.members), text(r.members));
    }

private:
    const Design &m_design;
    QString m_host;
    std::vector<DriftItem> &m_out;
};

} // namespace

QString DriftItem::description() const
{
    if (property.isEmpty())
        return QStringLiteral("%1: %2 in the design, %3 on the host")
            .arg(where, designValue, runningValue);
    return QStringLiteral("%1: %2 is %3 in the design, %4 on the host")
        .arg(where, property, designValue, runningValue);
}

std::vector<DriftItem> driftOf(const Design &design, const realize::HostState &desired,
                               const realize::HostState &running)
{
    std::vector<DriftItem> out;
    Collector c(design, desired.host, out);
    for (const realize::Bridge &db : desired.bridges) {
        const realize::Bridge *rb = running.bridge(db.name);
        if (!rb) {
            c.add(db.elementId, QStringLiteral("bridge %1").arg(db.name), {},
                  QStringLiteral("present"), QStringLiteral("missing"));
            continue;
        }
        if (db.sriov != rb->sriov)
            c.add(db.elementId, QStringLiteral("bridge %1").arg(db.name), key::sriov,
                  text(db.sriov), text(rb->sriov));
        c.ports(db, *rb);
    }
    for (const realize::Bridge &rb : running.bridges)
        if (!desired.bridge(rb.name))
            c.add(rb.elementId, QStringLiteral("bridge %1").arg(rb.name), {},
                  QStringLiteral("absent"), QStringLiteral("present"));
    for (const realize::Mirror &dm : desired.mirrors) {
        const realize::Mirror *rm = nullptr;
        for (const realize::Mirror &m : running.mirrors)
            if (m.name == dm.name)
                rm = &m;
        if (!rm)
            c.add(dm.elementId, QStringLiteral("mirror %1").arg(dm.name), {},
                  QStringLiteral("present"), QStringLiteral("missing"));
        else if (!(*rm == dm))
            c.add(dm.elementId, QStringLiteral("mirror %1").arg(dm.name), key::sources,
                  QStringLiteral("%1 -> %2").arg(text(dm.selectSrc), dm.output),
                  QStringLiteral("%1 -> %2").arg(text(rm->selectSrc), rm->output));
    }
    for (const realize::Mirror &rm : running.mirrors) {
        bool known = false;
        for (const realize::Mirror &dm : desired.mirrors)
            known = known || dm.name == rm.name;
        if (!known)
            c.add(rm.elementId, QStringLiteral("mirror %1").arg(rm.name), {},
                  QStringLiteral("absent"), QStringLiteral("present"));
    }
    return out;
}

core::Result<core::Edit> adoptRunningValues(const Design &design,
                                            const std::vector<DriftItem> &items)
{
    std::vector<core::Edit> edits;
    Design scratch = design;
    for (const DriftItem &item : items) {
        if (item.adopt.isUndefined() || item.property.isEmpty() || !design.find(item.elementId))
            continue;
        auto edit = core::commands::setProperty(scratch, item.elementId, item.property, item.adopt);
        if (!edit)
            return std::unexpected(edit.error());
        if (auto applied = scratch.apply(*edit); !applied)
            return std::unexpected(applied.error());
        edits.push_back(*edit);
    }
    if (edits.empty())
        return core::invalid(QStringLiteral("none of the differences has a running value the "
                                            "design can take; re-apply the design instead"));
    return core::commands::combine(QStringLiteral("Take running values into the design"), edits);
}

} // namespace converge::core::deploy
