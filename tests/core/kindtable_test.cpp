#include "printers.h"

#include "core/model/newelements.h"
#include "core/model/palette.h"
#include "core/model/schema.h"

#include <gtest/gtest.h>

#include <QJsonArray>

using namespace converge::core;

namespace {

using K = ElementKind;

std::optional<QString> problem(K kind, const char *key, const QJsonValue &value)
{
    return checkValue(*findProperty(kind, QString::fromLatin1(key)), value);
}

} // namespace

TEST(Schema, EachTypeSaysWhatItExpects)
{
    EXPECT_EQ(problem(K::Host, "description", 5), QStringLiteral("expected a string"));
    EXPECT_EQ(problem(K::Host, "name", QStringLiteral(" ")),
              QStringLiteral("expected a non-empty name"));
    EXPECT_EQ(problem(K::PhysicalNic, "interfaceName", QStringLiteral("a/b")),
              QStringLiteral("expected an interface name (1-64 letters, digits, spaces or "
                             "._:()#+-, starting with a letter or digit)"));
    EXPECT_EQ(problem(K::PhysicalNic, "sriov", QStringLiteral("yes")),
              QStringLiteral("expected true or false"));
    EXPECT_EQ(problem(K::PhysicalNic, "mtu", 10), QStringLiteral("expected an integer 68-65535"));
    EXPECT_EQ(problem(K::Host, "platform", QStringLiteral("xen")),
              QStringLiteral("expected one of linux-ovs, hyperv"));
    EXPECT_EQ(problem(K::VirtualNic, "trunkVlans", QJsonArray{5000}),
              QStringLiteral("expected an array of integers 0-4095"));
    EXPECT_EQ(problem(K::VirtualNic, "gateway", QStringLiteral("10.0.0")),
              QStringLiteral("expected an IP address"));
    EXPECT_EQ(problem(K::Host, "providerAddress", QStringLiteral("10.0.0.1")),
              QStringLiteral("expected an IP prefix such as 10.0.0.5/24"));
    EXPECT_EQ(problem(K::VirtualNic, "dns", QJsonArray{QStringLiteral("x")}),
              QStringLiteral("expected an array of IP addresses"));
    EXPECT_EQ(problem(K::VirtualNic, "addresses", QJsonArray{QStringLiteral("x")}),
              QStringLiteral("expected an array of IP prefixes such as 10.0.0.5/24"));
    EXPECT_EQ(problem(K::VirtualNic, "mac", QStringLiteral("00-15")),
              QStringLiteral("expected a MAC address such as 00-15-5D-01-02-03"));
    EXPECT_EQ(problem(K::VirtualNic, "switch", QStringLiteral("no such id!")),
              QStringLiteral("expected an element id"));
    EXPECT_EQ(problem(K::Team, "members", QJsonArray{1}),
              QStringLiteral("expected an array of element ids"));
    EXPECT_EQ(problem(K::Team, "members", QJsonArray{QStringLiteral("a"), QStringLiteral("a")}),
              QStringLiteral("duplicate entry a in the list"));
    EXPECT_EQ(problem(K::Team, "teamInterfaces", QJsonArray{QJsonObject{}}),
              QStringLiteral("[0].name: missing (required)"));
    EXPECT_EQ(problem(K::Host, "position", QJsonArray{1}),
              QStringLiteral("expected [x, y], two numbers -10000000 to 10000000"));
    EXPECT_FALSE(problem(K::Host, "position", QJsonArray{1, 2.5}));
}

TEST(KindTable, EveryKindHasItsWords)
{
    const QList<ElementKind> palette = palette::kinds();
    for (ElementKind kind : allElementKinds) {
        const KindTexts &t = kindTexts(kind);
        const std::string name = kindName(kind).toStdString();
        for (const QString *text :
             {&t.noun, &t.findingNoun, &t.label, &t.groupLabel, &t.shortNoun, &t.shortPlural})
            EXPECT_FALSE(text->isEmpty()) << name;
        EXPECT_EQ(palette.contains(kind), !t.newName.isEmpty()) << name;
        EXPECT_EQ(palette.contains(kind), !t.paletteHint.isEmpty()) << name;
    }
    const KindTexts &sw = kindTexts(K::VirtualSwitch);
    EXPECT_EQ(sw.noun, QStringLiteral("virtual switch"));
    EXPECT_EQ(sw.label, QStringLiteral("Virtual switch"));
    EXPECT_EQ(sw.groupLabel, QStringLiteral("Virtual switches"));
    EXPECT_EQ(sw.shortPlural, QStringLiteral("vSwitches"));
    EXPECT_EQ(kindWords(K::PhysicalNic), QStringLiteral("physical NIC"));
    EXPECT_EQ(kindTexts(K::PhysicalNic).findingNoun, QStringLiteral("NIC"));
    EXPECT_EQ(kindTexts(K::Suppression).label, QStringLiteral("Accepted finding"));
    EXPECT_EQ(kindName(K::VmNetwork), QStringLiteral("VmNetwork"));
}
