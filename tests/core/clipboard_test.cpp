#include "fixtures.h"
#include "printers.h"
#include "sampledesigns.h"

#include "core/io/designdocument.h"
#include "core/model/clipboard.h"
#include "core/model/commands.h"

#include <gtest/gtest.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

using namespace converge::core;

namespace {

Design small()
{
    auto d = designdocument::load(smallDocument());
    EXPECT_TRUE(d);
    return d ? std::move(*d) : Design();
}

QString errorOf(const Result<Edit> &r)
{
    return r ? QString() : r.error().message;
}

// Pastes and applies; returns the new element the pasted `kind` root became (the last one).
const Element *pasteAndApply(Design &d, const QByteArray &data, ElementKind kind,
                             const QString &target = {})
{
    auto edit = clipboard::paste(d, data, target);
    EXPECT_TRUE(edit) << errorOf(edit).toStdString();
    if (!edit || !d.apply(*edit))
        return nullptr;
    for (const Op &op : edit->ops)
        if (op.element.kind == kind)
            return d.find(op.element.id);
    return nullptr;
}

const Element *child(const Design &d, const Element &owner, ElementKind kind, const char *name)
{
    for (const Element *e : d.children(owner.id, kind))
        if (e->name() == QLatin1String(name))
            return e;
    return nullptr;
}

QString ref(const Element &e, const char *key)
{
    return e.value(QLatin1String(key)).toString();
}

} // namespace

TEST(Clipboard, PastingAHostTwiceGivesNewIdsAndNumberedNames)
{
    Design d = loadSample("smb-converged");
    const QByteArray data = clipboard::copy(d, {QStringLiteral("h1")});
    const Element *first = pasteAndApply(d, data, ElementKind::Host);
    const Element *second = pasteAndApply(d, data, ElementKind::Host);
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->name(), QStringLiteral("HV01 (2)"));
    EXPECT_EQ(second->name(), QStringLiteral("HV01 (3)"));
    EXPECT_NE(first->id, second->id);
    EXPECT_NE(first->id, QStringLiteral("h1"));
    EXPECT_EQ(d.count(ElementKind::Host), 4u);
    // Everything the host owns came along with new ids; names inside the host stay as they were.
    QSet<QString> ids;
    for (const Element *e : d.allElements())
        ids.insert(e->id);
    EXPECT_EQ(ids.size(), qsizetype(d.size()));
    EXPECT_EQ(d.children(second->id).size(), d.children(QStringLiteral("h1")).size());
    const Element *eth1 = child(d, *second, ElementKind::PhysicalNic, "eth1");
    ASSERT_NE(eth1, nullptr);
    EXPECT_EQ(ref(*eth1, "interfaceName"), QStringLiteral("eth1"));
    // Pasting the copy's copy continues the numbering instead of nesting it.
    const Element *third = pasteAndApply(d, clipboard::copy(d, {first->id}), ElementKind::Host);
    ASSERT_NE(third, nullptr);
    EXPECT_EQ(third->name(), QStringLiteral("HV01 (4)"));
}

TEST(Clipboard, ReferencesAmongPastedElementsFollowTheNewIds)
{
    Design d = loadSample("smb-converged");
    const Element *host =
        pasteAndApply(d, clipboard::copy(d, {QStringLiteral("h1")}), ElementKind::Host);
    ASSERT_NE(host, nullptr);
    const Element *team = child(d, *host, ElementKind::Team, "LAN");
    const Element *lan = child(d, *host, ElementKind::VirtualSwitch, "LAN");
    const Element *san1 = child(d, *host, ElementKind::VirtualSwitch, "vsSAN1");
    const Element *eth3 = child(d, *host, ElementKind::PhysicalNic, "eth3");
    const Element *mgmt = child(d, *host, ElementKind::VirtualNic, "Mgmt");
    const Element *g1 = child(d, *host, ElementKind::VirtualMachine, "g1");
    ASSERT_TRUE(team && lan && san1 && eth3 && mgmt && g1);
    EXPECT_EQ(team->value(QStringLiteral("members")).toArray(),
              (QJsonArray{child(d, *host, ElementKind::PhysicalNic, "eth1")->id,
                          child(d, *host, ElementKind::PhysicalNic, "eth2")->id}));
    EXPECT_EQ(ref(*lan, "uplink"), team->id);
    EXPECT_EQ(ref(*san1, "uplink"), eth3->id);
    EXPECT_EQ(ref(*mgmt, "switch"), lan->id);
    EXPECT_EQ(ref(*child(d, *g1, ElementKind::VirtualNic, "SAN1"), "switch"), san1->id);
    // The original is untouched.
    EXPECT_EQ(ref(*d.find(QStringLiteral("h1.mgmt")), "switch"), QStringLiteral("h1.vsLAN"));
}

TEST(Clipboard, PasteAppliesAndUndoRestoresTheDocumentExactly)
{
    Design d = loadSample("smb-converged");
    const QByteArray before = designdocument::save(d);
    auto edit =
        clipboard::paste(d, clipboard::copy(d, {QStringLiteral("h1"), QStringLiteral("h2")}));
    ASSERT_TRUE(edit) << errorOf(edit).toStdString();
    EXPECT_EQ(edit->description, QStringLiteral("Paste %1 elements").arg(edit->ops.size()));
    EditHistory history(d);
    ASSERT_TRUE(history.push(*edit));
    EXPECT_EQ(d.count(ElementKind::Host), 4u);
    ASSERT_TRUE(history.undo());
    EXPECT_EQ(designdocument::save(d), before);
    ASSERT_TRUE(history.redo());
    ASSERT_TRUE(d.apply(edit->inverted()));
    EXPECT_EQ(designdocument::save(d), before);
}

TEST(Clipboard, CablesComeAlongOnlyWhenBothEndsAreCopied)
{
    Design d = small();
    const auto elementsIn = [](const QByteArray &data) {
        return QJsonDocument::fromJson(data).object().value(QStringLiteral("elements")).toArray();
    };
    const QJsonArray hostOnly = elementsIn(clipboard::copy(d, {QStringLiteral("h1")}));
    for (const QJsonValue e : hostOnly)
        EXPECT_NE(e.toObject().value(QStringLiteral("kind")).toString(), QStringLiteral("Link"));
    const QByteArray both = clipboard::copy(d, {QStringLiteral("h1"), QStringLiteral("sw1")});
    EXPECT_EQ(elementsIn(both).size(), hostOnly.size() + 3 + 2); // switch, 2 ports, 2 links
    auto edit = clipboard::paste(d, both);
    ASSERT_TRUE(edit) << errorOf(edit).toStdString();
    ASSERT_TRUE(d.apply(*edit));
    ASSERT_EQ(d.count(ElementKind::Link), 4u);
    const Element *link = d.elements(ElementKind::Link)[2];
    EXPECT_EQ(link->name(), QStringLiteral("cable 1 (2)"));
    const Element *nic = d.find(ref(*link, "a"));
    const Element *port = d.find(ref(*link, "b"));
    ASSERT_TRUE(nic && port);
    EXPECT_EQ(d.find(nic->parent)->name(), QStringLiteral("hv1 (2)"));
    EXPECT_EQ(d.find(port->parent)->name(), QStringLiteral("tor1 (2)"));
}

TEST(Clipboard, ReferencesOutsideTheCopyAreKeptWhileTheTargetExistsElseDropped)
{
    Design d = small();
    const QByteArray mirror = clipboard::copy(d, {QStringLiteral("m1")});
    const QByteArray switchAndCable =
        clipboard::copy(d, {QStringLiteral("sw1"), QStringLiteral("l1")});
    const Element *kept = pasteAndApply(d, mirror, ElementKind::MirrorSession);
    ASSERT_NE(kept, nullptr);
    EXPECT_EQ(kept->name(), QStringLiteral("watch vm1 (2)"));
    EXPECT_EQ(ref(*kept, "switch"), QStringLiteral("h1.vs"));
    EXPECT_EQ(kept->value(QStringLiteral("sources")).toArray(), QJsonArray{"h1.vm1.lan"});

    auto remove = commands::removeElements(d, {QStringLiteral("h1")});
    ASSERT_TRUE(remove && d.apply(*remove));
    const Element *dropped = pasteAndApply(d, mirror, ElementKind::MirrorSession);
    ASSERT_NE(dropped, nullptr);
    EXPECT_TRUE(dropped->value(QStringLiteral("switch")).isUndefined());
    EXPECT_TRUE(dropped->value(QStringLiteral("destination")).isUndefined());
    EXPECT_EQ(dropped->value(QStringLiteral("sources")).toArray(), QJsonArray{});
    // A cable whose NIC is gone is left out; the switch and its ports are pasted.
    auto edit = clipboard::paste(d, switchAndCable);
    ASSERT_TRUE(edit) << errorOf(edit).toStdString();
    EXPECT_EQ(edit->ops.size(), 3u);
    EXPECT_EQ(edit->description, QStringLiteral("Paste 3 elements"));
    EXPECT_TRUE(d.apply(*edit));
}

TEST(Clipboard, ElementsWhoseOwnerWasNotCopiedGoUnderTheTargetOrTheirOldOwner)
{
    Design d = small();
    const Element *host =
        pasteAndApply(d, clipboard::copy(d, {QStringLiteral("h1")}), ElementKind::Host);
    ASSERT_NE(host, nullptr);
    const QByteArray nic = clipboard::copy(d, {QStringLiteral("h1.eth1")});
    const Element *intoTarget = pasteAndApply(d, nic, ElementKind::PhysicalNic, host->id);
    ASSERT_NE(intoTarget, nullptr);
    EXPECT_EQ(intoTarget->parent, host->id);
    EXPECT_EQ(intoTarget->name(), QStringLiteral("eth1 (2)"));
    EXPECT_EQ(ref(*intoTarget, "interfaceName"), QStringLiteral("eth1"));
    // A VM cannot own a physical NIC: it goes back to its old host.
    const Element *home = pasteAndApply(d, nic, ElementKind::PhysicalNic, QStringLiteral("h1.vm1"));
    ASSERT_NE(home, nullptr);
    EXPECT_EQ(home->parent, QStringLiteral("h1"));
    EXPECT_EQ(home->name(), QStringLiteral("eth1 (2)"));
    // A VM's vNIC may go under a host (as a management-OS vNIC).
    const Element *vnic = pasteAndApply(d, clipboard::copy(d, {QStringLiteral("h1.vm1.lan")}),
                                        ElementKind::VirtualNic, host->id);
    ASSERT_NE(vnic, nullptr);
    EXPECT_EQ(vnic->parent, host->id);

    EXPECT_EQ(clipboard::paste(d, nic, QStringLiteral("nope")).error().code, Error::Code::NotFound);
    auto remove = commands::removeElements(d, {QStringLiteral("h1")});
    ASSERT_TRUE(remove && d.apply(*remove));
    EXPECT_EQ(errorOf(clipboard::paste(d, nic)),
              QStringLiteral("clipboard element 0 (physical NIC 'eth1'): nowhere to paste it (its "
                             "owner 'h1' is not in the design); select a host to paste into"));
}

TEST(Clipboard, DuplicateCopiesInPlaceAndSaysWhat)
{
    Design d = loadSample("smb-converged");
    auto one = clipboard::duplicate(d, {QStringLiteral("h1"), QStringLiteral("h1.eth1")});
    ASSERT_TRUE(one) << errorOf(one).toStdString();
    EXPECT_EQ(one->description, QStringLiteral("Duplicate host 'HV01'"));
    ASSERT_TRUE(d.apply(*one));
    EXPECT_EQ(d.elements(ElementKind::Host).back()->name(), QStringLiteral("HV01 (2)"));

    auto nic = clipboard::duplicate(d, {QStringLiteral("h1.eth3")});
    ASSERT_TRUE(nic);
    EXPECT_EQ(nic->description, QStringLiteral("Duplicate physical NIC 'eth3'"));
    ASSERT_TRUE(d.apply(*nic));
    EXPECT_EQ(d.children(QStringLiteral("h1"), ElementKind::PhysicalNic).back()->name(),
              QStringLiteral("eth3 (2)"));

    auto two = clipboard::duplicate(d, {QStringLiteral("h1"), QStringLiteral("h2")});
    ASSERT_TRUE(two);
    EXPECT_EQ(two->description, QStringLiteral("Duplicate 2 elements"));
    EXPECT_EQ(clipboard::duplicate(d, {QStringLiteral("nope")}).error().code,
              Error::Code::NotFound);
}

namespace {

struct Malformed
{
    const char *what;
    QByteArray data;
    QString error;
};

QByteArray clip(const char *elements)
{
    return QByteArray(R"({"convergeClipboard": 1, "elements": )") + elements + "}";
}

const char *host = R"({"id": "h", "kind": "Host", "props": {"name": "hv", "platform": "hyperv"}})";

} // namespace

TEST(Clipboard, MalformedDataIsRefusedWithWhereAndWhatAndChangesNothing)
{
    const std::vector<Malformed> cases{
        {"not JSON", "hello", QStringLiteral("clipboard: not JSON (illegal value at offset 1)")},
        {"not an object", "[1, 2]",
         QStringLiteral("clipboard: no Converge elements (no convergeClipboard version)")},
        {"no marker", R"({"elements": []})",
         QStringLiteral("clipboard: no Converge elements (no convergeClipboard version)")},
        {"newer", R"({"convergeClipboard": 2, "elements": []})",
         QStringLiteral("clipboard: format version 2 is newer than this Converge reads (1)")},
        {"no elements", R"({"convergeClipboard": 1})",
         QStringLiteral("clipboard: elements: expected a non-empty array")},
        {"empty", clip("[]"), QStringLiteral("clipboard: elements: expected a non-empty array")},
        {"element not an object", clip("[5]"),
         QStringLiteral("clipboard element 0: expected an object")},
        {"no id", clip(R"([{"kind": "Vlan", "props": {"name": "v", "vlanId": 5}}])"),
         QStringLiteral("clipboard element 0: id: expected a non-empty string")},
        {"unknown kind", clip(R"([{"id": "r", "kind": "Router", "props": {"name": "r"}}])"),
         QStringLiteral("clipboard element 0: kind: unknown kind 'Router'")},
        {"parent not a string", clip(R"([{"id": "v", "kind": "Vlan", "parent": 3, "props": {}}])"),
         QStringLiteral("clipboard element 0: parent: expected a string")},
        {"props not an object", clip(R"([{"id": "v", "kind": "Vlan", "props": []}])"),
         QStringLiteral("clipboard element 0: props: expected an object")},
        {"missing name", clip(R"([{"id": "h", "kind": "Host", "props": {"platform": "hyperv"}}])"),
         QStringLiteral("clipboard element 0: name: missing (required for a Host)")},
        {"bad property",
         clip((QByteArray("[") + host +
               R"(, {"id": "n", "kind": "PhysicalNic", "parent": "h",
                     "props": {"name": "eth1", "interfaceName": "eth1", "speed": 0}}])")
                  .constData()),
         QStringLiteral("clipboard element 1 (physical NIC 'eth1'): speed: expected a positive "
                        "number (bits per second)")},
        {"unknown property",
         clip(R"([{"id": "v", "kind": "Vlan", "props": {"name": "v", "vlanId": 5, "colour": 1}}])"),
         QStringLiteral("clipboard element 0 (VLAN 'v'): colour: unknown property of a Vlan")},
        {"duplicate id", clip((QByteArray("[") + host + ", " + host + "]").constData()),
         QStringLiteral("clipboard element 1: id: 'h' appears twice")},
        {"wrong owner kind",
         clip((QByteArray("[") + host +
               R"(, {"id": "s", "kind": "VirtualSwitch", "parent": "h",
                     "props": {"name": "LAN", "type": "Internal"}},
                    {"id": "n", "kind": "PhysicalNic", "parent": "s",
                     "props": {"name": "eth1", "interfaceName": "eth1"}}])")
                  .constData()),
         QStringLiteral("clipboard element 2 (physical NIC 'eth1'): a physical NIC cannot be "
                        "placed under a virtual switch")},
        {"owner after it",
         clip((QByteArray(R"([{"id": "n", "kind": "PhysicalNic", "parent": "h",
                              "props": {"name": "eth1", "interfaceName": "eth1"}}, )") +
               host + "]")
                  .constData()),
         QStringLiteral("clipboard element 0 (physical NIC 'eth1'): its owner 'h' comes after it")},
        {"top-level kind with an owner",
         clip(
             R"([{"id": "v", "kind": "Vlan", "parent": "h1", "props": {"name": "v", "vlanId": 5}}])"),
         QStringLiteral("clipboard element 0 (VLAN 'v'): a VLAN sits at the top level, not under "
                        "'h1'")},
        {"reference to the wrong kind",
         clip((QByteArray("[") + host +
               R"(, {"id": "v", "kind": "Vlan", "props": {"name": "v", "vlanId": 5}},
                    {"id": "t", "kind": "Team", "parent": "h",
                     "props": {"name": "LAN", "members": ["v"]}}])")
                  .constData()),
         QStringLiteral("clipboard element 2 (team 'LAN'): members[0]: 'v' is a Vlan, expected a "
                        "PhysicalNic or VirtualNic")},
        {"nowhere to go", clip(R"([{"id": "n", "kind": "PhysicalNic", "parent": "gone",
                   "props": {"name": "eth1", "interfaceName": "eth1"}}])"),
         QStringLiteral("clipboard element 0 (physical NIC 'eth1'): nowhere to paste it (its owner "
                        "'gone' is not in the design); select a host to paste into")},
    };
    Design d = small();
    const QByteArray before = designdocument::save(d);
    for (const Malformed &c : cases) {
        auto edit = clipboard::paste(d, c.data, QStringLiteral("h1.vm1"));
        EXPECT_EQ(errorOf(edit), c.error) << c.what;
        EXPECT_EQ(designdocument::save(d), before) << c.what;
    }
    EXPECT_EQ(clipboard::paste(d, cases[3].data).error().code, Error::Code::NewerSchema);
    // The same data, well formed, pastes.
    auto good = clipboard::paste(d, clip((QByteArray("[") + host + "]").constData()));
    ASSERT_TRUE(good) << errorOf(good).toStdString();
    EXPECT_EQ(good->description, QStringLiteral("Paste 1 element"));
}

namespace {

// A VM copied from HV01 and pasted onto HV02 connects to HV02's switches of the same names;
// pasted back onto HV01 it keeps HV01's.
TEST(Clipboard, AVmPastedOntoAnotherHostUsesThatHostsSwitchesOfTheSameName)
{
    Design d = loadSample("smb-converged");
    const QByteArray data = clipboard::copy(d, {QStringLiteral("h1.g1")});
    ASSERT_FALSE(data.isEmpty());
    const Element *onOther =
        pasteAndApply(d, data, ElementKind::VirtualMachine, QStringLiteral("h2"));
    ASSERT_NE(onOther, nullptr);
    EXPECT_EQ(onOther->parent, QStringLiteral("h2"));
    const auto vnics = d.children(onOther->id, ElementKind::VirtualNic);
    ASSERT_FALSE(vnics.empty());
    for (const Element *vnic : vnics) {
        const Element *sw = d.find(ref(*vnic, "switch"));
        ASSERT_NE(sw, nullptr) << vnic->name().toStdString();
        EXPECT_EQ(sw->parent, QStringLiteral("h2")) << vnic->name().toStdString();
    }
    const Element *onSame =
        pasteAndApply(d, data, ElementKind::VirtualMachine, QStringLiteral("h1"));
    ASSERT_NE(onSame, nullptr);
    for (const Element *vnic : d.children(onSame->id, ElementKind::VirtualNic))
        EXPECT_EQ(d.find(ref(*vnic, "switch"))->parent, QStringLiteral("h1"));
}

} // namespace
