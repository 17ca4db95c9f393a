#pragma once

#include "core/model/element.h"

#include <QHash>
#include <QString>
#include <QStringList>

namespace converge::core {
class Design;
}

// The sections of a hyperv host's PowerShell script (powerShellScript, scripts.h) and what they
// share: the writer and the element values they quote.
namespace converge::core::realize::ps {

using core::Design;
using core::Element;

// The script's text: lines at the current indentation, blocks opened with " {".
class Writer
{
public:
    void line(const QString &text) { m_out += m_indent + text + QLatin1Char('\n'); }
    void blank() { m_out += QLatin1Char('\n'); }
    void comment(const QString &text);
    void warn(const QString &text);
    void open(const QString &text);
    void close();
    void otherwise(); // "} else {"
    QString text() const { return m_out; }

private:
    QString m_out;
    QString m_indent;
};

// A property as the script writes it.
QString str(const Element &e, QLatin1StringView key);
bool has(const Element &e, QLatin1StringView key);
QString num(const Element &e, QLatin1StringView key); // a whole number
QString onOff(const Element &e, QLatin1StringView key);
QString psList(const QStringList &values); // 'a', 'b'
QString what(const Element &e);            // "Kind 'name' (id)"
// The Windows name of a physical NIC: its interface name (NetAdapter name), else its name.
QString adapterName(const Element &nic);
QStringList memberAdapters(const Design &design, const Element &team);
// The management-OS interface of a vNIC: its hostInterface, else "vEthernet (NAME)".
QString hostAlias(const Element &vnic);

// vNIC id -> its mirroring role: mirror sessions first, then the vNIC's own mirroringRole.
using MirroringRoles = QHash<QString, QString>;

// powershellswitches.cpp
void lbfoTeam(Writer &s, const Design &design, const Element &team);
void virtualSwitch(Writer &s, const Design &design, const Element &host, const Element &sw);

// powershelladapters.cpp
void managementVnic(Writer &s, const Design &design, const Element &vnic,
                    const MirroringRoles &roles);
void vmVnic(Writer &s, const Design &design, const Element &vm, const Element &vnic,
            const MirroringRoles &roles);

// powershellfeatures.cpp
// Set-NetAdapterAdvancedProperty *JumboPacket for every physical NIC of HOST with an MTU.
void adapterMtus(Writer &s, const Design &design, const Element &host);
// A management-OS vNIC's MTU on its interface; a VM vNIC's is noted as the guest's to set.
void vnicMtu(Writer &s, const Element &vnic, bool managementOs);
// A team's queue mode (RSS or dVMQ) on its member adapters.
void teamQueues(Writer &s, const Design &design, const Element &team);
// Enable-/Disable-VMSwitchExtension for the switch's extensions.
void switchExtensions(Writer &s, const Element &sw);
// A promiscuous port's -SecondaryVlanIdList: its own secondary and those of the isolated and
// community ports with the same primary on its switch ("11,12").
QString pvlanSecondaryList(const Design &design, const Element &vnic);
// " -VirtualSubnetId N" for the vNICs of a VM in a network-virtualization VM network.
QString virtualSubnetArgument(const Design &design, const Element &vm);
// Lookup records and customer routes of the VM networks HOST's VMs are in.
void networkVirtualization(Writer &s, const Design &design, const Element &host);

} // namespace converge::core::realize::ps
