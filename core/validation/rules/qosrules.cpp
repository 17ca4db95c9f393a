// QoS bandwidth management: minimum and maximum bandwidth on virtual switches and vNICs;
// 003 §4.1.5, §4.3.2; 004 "Network QoS". DCB (QOS-007 to QOS-009) is in dcbrules.cpp.
#include "../catalog.h"
#include "rulehelpers.h"

#include <QJsonArray>

#include <map>
#include <optional>

namespace converge::core::rules {

namespace {

using K = ElementKind;

// The minimum-bandwidth settings of the vNICs on a switch.
struct Minimums
{
    std::vector<const Element *> weights;   // minimumBandwidthWeight above 0
    std::vector<const Element *> absolutes; // minimumBandwidthAbsolute set
    double vnicWeight = 0;                  // sum of the vNICs' weights
    double absoluteTotal = 0;               // sum of the absolute minimums, bps
    double defaultFlow = 0;                 // the switch's default-flow weight
};

Minimums minimumsOn(const Element &sw, RuleContext &ctx)
{
    Minimums m;
    for (const Element *v : ctx.referrers(sw.id, K::VirtualNic)) {
        if (number(*v, key::minimumBandwidthWeight) > 0) {
            m.weights.push_back(v);
            m.vnicWeight += number(*v, key::minimumBandwidthWeight);
        }
        if (has(*v, key::minimumBandwidthAbsolute)) {
            m.absolutes.push_back(v);
            m.absoluteTotal += number(*v, key::minimumBandwidthAbsolute);
        }
    }
    m.defaultFlow = number(sw, key::defaultFlowWeight);
    return m;
}

// "vNIC(s) 'Mgmt', 'LM' and the default-flow weight".
QString weightUsers(const Minimums &m)
{
    QString out;
    if (!m.weights.empty())
        out = QStringLiteral("vNIC(s) ") + quotedNames(m.weights);
    if (m.defaultFlow > 0)
        out += (out.isEmpty() ? QString() : QStringLiteral(" and ")) +
               QStringLiteral("the default-flow weight");
    return out;
}

// The bandwidth an external switch's uplink gives: a NIC's speed, or a team's active members
// (all members but the standby one). Unknown when a speed is missing.
struct Uplink
{
    const Element *element = nullptr;
    double bps = 0;
    QString text; // "team 'LAN' (active members 'eth1', 'eth2')"
};

std::optional<Uplink> uplinkOf(const Element &sw, RuleContext &ctx)
{
    const Element *up = ctx.find(str(sw, key::uplink));
    if (!up)
        return std::nullopt;
    if (up->kind == K::PhysicalNic) {
        if (!has(*up, key::speed))
            return std::nullopt;
        return Uplink{up, number(*up, key::speed), label(*up)};
    }
    const QString standby = str(*up, key::standbyMember);
    std::vector<const Element *> active;
    double total = 0;
    for (const QString &id : ids(*up, key::members)) {
        if (id == standby)
            continue;
        const Element *m = ctx.find(id);
        if (!m || m->kind != K::PhysicalNic || !has(*m, key::speed))
            return std::nullopt;
        total += number(*m, key::speed);
        active.push_back(m);
    }
    if (active.empty())
        return std::nullopt;
    return Uplink{up, total,
                  QStringLiteral("%1 (active members %2)").arg(label(*up), quotedNames(active))};
}

QuickFix setModeFix(const Element &sw, const QString &mode)
{
    return setFix(QStringLiteral("Set %1 to %2 mode").arg(label(sw), mode.toLower()), sw.id,
                  key::minimumBandwidthMode, mode);
}

// "vNIC(s) 'LM' and vNIC(s) 'Mgmt'": every vNIC (or default flow) with a minimum.
QString minimumUsers(const Minimums &m)
{
    QStringList parts;
    if (!m.absolutes.empty())
        parts << QStringLiteral("vNIC(s) ") + quotedNames(m.absolutes);
    if (!m.weights.empty() || m.defaultFlow > 0)
        parts << weightUsers(m);
    return parts.join(QStringLiteral(" and "));
}

void absoluteInWeightMode(const Element &sw, const Minimums &m, RuleContext &ctx, FindingSink &out)
{
    const bool weighted = !m.weights.empty() || m.defaultFlow > 0;
    out.add(QStringLiteral("%1 is in weight mode but vNIC(s) %2 set an absolute (bps) minimum; a "
                           "switch uses one minimum-bandwidth mode. Give them weights.")
                .arg(labelOnHost(sw, ctx), quotedNames(m.absolutes)),
            idsOf(m.absolutes),
            weighted ? std::nullopt : std::optional(setModeFix(sw, value::absolute)));
}

void weightInAbsoluteMode(const Element &sw, const Minimums &m, RuleContext &ctx, FindingSink &out)
{
    std::optional<QuickFix> fix;
    if (m.absolutes.empty())
        fix = setModeFix(sw, value::weight);
    else if (m.weights.empty()) // only the default-flow weight is out of place
        fix = setFix(QStringLiteral("Clear the default-flow weight of %1").arg(label(sw)), sw.id,
                     key::defaultFlowWeight, QJsonValue(QJsonValue::Undefined));
    out.add(QStringLiteral("%1 is in absolute (bps) mode but %2 set a weight; a switch uses one "
                           "minimum-bandwidth mode. Use absolute minimums only.")
                .arg(labelOnHost(sw, ctx), weightUsers(m)),
            idsOf(m.weights), fix);
}

void minimumsWithModeNone(const Element &sw, const Minimums &m, bool weighted, RuleContext &ctx,
                          FindingSink &out)
{
    std::optional<QuickFix> fix;
    if (weighted != !m.absolutes.empty())
        fix = setModeFix(sw, weighted ? value::weight : value::absolute);
    out.add(QStringLiteral("%1 has minimum bandwidth off (mode None) but %2 set minimums. Set the "
                           "switch to the mode its vNICs use.")
                .arg(labelOnHost(sw, ctx), minimumUsers(m)),
            idsOf(m.absolutes) + idsOf(m.weights), fix);
}

void oneMinimumMode(const Element &sw, RuleContext &ctx, FindingSink &out)
{
    const Minimums m = minimumsOn(sw, ctx);
    const bool weighted = !m.weights.empty() || m.defaultFlow > 0;
    const bool absolute = !m.absolutes.empty();
    const QString mode = str(sw, key::minimumBandwidthMode);
    if (mode.isEmpty() && weighted && absolute)
        out.add(QStringLiteral("%1 mixes absolute (bps) minimums (vNIC(s) %2) and weights (%3); a "
                               "switch uses one minimum-bandwidth mode. Use absolute minimums or "
                               "weights on all of its vNICs.")
                    .arg(labelOnHost(sw, ctx), quotedNames(m.absolutes), weightUsers(m)),
                idsOf(m.absolutes) + idsOf(m.weights));
    else if (mode == value::weight && absolute)
        absoluteInWeightMode(sw, m, ctx, out);
    else if (mode == value::absolute && weighted)
        weightInAbsoluteMode(sw, m, ctx, out);
    else if (mode == value::none && (weighted || absolute))
        minimumsWithModeNone(sw, m, weighted, ctx, out);
}

void weightTotal(const Element &sw, RuleContext &ctx, FindingSink &out)
{
    const Minimums m = minimumsOn(sw, ctx);
    const double total = m.vnicWeight + m.defaultFlow;
    if (total <= 100)
        return;
    QStringList parts;
    for (const Element *v : m.weights)
        parts << quoted(v->name()) + QLatin1Char(' ') +
                     QString::number(number(*v, key::minimumBandwidthWeight));
    if (m.defaultFlow > 0)
        parts << QStringLiteral("default flow %1").arg(m.defaultFlow);
    std::optional<QuickFix> fix;
    if (m.defaultFlow > 0 && m.vnicWeight < 100)
        fix = setFix(QStringLiteral("Lower the default-flow weight of %1 to %2")
                         .arg(label(sw))
                         .arg(100 - m.vnicWeight),
                     sw.id, key::defaultFlowWeight, 100 - m.vnicWeight);
    out.add(QStringLiteral("%1 has minimum-bandwidth weights adding up to %2 (%3); the weights on "
                           "one switch, with its default-flow weight, total at most 100. Lower "
                           "them.")
                .arg(labelOnHost(sw, ctx))
                .arg(total)
                .arg(parts.join(QStringLiteral(", "))),
            idsOf(m.weights), fix);
}

void absoluteTotal(const Element &sw, RuleContext &ctx, FindingSink &out)
{
    const Minimums m = minimumsOn(sw, ctx);
    if (m.absolutes.empty())
        return;
    const auto uplink = uplinkOf(sw, ctx);
    if (!uplink || m.absoluteTotal <= uplink->bps)
        return;
    QStringList parts;
    for (const Element *v : m.absolutes)
        parts << quoted(v->name()) + QLatin1Char(' ') +
                     formatBandwidth(number(*v, key::minimumBandwidthAbsolute));
    out.add(QStringLiteral("%1 has absolute minimums adding up to %2 (%3), more than the %4 its "
                           "uplink %5 gives. Lower the minimums to fit the uplink, or use weights.")
                .arg(labelOnHost(sw, ctx), formatBandwidth(m.absoluteTotal),
                     parts.join(QStringLiteral(", ")), formatBandwidth(uplink->bps), uplink->text),
            idsOf(m.absolutes) << uplink->element->id);
}

void maximumNotBelowMinimum(const Element &vnic, RuleContext &ctx, FindingSink &out)
{
    if (!has(vnic, key::maximumBandwidth) || !has(vnic, key::minimumBandwidthAbsolute))
        return;
    const double maximum = number(vnic, key::maximumBandwidth);
    const double minimum = number(vnic, key::minimumBandwidthAbsolute);
    if (maximum >= minimum)
        return;
    out.add(QStringLiteral("%1 has a maximum bandwidth of %2, below its minimum of %3; a cap below "
                           "the guarantee cannot be met. Raise the maximum or lower the minimum.")
                .arg(vnicLabel(vnic, ctx), formatBandwidth(maximum), formatBandwidth(minimum)),
            {},
            setFix(QStringLiteral("Raise the maximum of %1 to %2")
                       .arg(label(vnic), formatBandwidth(minimum)),
                   vnic.id, key::maximumBandwidth, minimum));
}

void defaultFlowReserved(const Element &sw, RuleContext &ctx, FindingSink &out)
{
    const QString mode = str(sw, key::minimumBandwidthMode);
    if (!mode.isEmpty() && mode != value::weight)
        return;
    const Minimums m = minimumsOn(sw, ctx);
    const bool weightMode = !mode.isEmpty() || (!m.weights.empty() && m.absolutes.empty());
    if (!weightMode || m.defaultFlow > 0)
        return;
    std::optional<QuickFix> fix;
    if (m.vnicWeight < 100)
        fix = setFix(QStringLiteral("Reserve the remaining weight %1 for the default flow of %2")
                         .arg(100 - m.vnicWeight)
                         .arg(label(sw)),
                     sw.id, key::defaultFlowWeight, 100 - m.vnicWeight);
    out.add(QStringLiteral("%1 uses minimum-bandwidth weights but reserves no default-flow weight, "
                           "so vNICs without a weight policy get no guaranteed share. Set a "
                           "default-flow weight on the switch.")
                .arg(labelOnHost(sw, ctx)),
            {}, fix);
}

// A VM's vNICs with absolute minimums, which break on a slower host of its cluster.
struct MovingVm
{
    const Element *vm = nullptr;
    std::vector<const Element *> vnics;
};

// A switch of the anchor host: its uplink bandwidth and the cluster peers whose switch of the
// same name has a slower uplink.
struct SwitchFit
{
    struct Slower
    {
        const Element *host;
        const Element *sw;
        double bps;
    };
    double bps = 0;
    std::vector<Slower> slower;
};

const Element *switchNamed(const Element &host, const QString &name, RuleContext &ctx)
{
    for (const Element *sw : ctx.children(host.id, K::VirtualSwitch))
        if (sw->name() == name)
            return sw;
    return nullptr;
}

SwitchFit fitOf(const Element &sw, double bps, const std::vector<const Element *> &peers,
                RuleContext &ctx)
{
    SwitchFit fit{bps, {}};
    for (const Element *peer : peers) {
        const Element *peerSwitch = switchNamed(*peer, sw.name(), ctx);
        const auto peerUplink = peerSwitch ? uplinkOf(*peerSwitch, ctx) : std::nullopt;
        if (peerUplink && peerUplink->bps < bps)
            fit.slower.push_back({peer, peerSwitch, peerUplink->bps});
    }
    return fit;
}

// Each switch is looked at once per host, however many vNICs use it.
using Fits = std::map<QString, std::optional<SwitchFit>>;

const SwitchFit *fitFor(const QString &switchId, const std::vector<const Element *> &peers,
                        Fits &fits, RuleContext &ctx)
{
    auto it = fits.find(switchId);
    if (it == fits.end()) {
        const Element *sw = ctx.find(switchId);
        const auto uplink = sw ? uplinkOf(*sw, ctx) : std::nullopt;
        it = fits.emplace(switchId, uplink ? std::optional(fitOf(*sw, uplink->bps, peers, ctx))
                                           : std::nullopt)
                 .first;
    }
    const auto &fit = it->second;
    return fit && !fit->slower.empty() ? &*fit : nullptr;
}

void reportMovingVm(const Element &host, const MovingVm &moving,
                    const std::vector<const Element *> &peers, Fits &fits, RuleContext &ctx,
                    FindingSink &out)
{
    QStringList here, there, involved{moving.vm->id}, switches;
    for (const Element *v : moving.vnics) {
        const SwitchFit *fit = fitFor(str(*v, key::switch_), peers, fits, ctx);
        if (!fit)
            continue;
        involved << v->id;
        here << QStringLiteral("vNIC '%1' (%2 on switch '%3', %4 uplink)")
                    .arg(v->name(), formatBandwidth(number(*v, key::minimumBandwidthAbsolute)),
                         fit->slower.front().sw->name(), formatBandwidth(fit->bps));
        for (const SwitchFit::Slower &s : fit->slower) {
            if (switches.contains(s.sw->id))
                continue;
            switches << s.sw->id;
            there << QStringLiteral("host '%1' (switch '%2': %3 uplink)")
                         .arg(s.host->name(), s.sw->name(), formatBandwidth(s.bps));
        }
    }
    if (here.isEmpty())
        return;
    out.add(QStringLiteral("VM '%1' on host '%2' has absolute minimum bandwidth on %3 and can move "
                           "within cluster '%4' to %5, where the guarantee no longer fits. Use "
                           "weight-based minimums, which follow the VM to any link speed.")
                .arg(moving.vm->name(), host.name(), here.join(QStringLiteral(", ")),
                     str(host, key::cluster), there.join(QStringLiteral(", "))),
            involved + switches);
}

void absoluteMinimumsInCluster(const Element &host, RuleContext &ctx, FindingSink &out)
{
    const QString cluster = str(host, key::cluster);
    if (cluster.isEmpty())
        return;
    std::vector<MovingVm> moving;
    for (const Element *vm : ctx.children(host.id, K::VirtualMachine)) {
        MovingVm m{vm, {}};
        for (const Element *v : ctx.children(vm->id, K::VirtualNic))
            if (has(*v, key::minimumBandwidthAbsolute) && has(*v, key::switch_))
                m.vnics.push_back(v);
        if (!m.vnics.empty())
            moving.push_back(std::move(m));
    }
    if (moving.empty())
        return; // no need to look at the other hosts
    std::vector<const Element *> peers;
    for (const Element *h : ctx.all(K::Host)) // hosts are top-level
        if (h != &host && str(*h, key::cluster) == cluster)
            peers.push_back(h);
    Fits fits;
    for (const MovingVm &m : moving)
        reportMovingVm(host, m, peers, fits, ctx, out);
}

} // namespace

bool hasSoftwareQos(const Element &sw, RuleContext &ctx)
{
    const QString mode = str(sw, key::minimumBandwidthMode);
    if (mode == value::weight || mode == value::absolute)
        return true;
    const Minimums m = minimumsOn(sw, ctx);
    return m.defaultFlow > 0 || !m.weights.empty() || !m.absolutes.empty();
}

void addQosRules(std::vector<Rule> &out)
{
    out.push_back(
        rule("QOS-001", Severity::Error, K::VirtualSwitch, "One minimum-bandwidth mode per switch",
             "Minimum bandwidth is either absolute (bits per second) or a share (weight) of the "
             "bandwidth; a switch runs in one of these modes, so its vNICs cannot mix them.",
             "003_8b87448cefe986c9.txt §4.1.5.1", oneMinimumMode));
    out.push_back(rule(
        "QOS-002", Severity::Error, K::VirtualSwitch, "Weights on a switch add up to at most 100",
        "Weights are shares of the switch's bandwidth: the vNICs' weights plus the default-flow "
        "weight reserved for vNICs without a policy total at most 100.",
        "003_8b87448cefe986c9.txt §4.1.5, §4.3.2; 004_7c35f0513785686e.txt \"Network QoS\"",
        weightTotal));
    out.push_back(rule(
        "QOS-003", Severity::Error, K::VirtualSwitch, "Absolute minimums fit the uplink bandwidth",
        "Absolute (bps) rules guarantee a bandwidth out of the total available: the minimums on a "
        "switch cannot add up to more than its uplink gives (a team: its active members).",
        "003_8b87448cefe986c9.txt §4.1.5.1", absoluteTotal));
    out.push_back(rule(
        "QOS-004", Severity::Error, K::VirtualNic,
        "A vNIC's maximum bandwidth is not below its minimum",
        "Minimum bandwidth is a floor and maximum bandwidth a cap; a cap below the floor cannot be "
        "honoured. (Weights are shares, not bps, so only absolute minimums compare.)",
        "003_8b87448cefe986c9.txt §4.1.5.2", maximumNotBelowMinimum));
    out.push_back(rule(
        "QOS-005", Severity::Warning, K::VirtualSwitch,
        "A weight-mode switch reserves a default-flow weight",
        "Assign each vNIC a weighted minimum bandwidth policy, then a default QoS policy to the "
        "virtual switch to reserve bandwidth for vNICs that do not have an explicit policy.",
        "003_8b87448cefe986c9.txt §4.3.2 l.1674-1677", defaultFlowReserved));
    out.push_back(rule(
        "QOS-006", Severity::Warning, K::Host,
        "Absolute minimums break when a VM fails over to a slower host",
        "Absolute (bps) rules are inflexible when workloads move: after a failover a VM can land "
        "on "
        "a host with a slower NIC, where its guarantee no longer fits; weight rules follow it.",
        "003_8b87448cefe986c9.txt §4.1.5.1 l.973-988", absoluteMinimumsInCluster));
}

} // namespace converge::core::rules
