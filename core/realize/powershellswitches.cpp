// LBFO teams and virtual switches of a hyperv host's script.
#include "powershellsections.h"
#include "scripts.h"

#include "core/model/design.h"

#include <QJsonArray>

namespace converge::core::realize::ps {

using core::ElementKind;

namespace {

// Design team modes and algorithms -> New-NetLbfoTeam's enumerations.
QString teamingMode(const Element &team)
{
    const QString mode = str(team, key::mode);
    if (mode == value::lacp)
        return QStringLiteral("Lacp");
    return mode == value::static_ ? QStringLiteral("Static") : QStringLiteral("SwitchIndependent");
}

QString loadBalancing(const Element &team)
{
    const QString lb = str(team, key::loadBalancing);
    if (lb == value::addressHash)
        return QStringLiteral("TransportPorts"); // the address-hash default (4-tuple)
    return lb == value::hyperVPort ? QStringLiteral("HyperVPort") : QStringLiteral("Dynamic");
}

void standbyMember(Writer &s, const Design &design, const Element &team)
{
    const Element *standby = design.find(str(team, key::standbyMember));
    if (standby && teamingMode(team) == QLatin1String("SwitchIndependent"))
        s.line(QStringLiteral("Set-NetLbfoTeamMember -Name %1 -Team %2 -AdministrativeMode "
                              "Standby -Confirm:$false")
                   .arg(psQuote(adapterName(*standby)), psQuote(team.name())));
    else if (standby)
        s.warn(QStringLiteral("%1: a standby member needs switch-independent teaming: not set")
                   .arg(what(team)));
}

// Team interfaces beyond the default one (which carries the team's name): VLAN tNICs.
void teamNics(Writer &s, const Element &team)
{
    for (const QJsonValue &v : team.value(key::teamInterfaces).toArray()) {
        const QJsonObject tnic = v.toObject();
        const QString name = tnic.value(key::name).toString();
        if (name == team.name() || !tnic.contains(key::vlan))
            continue;
        s.open(QStringLiteral("if (-not (Get-NetLbfoTeamNic -Team %1 -Name %2 -ErrorAction "
                              "SilentlyContinue))")
                   .arg(psQuote(team.name()), psQuote(name)));
        s.line(QStringLiteral("Add-NetLbfoTeamNic -Team %1 -Name %2 -VlanID %3 -Confirm:$false")
                   .arg(psQuote(team.name()), psQuote(name))
                   .arg(tnic.value(key::vlan).toInt()));
        s.close();
    }
}

bool hasManagementVnic(const Design &design, const Element &host, const Element &sw)
{
    for (const Element *v : design.children(host.id, ElementKind::VirtualNic))
        if (str(*v, key::switch_) == sw.id)
            return true;
    return false;
}

bool isSwitchEmbeddedTeam(const Element &uplink)
{
    return uplink.kind == ElementKind::Team && uplink.value(key::switchEmbedded).toBool();
}

// An external switch's -NetAdapterName and -AllowManagementOS.
QString uplinkArguments(const Design &design, const Element &host, const Element &sw,
                        const Element &uplink)
{
    QString args;
    if (isSwitchEmbeddedTeam(uplink))
        args = QStringLiteral(" -NetAdapterName %1 -EnableEmbeddedTeaming $true")
                   .arg(psList(memberAdapters(design, uplink)));
    else
        args = QStringLiteral(" -NetAdapterName %1")
                   .arg(psQuote(uplink.kind == ElementKind::Team ? uplink.name()
                                                                 : adapterName(uplink)));
    // The design's management-OS vNICs are added by name below; Hyper-V's automatic one
    // (named after the switch) only when the design shares the uplink without naming any.
    const bool automatic =
        sw.value(key::allowManagementOs).toBool(true) && !hasManagementVnic(design, host, sw);
    return args + (automatic ? QStringLiteral(" -AllowManagementOS $true")
                             : QStringLiteral(" -AllowManagementOS $false"));
}

// New-VMSwitch's arguments after -Name, or empty (with a warning) if the design lacks them.
QString switchArguments(Writer &s, const Design &design, const Element &host, const Element &sw)
{
    QString args;
    const QString type = str(sw, key::type);
    if (type == value::external) {
        const Element *uplink = design.find(str(sw, key::uplink));
        if (!uplink) {
            s.warn(QStringLiteral("%1 is external but has no uplink in the design: not created")
                       .arg(what(sw)));
            return {};
        }
        args = uplinkArguments(design, host, sw, *uplink);
    } else {
        args = type == value::internal ? QStringLiteral(" -SwitchType Internal")
                                       : QStringLiteral(" -SwitchType Private");
    }
    const QString mode = str(sw, key::minimumBandwidthMode);
    if (mode == value::weight || mode == value::absolute || mode == value::none)
        args += QStringLiteral(" -MinimumBandwidthMode ") + mode;
    if (sw.value(key::sriov).toBool() && type == value::external)
        args += QStringLiteral(" -EnableIov $true");
    return args;
}

} // namespace

void lbfoTeam(Writer &s, const Design &design, const Element &team)
{
    const QStringList members = memberAdapters(design, team);
    s.comment(QStringLiteral("%1: members %2, %3, %4")
                  .arg(what(team), members.join(QLatin1String(", ")), teamingMode(team),
                       loadBalancing(team)));
    if (members.isEmpty()) {
        s.warn(QStringLiteral("%1 has no member NICs in the design: not created").arg(what(team)));
        return;
    }
    s.open(QStringLiteral("if (-not (Get-NetLbfoTeam -Name %1 -ErrorAction SilentlyContinue))")
               .arg(psQuote(team.name())));
    s.line(QStringLiteral("New-NetLbfoTeam -Name %1 -TeamMembers %2 -TeamingMode %3 "
                          "-LoadBalancingAlgorithm %4 -Confirm:$false")
               .arg(psQuote(team.name()), psList(members), teamingMode(team), loadBalancing(team)));
    s.close();
    standbyMember(s, design, team);
    teamNics(s, team);
}

void virtualSwitch(Writer &s, const Design &design, const Element &host, const Element &sw)
{
    s.comment(QStringLiteral("%1: %2 switch").arg(what(sw), str(sw, key::type)));
    const QString args = switchArguments(s, design, host, sw);
    if (args.isEmpty())
        return;
    s.open(QStringLiteral("if (-not (Get-VMSwitch -Name %1 -ErrorAction SilentlyContinue))")
               .arg(psQuote(sw.name())));
    s.line(QStringLiteral("New-VMSwitch -Name %1%2").arg(psQuote(sw.name()), args));
    s.close();
    const Element *uplink = design.find(str(sw, key::uplink));
    if (uplink && isSwitchEmbeddedTeam(*uplink) && str(sw, key::type) == value::external)
        s.line(QStringLiteral("Set-VMSwitchTeam -Name %1 -LoadBalancingAlgorithm %2")
                   .arg(psQuote(sw.name()), str(*uplink, key::loadBalancing) == value::hyperVPort
                                                ? QStringLiteral("HyperVPort")
                                                : QStringLiteral("Dynamic")));
    if (str(sw, key::minimumBandwidthMode) == value::weight && has(sw, key::defaultFlowWeight))
        s.line(QStringLiteral("Set-VMSwitch -Name %1 -DefaultFlowMinimumBandwidthWeight %2")
                   .arg(psQuote(sw.name()), num(sw, key::defaultFlowWeight)));
    switchExtensions(s, sw);
}

} // namespace converge::core::realize::ps
