#pragma once

#include <QString>

#include <array>
#include <optional>

namespace converge::core {

// Every kind of element a design holds (docs/design-document.md).
enum class ElementKind {
    Host,
    PhysicalNic,
    Team,
    VirtualSwitch,
    VirtualMachine,
    VirtualNic,
    PhysicalSwitch,
    SwitchPort,
    Link,
    Vlan,
    Subnet,
    VmNetwork,
    ResourcePool,
    MirrorSession,
    DhcpFailover,
    StorageTarget,
    Suppression, // an accepted validation finding with its justification
};

inline constexpr std::array allElementKinds{
    ElementKind::Host,           ElementKind::PhysicalNic,    ElementKind::Team,
    ElementKind::VirtualSwitch,  ElementKind::VirtualMachine, ElementKind::VirtualNic,
    ElementKind::PhysicalSwitch, ElementKind::SwitchPort,     ElementKind::Link,
    ElementKind::Vlan,           ElementKind::Subnet,         ElementKind::VmNetwork,
    ElementKind::ResourcePool,   ElementKind::MirrorSession,  ElementKind::DhcpFailover,
    ElementKind::StorageTarget,  ElementKind::Suppression,
};

// The kind's name as written in documents, messages and the store ("VirtualSwitch").
QString kindName(ElementKind kind);
std::optional<ElementKind> kindFromName(const QString &name);

} // namespace converge::core
