#include "printers.h"

#include "core/model/commands.h"
#include "core/model/design.h"
#include "core/model/schema.h"

#include <gtest/gtest.h>

#include <QJsonArray>
#include <QSet>

using namespace converge::core;

namespace {

Element element(const char *id, ElementKind kind, const char *parent, QJsonObject props)
{
    return Element{QString::fromLatin1(id), kind, QString::fromLatin1(parent), 0, std::move(props)};
}

Design smallDesign()
{
    Design d;
    d.insert(element("h1", ElementKind::Host, "", {{"name", "hv1"}, {"platform", "hyperv"}}));
    d.insert(element("h1.eth1", ElementKind::PhysicalNic, "h1",
                     {{"name", "eth1"}, {"interfaceName", "eth1"}}));
    d.insert(element("h1.vm1", ElementKind::VirtualMachine, "h1", {{"name", "vm1"}}));
    d.insert(element("h1.eth2", ElementKind::PhysicalNic, "h1",
                     {{"name", "eth2"}, {"interfaceName", "eth2"}}));
    return d;
}

} // namespace

TEST(Schema, EveryKindHasADistinctCollectionAndANameProperty)
{
    QSet<QString> seen;
    for (ElementKind kind : allElementKinds) {
        const KindSpec &spec = kindSpec(kind);
        EXPECT_FALSE(seen.contains(spec.collection)) << spec.collection.toStdString();
        seen.insert(spec.collection);
        ASSERT_NE(findProperty(kind, QStringLiteral("name")), nullptr);
        EXPECT_TRUE(findProperty(kind, QStringLiteral("name"))->required);
        EXPECT_EQ(kindFromName(kindName(kind)), kind);
    }
    EXPECT_EQ(seen.size(), 17);
}

TEST(Schema, ArchitectureKindsCarryTheirTypedProperties)
{
    // docs/design-document.md lists these per kind; the inspector and loader depend on their types.
    EXPECT_EQ(findProperty(ElementKind::PhysicalNic, QStringLiteral("speed"))->type,
              PropertyType::Bandwidth);
    EXPECT_EQ(findProperty(ElementKind::Team, QStringLiteral("members"))->type,
              PropertyType::RefList);
    EXPECT_EQ(findProperty(ElementKind::VirtualSwitch, QStringLiteral("minimumBandwidthMode"))
                  ->enumValues,
              (QStringList{QStringLiteral("None"), QStringLiteral("Absolute"),
                           QStringLiteral("Weight")}));
    for (const char *key : {"pvlanMode", "acls", "dhcpGuard", "routerGuard", "macSpoofing",
                            "maximumBandwidth", "trunkVlans", "nativeVlan", "addresses", "gateway"})
        EXPECT_NE(findProperty(ElementKind::VirtualNic, QString::fromLatin1(key)), nullptr) << key;
    EXPECT_EQ(findProperty(ElementKind::VmNetwork, QStringLiteral("vsid"))->type,
              PropertyType::Int);
    EXPECT_EQ(kindSpec(ElementKind::VirtualNic).parentKinds,
              (QList<ElementKind>{ElementKind::Host, ElementKind::VirtualMachine}));
}

// The reference (docs/design-document.md) says what leaving out each optional property means.
TEST(Schema, EveryOptionalPropertyStatesWhatAbsentMeans)
{
    const auto check = [](const std::vector<PropertySpec> &props, const QString &where,
                          const auto &self) -> void {
        for (const PropertySpec &p : props) {
            EXPECT_NE(p.required, !p.absent.isEmpty()) << (where + p.key).toStdString();
            if (p.type == PropertyType::Records)
                self(p.fields, where + p.key + QStringLiteral("[]."), self);
        }
    };
    for (ElementKind kind : allElementKinds)
        check(kindSpec(kind).properties, kindName(kind) + QLatin1Char('.'), check);
    const QString allowed =
        findProperty(ElementKind::VirtualSwitch, QStringLiteral("allowManagementOs"))->absent;
    EXPECT_TRUE(allowed.startsWith(QStringLiteral("on"))) << "003 l.683: selected by default";
    const QString hostInterface =
        findProperty(ElementKind::VirtualNic, QStringLiteral("hostInterface"))->absent;
    EXPECT_TRUE(hostInterface.contains(QStringLiteral("hyperv")) &&
                hostInterface.contains(QStringLiteral("linux-ovs")))
        << "what the interface name is on each platform";
    EXPECT_TRUE(findProperty(ElementKind::VirtualNic, QStringLiteral("pvlanSecondary"))
                    ->doc.contains(QStringLiteral("A promiscuous port takes a list of secondary "
                                                  "VLANs")));
}

TEST(Schema, ValuesAreCheckedAgainstTheirType)
{
    const PropertySpec &speed = *findProperty(ElementKind::PhysicalNic, QStringLiteral("speed"));
    EXPECT_FALSE(checkValue(speed, 10e9));
    EXPECT_EQ(checkValue(speed, -1).value_or(QString()),
              QStringLiteral("expected a positive number (bits per second)"));
    EXPECT_TRUE(checkValue(speed, QStringLiteral("10G")));
    const PropertySpec &addresses =
        *findProperty(ElementKind::VirtualNic, QStringLiteral("addresses"));
    EXPECT_FALSE(checkValue(
        addresses, QJsonArray{QStringLiteral("10.127.4.50/22"), QStringLiteral("fe80::1/64")}));
    EXPECT_TRUE(checkValue(addresses, QJsonArray{QStringLiteral("10.127.4.50/33")}));
    EXPECT_TRUE(checkValue(addresses, QJsonArray{QStringLiteral("10.127.4.50")}));
    const PropertySpec &mac = *findProperty(ElementKind::VirtualNic, QStringLiteral("mac"));
    EXPECT_FALSE(checkValue(mac, QStringLiteral("00-15-5D-01-02-03")));
    EXPECT_FALSE(checkValue(mac, QStringLiteral("00:15:5d:01:02:03")));
    EXPECT_TRUE(checkValue(mac, QStringLiteral("00-15-5D:01-02-03")));
    const PropertySpec &trunk =
        *findProperty(ElementKind::VirtualNic, QStringLiteral("trunkVlans"));
    EXPECT_EQ(checkValue(trunk, QJsonArray{10, 10}).value_or(QString()),
              QStringLiteral("duplicate entry 10 in the list"));
}

TEST(Design, KeepsCreationOrderPerOwner)
{
    const Design d = smallDesign();
    ASSERT_EQ(d.size(), 4u);
    const auto nics = d.children(QStringLiteral("h1"), ElementKind::PhysicalNic);
    ASSERT_EQ(nics.size(), 2u);
    EXPECT_EQ(nics[0]->id, QStringLiteral("h1.eth1"));
    EXPECT_EQ(nics[1]->id, QStringLiteral("h1.eth2"));
    EXPECT_EQ(d.children(QStringLiteral("h1")).size(), 3u);
    EXPECT_EQ(d.count(ElementKind::PhysicalNic), 2u);
    EXPECT_EQ(d.find(QStringLiteral("h1.vm1"))->name(), QStringLiteral("vm1"));
    EXPECT_EQ(d.find(QStringLiteral("nope")), nullptr);
}

TEST(Design, AnnouncesWhatChanged)
{
    Design d = smallDesign();
    std::vector<Change> seen;
    const int token = d.addListener([&](const std::vector<Change> &c) { seen = c; });
    auto edit = commands::setProperty(d, QStringLiteral("h1.eth1"), QStringLiteral("speed"), 1e9);
    ASSERT_TRUE(edit);
    ASSERT_TRUE(d.apply(*edit));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].type, Change::Type::PropertyChanged);
    EXPECT_EQ(seen[0].id, QStringLiteral("h1.eth1"));
    EXPECT_EQ(seen[0].kind, ElementKind::PhysicalNic);
    EXPECT_EQ(seen[0].key, QStringLiteral("speed"));
    d.removeListener(token);
    seen.clear();
    ASSERT_TRUE(d.apply(edit->inverted()));
    EXPECT_TRUE(seen.empty());
}

TEST(Design, AppliesAllOpsOrNone)
{
    Design d = smallDesign();
    const QJsonObject before = d.find(QStringLiteral("h1.eth1"))->props;
    Edit edit{QStringLiteral("two changes"), {}};
    edit.ops.push_back({Op::Type::Set,
                        {},
                        QStringLiteral("h1.eth1"),
                        QStringLiteral("speed"),
                        QJsonValue::Undefined,
                        1e9});
    // The second op expects a value the element does not have: a stale edit.
    edit.ops.push_back(
        {Op::Type::Set, {}, QStringLiteral("h1.eth2"), QStringLiteral("speed"), 5, 6});
    int notified = 0;
    d.addListener([&](const std::vector<Change> &) { ++notified; });
    const auto result = d.apply(edit);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, Error::Code::Conflict);
    EXPECT_EQ(d.find(QStringLiteral("h1.eth1"))->props, before);
    EXPECT_EQ(notified, 0);
}

TEST(Design, RefusesToRemoveAnElementThatStillOwnsOthers)
{
    Design d = smallDesign();
    Edit edit{QStringLiteral("bad"),
              {{Op::Type::Remove, *d.find(QStringLiteral("h1")), {}, {}, {}, {}}}};
    EXPECT_FALSE(d.apply(edit));
    EXPECT_NE(d.find(QStringLiteral("h1")), nullptr);
}
