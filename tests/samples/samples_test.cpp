// The sample designs in resources/samples: each loads, round-trips losslessly, and shows the
// facts of the source document it is drawn from (docs/samples.md).

#include "../core/printers.h"

#include "core/io/designdocument.h"
#include "core/model/design.h"
#include "core/util/ipaddress.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QStringList>

#include <optional>
#include <ostream>

using namespace converge::core;

namespace {

using K = ElementKind;

const QStringList sampleFiles{
    QStringLiteral("smb-basic.converge.json"),
    QStringLiteral("smb-converged.converge.json"),
    QStringLiteral("smb-iscsi-highperf.converge.json"),
    QStringLiteral("multitenant-overlay.converge.json"),
};

QString samplesDir()
{
    return QStringLiteral(CONVERGE_SOURCE_DIR "/resources/samples");
}

QByteArray readSample(const QString &file)
{
    QFile f(samplesDir() + QLatin1Char('/') + file);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

// Loads a sample or fails the calling test with the loader's message.
std::optional<Design> loadSample(const QString &file)
{
    auto design = designdocument::load(readSample(file));
    if (!design) {
        ADD_FAILURE() << file.toStdString() << ": " << design.error().message.toStdString();
        return std::nullopt;
    }
    return std::move(*design);
}

QString str(const Element *e, const char *key)
{
    return e->value(QLatin1String(key)).toString();
}

QStringList strings(const Element *e, const char *key)
{
    QStringList out;
    for (const QJsonValue v : e->value(QLatin1String(key)).toArray())
        out << v.toString();
    return out;
}

int integer(const Element *e, const char *key)
{
    return e->value(QLatin1String(key)).toInt();
}

bool flag(const Element *e, const char *key)
{
    return e->value(QLatin1String(key)).toBool();
}

// The child of `parent` of `kind` with the given name (nullptr when absent).
const Element *child(const Design &d, const QString &parent, K kind, const QString &name)
{
    for (const Element *e : d.children(parent, kind))
        if (e->name() == name)
            return e;
    return nullptr;
}

const Element *byName(const Design &d, K kind, const QString &name)
{
    for (const Element *e : d.elements(kind))
        if (e->name() == name)
            return e;
    return nullptr;
}

// The physical NICs under a switch: its uplink NIC, or the members of its uplink team.
std::vector<const Element *> uplinkNics(const Design &d, const Element *vswitch)
{
    std::vector<const Element *> out;
    const Element *uplink = d.find(str(vswitch, "uplink"));
    if (!uplink)
        return out;
    if (uplink->kind == K::PhysicalNic)
        return {uplink};
    for (const QString &id : strings(uplink, "members"))
        if (const Element *nic = d.find(id))
            out.push_back(nic);
    return out;
}

// The switch port a NIC is cabled to.
const Element *portOf(const Design &d, const QString &nicId)
{
    for (const Element *link : d.elements(K::Link)) {
        if (str(link, "a") == nicId)
            return d.find(str(link, "b"));
        if (str(link, "b") == nicId)
            return d.find(str(link, "a"));
    }
    return nullptr;
}

bool inTeam(const Design &d, const QString &nicId)
{
    for (const Element *team : d.elements(K::Team))
        if (strings(team, "members").contains(nicId))
            return true;
    return false;
}

std::vector<const Element *> vnicsOnSwitch(const Design &d, const QString &switchId)
{
    std::vector<const Element *> out;
    for (const Element *v : d.elements(K::VirtualNic))
        if (str(v, "switch") == switchId)
            out.push_back(v);
    return out;
}

// A vNIC's routing domain: the VM network's for VMs on a virtualized network, else "".
QString routingDomain(const Design &d, const Element *vnic)
{
    const Element *owner = d.find(vnic->parent);
    if (owner->kind != K::VirtualMachine)
        return {};
    const Element *net = d.find(str(owner, "vmNetwork"));
    return net ? str(net, "routingDomain") : QString();
}

// The management-OS vNIC of `host` named `name`: {address/prefix, gateway, weight}.
struct VnicFacts
{
    QString address;
    QString gateway;
    int weight = -1;
    friend bool operator==(const VnicFacts &, const VnicFacts &) = default;
    friend void PrintTo(const VnicFacts &f, std::ostream *os)
    {
        *os << f.address.toStdString() << " gw '" << f.gateway.toStdString() << "' weight "
            << f.weight;
    }
};

VnicFacts facts(const Element *vnic)
{
    if (!vnic)
        return {QStringLiteral("(missing)"), {}, -1};
    return {strings(vnic, "addresses").join(QLatin1Char(' ')), str(vnic, "gateway"),
            vnic->value(QStringLiteral("minimumBandwidthWeight")).toInt(-1)};
}

// Whether `prefix` holds `address` (a plain address or address/length).
bool contains(const QString &prefix, const QString &address)
{
    const auto p = IpPrefix::parse(prefix);
    const auto a = IpAddress::parse(address.section(QLatin1Char('/'), 0, 0));
    return p && a && p->contains(*a);
}

// A test on one sample, loaded in SetUp. Every suite is instantiated with the prefix "samples",
// so `ctest -R samples` selects them all.
class Sample : public ::testing::TestWithParam<QString>
{
protected:
    void SetUp() override
    {
        design = loadSample(GetParam());
        ASSERT_TRUE(design);
    }
    std::optional<Design> design;
};

std::string sampleTestName(const ::testing::TestParamInfo<QString> &param)
{
    QString name = param.param.section(QLatin1Char('.'), 0, 0);
    name.remove(QLatin1Char('-'));
    return name.toStdString();
}

// ---------------------------------------------------------------------------------------------
// Every sample

class EverySample : public ::testing::TestWithParam<QString>
{
};

TEST_P(EverySample, Loads)
{
    const QByteArray json = readSample(GetParam());
    ASSERT_FALSE(json.isEmpty()) << "cannot read " << GetParam().toStdString();
    auto design = designdocument::load(json);
    ASSERT_TRUE(design.has_value()) << design.error().message.toStdString();
    EXPECT_GT(design->size(), 0u);
}

TEST_P(EverySample, RoundTripIsLossless)
{
    const QByteArray json = readSample(GetParam());
    auto design = designdocument::load(json);
    ASSERT_TRUE(design.has_value()) << design.error().message.toStdString();
    const QJsonObject original = QJsonDocument::fromJson(json).object();
    const QJsonObject saved = QJsonDocument::fromJson(designdocument::save(*design)).object();
    EXPECT_EQ(saved, original) << "save(load(x)) differs from " << GetParam().toStdString();
}

TEST_P(EverySample, SavingAgainGivesTheSameBytes)
{
    auto design = designdocument::load(readSample(GetParam()));
    ASSERT_TRUE(design.has_value()) << design.error().message.toStdString();
    const QByteArray once = designdocument::save(*design);
    auto again = designdocument::load(once);
    ASSERT_TRUE(again.has_value()) << again.error().message.toStdString();
    EXPECT_EQ(designdocument::save(*again), once);
}

TEST_P(EverySample, NamesDescribesAndCitesItsSource)
{
    const QJsonObject root = QJsonDocument::fromJson(readSample(GetParam())).object();
    EXPECT_EQ(root.value(QStringLiteral("schemaVersion")).toInt(),
              designdocument::currentSchemaVersion);
    EXPECT_FALSE(root.value(QStringLiteral("name")).toString().isEmpty());
    EXPECT_GE(root.value(QStringLiteral("description")).toString().size(), 200);
    const QString source = root.value(QStringLiteral("source")).toString();
    EXPECT_TRUE(source.startsWith(QLatin1String("003_8b87448cefe986c9.txt")) ||
                source.startsWith(QLatin1String("004_7c35f0513785686e.txt")))
        << source.toStdString();
}

TEST_P(EverySample, NoDuplicateAddressOrMac)
{
    auto d = loadSample(GetParam());
    ASSERT_TRUE(d);
    QHash<QString, QString> seenAddress; // "domain|address" -> vNIC id
    QHash<QString, QString> seenMac;
    for (const Element *v : d->elements(K::VirtualNic)) {
        for (const QString &a : strings(v, "addresses")) {
            const QString key =
                routingDomain(*d, v) + QLatin1Char('|') + a.section(QLatin1Char('/'), 0, 0);
            EXPECT_FALSE(seenAddress.contains(key))
                << a.toStdString() << " on " << v->id.toStdString() << " and "
                << seenAddress.value(key).toStdString();
            seenAddress.insert(key, v->id);
        }
        const QString mac = str(v, "mac").toUpper();
        EXPECT_FALSE(mac.isEmpty()) << v->id.toStdString() << " has no MAC";
        EXPECT_FALSE(seenMac.contains(mac)) << mac.toStdString() << " twice";
        seenMac.insert(mac, v->id);
    }
}

TEST_P(EverySample, EveryVnicHasARoleAndEveryNicARoleSpeedAndMtu)
{
    auto d = loadSample(GetParam());
    ASSERT_TRUE(d);
    for (const Element *v : d->elements(K::VirtualNic))
        EXPECT_FALSE(str(v, "trafficRole").isEmpty()) << v->id.toStdString();
    for (const Element *n : d->elements(K::PhysicalNic)) {
        EXPECT_FALSE(str(n, "role").isEmpty()) << n->id.toStdString();
        EXPECT_GT(n->value(QStringLiteral("speed")).toDouble(), 0) << n->id.toStdString();
        EXPECT_GT(integer(n, "mtu"), 0) << n->id.toStdString();
    }
}

TEST_P(EverySample, VmVnicsHaveGuardsOnAndNoMacSpoofing)
{
    auto d = loadSample(GetParam());
    ASSERT_TRUE(d);
    for (const Element *vm : d->elements(K::VirtualMachine)) {
        for (const Element *v : d->children(vm->id, K::VirtualNic)) {
            EXPECT_TRUE(flag(v, "dhcpGuard")) << v->id.toStdString();
            EXPECT_TRUE(flag(v, "routerGuard")) << v->id.toStdString();
            EXPECT_EQ(v->value(QStringLiteral("macSpoofing")), QJsonValue(false))
                << v->id.toStdString();
        }
    }
}

// MTU-001: a vNIC's MTU is not above its uplink NICs', nor a NIC's above its switch port's.
TEST_P(EverySample, MtuNeverShrinksAlongThePath)
{
    auto d = loadSample(GetParam());
    ASSERT_TRUE(d);
    for (const Element *v : d->elements(K::VirtualNic)) {
        const Element *vswitch = d->find(str(v, "switch"));
        ASSERT_NE(vswitch, nullptr) << v->id.toStdString();
        for (const Element *nic : uplinkNics(*d, vswitch)) {
            EXPECT_LE(integer(v, "mtu"), integer(nic, "mtu")) << v->id.toStdString();
            const Element *port = portOf(*d, nic->id);
            ASSERT_NE(port, nullptr) << nic->id.toStdString() << " is not cabled";
            EXPECT_LE(integer(nic, "mtu"), integer(port, "mtu")) << nic->id.toStdString();
        }
    }
}

TEST(samples, TheDirectoryHoldsTheFourSamplesAndTheBrokenOne)
{
    // broken-lab breaks rules on purpose (the validation tests check it), so it is not one of
    // the correct samples checked here.
    const QStringList present =
        QDir(samplesDir()).entryList({QStringLiteral("*.converge.json")}, QDir::Files);
    for (const QString &file : sampleFiles)
        EXPECT_TRUE(present.contains(file)) << file.toStdString();
    EXPECT_TRUE(present.contains(QStringLiteral("broken-lab.converge.json")));
    EXPECT_EQ(present.size(), sampleFiles.size() + 1)
        << "a new sample needs adding to sampleFiles here and to docs/samples.md";
}

// The programs open the samples from the compiled-in resources (resources/CMakeLists.txt).
TEST_P(EverySample, IsCompiledIntoTheResources)
{
    QFile compiled(QStringLiteral(":/samples/") + GetParam());
    ASSERT_TRUE(compiled.open(QIODevice::ReadOnly)) << "not in resources/CMakeLists.txt";
    EXPECT_EQ(compiled.readAll(), readSample(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(samples, EverySample, ::testing::ValuesIn(sampleFiles), sampleTestName);

// ---------------------------------------------------------------------------------------------
// smb-basic: 003 §4.3.1, Tables 8-9

class SmbBasic : public Sample
{
protected:
    void SetUp() override
    {
        Sample::SetUp();
        ASSERT_TRUE(design);
        ASSERT_EQ(design->count(K::Host), 1u);
        host = design->elements(K::Host).front();
    }
    const Element *host = nullptr;
};

INSTANTIATE_TEST_SUITE_P(samples, SmbBasic,
                         ::testing::Values(QStringLiteral("smb-basic.converge.json")),
                         sampleTestName);

TEST_P(SmbBasic, HostIsHyperVDatacenterWithFourGuests)
{
    EXPECT_EQ(str(host, "platform"), QStringLiteral("hyperv"));
    EXPECT_EQ(str(host, "edition"), QStringLiteral("Datacenter"));
    EXPECT_TRUE(flag(host, "hardwareVirtualization"));
    EXPECT_EQ(design->children(host->id, K::VirtualMachine).size(), 4u);
    EXPECT_EQ(design->count(K::Team), 0u);
}

TEST_P(SmbBasic, ThreeExternalSwitchesEachWithItsOwnNic)
{
    const auto switches = design->children(host->id, K::VirtualSwitch);
    ASSERT_EQ(switches.size(), 3u);
    QSet<QString> uplinks;
    const QHash<QString, QString> nicOf{{QStringLiteral("vsLAN"), QStringLiteral("eth1")},
                                        {QStringLiteral("vsSAN1"), QStringLiteral("eth2")},
                                        {QStringLiteral("vsSAN2"), QStringLiteral("eth3")}};
    for (const Element *s : switches) {
        EXPECT_EQ(str(s, "type"), QStringLiteral("External")) << s->id.toStdString();
        EXPECT_TRUE(flag(s, "allowManagementOs")) << s->id.toStdString();
        const Element *uplink = design->find(str(s, "uplink"));
        ASSERT_NE(uplink, nullptr) << s->id.toStdString();
        EXPECT_EQ(uplink->kind, K::PhysicalNic);
        EXPECT_EQ(str(uplink, "interfaceName"), nicOf.value(s->name())) << s->id.toStdString();
        uplinks.insert(uplink->id);
    }
    EXPECT_EQ(uplinks.size(), 3u) << "each switch has a NIC of its own";
}

TEST_P(SmbBasic, ManagementOsAddressesAreTable8)
{
    const auto vnic = [&](const char *name) {
        return facts(child(*design, host->id, K::VirtualNic, QLatin1String(name)));
    };
    EXPECT_EQ(vnic("LAN"),
              (VnicFacts{QStringLiteral("10.127.4.50/22"), QStringLiteral("10.127.4.1"), -1}));
    EXPECT_EQ(vnic("SAN1"), (VnicFacts{QStringLiteral("10.10.6.210/16"), {}, -1}));
    EXPECT_EQ(vnic("SAN2"), (VnicFacts{QStringLiteral("10.10.6.211/16"), {}, -1}));
}

TEST_P(SmbBasic, GuestsUseTable9WithMpioAndLanAddresses51To54)
{
    QStringList lanAddresses;
    for (const Element *vm : design->children(host->id, K::VirtualMachine)) {
        EXPECT_TRUE(flag(vm, "mpio")) << vm->id.toStdString();
        QStringList names;
        for (const Element *v : design->children(vm->id, K::VirtualNic)) {
            names << v->name();
            const Element *s = design->find(str(v, "switch"));
            if (v->name() == QLatin1String("LAN")) {
                lanAddresses << strings(v, "addresses");
                EXPECT_EQ(s->name(), QStringLiteral("vsLAN"));
                EXPECT_EQ(str(v, "gateway"), QStringLiteral("10.127.4.1"));
            } else {
                EXPECT_EQ(s->name(), QString(QStringLiteral("vs") + v->name()));
                EXPECT_EQ(str(v, "trafficRole"), QStringLiteral("iSCSI"));
                EXPECT_TRUE(str(v, "gateway").isEmpty()) << "SAN vNICs are not routed";
                for (const QString &a : strings(v, "addresses"))
                    EXPECT_TRUE(contains(QStringLiteral("10.10.0.0/16"), a)) << a.toStdString();
            }
        }
        EXPECT_EQ(names, (QStringList{QStringLiteral("LAN"), QStringLiteral("SAN1"),
                                      QStringLiteral("SAN2")}));
    }
    lanAddresses.sort();
    EXPECT_EQ(lanAddresses,
              (QStringList{QStringLiteral("10.127.4.51/22"), QStringLiteral("10.127.4.52/22"),
                           QStringLiteral("10.127.4.53/22"), QStringLiteral("10.127.4.54/22")}));
}

TEST_P(SmbBasic, IscsiUsesJumboFramesAndAChapTargetOnTheSan)
{
    for (const Element *v : design->elements(K::VirtualNic)) {
        if (str(v, "trafficRole") == QLatin1String("iSCSI")) {
            EXPECT_EQ(integer(v, "mtu"), 9000) << v->id.toStdString();
        }
    }
    ASSERT_EQ(design->count(K::StorageTarget), 1u);
    const Element *target = design->elements(K::StorageTarget).front();
    EXPECT_TRUE(flag(target, "chap"));
    const QStringList portals = strings(target, "portals");
    ASSERT_FALSE(portals.isEmpty());
    for (const QString &p : portals)
        EXPECT_TRUE(contains(QStringLiteral("10.10.0.0/16"), p)) << p.toStdString();
}

// ---------------------------------------------------------------------------------------------
// smb-converged (003 §4.3.2, Tables 10-11) and smb-iscsi-highperf (§4.3.3) share the LAN part.

class Converged : public Sample
{
protected:
    void SetUp() override
    {
        Sample::SetUp();
        ASSERT_TRUE(design);
        hosts = design->elements(K::Host);
        ASSERT_EQ(hosts.size(), 2u);
    }
    const Element *lanSwitch(const Element *host) const
    {
        return child(*design, host->id, K::VirtualSwitch, QStringLiteral("LAN"));
    }
    std::vector<const Element *> hosts;
};

TEST_P(Converged, TwoClusteredDatacenterHosts)
{
    for (const Element *h : hosts) {
        EXPECT_EQ(str(h, "cluster"), QStringLiteral("SMB-Cluster"));
        EXPECT_EQ(str(h, "edition"), QStringLiteral("Datacenter"));
        EXPECT_TRUE(flag(h, "hardwareVirtualization"));
    }
}

TEST_P(Converged, LanSwitchSitsOnATeamOfEth1AndEth2)
{
    for (const Element *h : hosts) {
        const Element *vs = lanSwitch(h);
        ASSERT_NE(vs, nullptr) << h->id.toStdString();
        const Element *team = design->find(str(vs, "uplink"));
        ASSERT_NE(team, nullptr);
        ASSERT_EQ(team->kind, K::Team);
        EXPECT_EQ(str(team, "mode"), QStringLiteral("SwitchIndependent"));
        EXPECT_EQ(str(team, "queueMode"), QStringLiteral("dVMQ"));
        EXPECT_EQ(team->value(QStringLiteral("teamInterfaces")).toArray().size(), 1);
        QStringList members;
        for (const QString &id : strings(team, "members")) {
            const Element *nic = design->find(id);
            members << str(nic, "interfaceName");
            EXPECT_EQ(nic->value(QStringLiteral("speed")).toDouble(), 10e9) << "10 GbE";
        }
        EXPECT_EQ(members, (QStringList{QStringLiteral("eth1"), QStringLiteral("eth2")}));
    }
}

TEST_P(Converged, ManagementVnicWeightsAndAddressesAreTable10)
{
    const Element *first = byName(*design, K::Host, QStringLiteral("HV01"));
    ASSERT_NE(first, nullptr);
    const auto vnic = [&](const char *name) {
        return facts(child(*design, first->id, K::VirtualNic, QLatin1String(name)));
    };
    EXPECT_EQ(vnic("Mgmt"),
              (VnicFacts{QStringLiteral("10.127.4.50/22"), QStringLiteral("10.127.4.1"), 5}));
    EXPECT_EQ(vnic("LiveMigration"), (VnicFacts{QStringLiteral("192.168.10.30/24"), {}, 30}));
    EXPECT_EQ(vnic("Cluster"), (VnicFacts{QStringLiteral("172.126.5.1/16"), {}, 20}));
    EXPECT_EQ(vnic("SAN1"), (VnicFacts{QStringLiteral("10.10.6.200/16"), {}, -1}));
    EXPECT_EQ(vnic("SAN2"), (VnicFacts{QStringLiteral("10.10.6.211/16"), {}, -1}));
}

TEST_P(Converged, WeightsWithTheDefaultFlowFitIn100)
{
    for (const Element *h : hosts) {
        const Element *vs = lanSwitch(h);
        ASSERT_NE(vs, nullptr);
        EXPECT_EQ(str(vs, "minimumBandwidthMode"), QStringLiteral("Weight"));
        const int defaultFlow = integer(vs, "defaultFlowWeight");
        EXPECT_GT(defaultFlow, 0) << "QOS-005";
        QHash<QString, int> weights;
        int total = defaultFlow;
        for (const Element *v : vnicsOnSwitch(*design, vs->id)) {
            total += integer(v, "minimumBandwidthWeight");
            if (v->parent == h->id)
                weights.insert(str(v, "trafficRole"), integer(v, "minimumBandwidthWeight"));
        }
        EXPECT_LE(total, 100) << "QOS-002 on " << vs->id.toStdString();
        EXPECT_EQ(weights, (QHash<QString, int>{{QStringLiteral("Management"), 5},
                                                {QStringLiteral("LiveMigration"), 30},
                                                {QStringLiteral("Cluster"), 20}}));
    }
}

TEST_P(Converged, IscsiNicsAreUnteamedWithASwitchEach)
{
    for (const Element *h : hosts) {
        QSet<QString> switches;
        for (const Element *nic : design->children(h->id, K::PhysicalNic)) {
            if (str(nic, "role") != QLatin1String("iSCSI"))
                continue;
            EXPECT_FALSE(inTeam(*design, nic->id)) << nic->id.toStdString();
            for (const Element *vs : design->children(h->id, K::VirtualSwitch))
                if (str(vs, "uplink") == nic->id)
                    switches.insert(vs->name());
        }
        EXPECT_EQ(switches, (QSet<QString>{QStringLiteral("vsSAN1"), QStringLiteral("vsSAN2")}));
    }
}

TEST_P(Converged, GuestsFollowTable11)
{
    ASSERT_EQ(design->count(K::VirtualMachine), 4u);
    for (const Element *vm : design->elements(K::VirtualMachine)) {
        EXPECT_TRUE(flag(vm, "mpio")) << vm->id.toStdString();
        const Element *lan =
            child(*design, vm->id, K::VirtualNic, vm->name() + QStringLiteral("Mgmt"));
        ASSERT_NE(lan, nullptr) << vm->id.toStdString() << " lacks " << vm->name().toStdString()
                                << "Mgmt";
        EXPECT_EQ(design->find(str(lan, "switch"))->name(), QStringLiteral("LAN"));
        const QString address = strings(lan, "addresses").value(0);
        EXPECT_TRUE(address.startsWith(QLatin1String("10.127.4.5")) &&
                    address.endsWith(QLatin1String("/22")))
            << address.toStdString();
        EXPECT_EQ(str(lan, "gateway"), QStringLiteral("10.127.4.1"));
        for (const char *san : {"SAN1", "SAN2"}) {
            const Element *v = child(*design, vm->id, K::VirtualNic, QLatin1String(san));
            ASSERT_NE(v, nullptr) << vm->id.toStdString() << " lacks " << san;
            EXPECT_EQ(design->find(str(v, "switch"))->name(),
                      QString(QStringLiteral("vs") + QLatin1String(san)));
            EXPECT_TRUE(str(v, "gateway").isEmpty());
        }
    }
}

INSTANTIATE_TEST_SUITE_P(samples, Converged,
                         ::testing::Values(QStringLiteral("smb-converged.converge.json"),
                                           QStringLiteral("smb-iscsi-highperf.converge.json")),
                         sampleTestName);

using SmbConverged = Sample;

TEST_P(SmbConverged, UsesNoSriov)
{
    for (const Element *nic : design->elements(K::PhysicalNic))
        EXPECT_FALSE(flag(nic, "sriov")) << nic->id.toStdString();
    for (const Element *vs : design->elements(K::VirtualSwitch))
        EXPECT_FALSE(flag(vs, "sriov")) << vs->id.toStdString();
}

INSTANTIATE_TEST_SUITE_P(samples, SmbConverged,
                         ::testing::Values(QStringLiteral("smb-converged.converge.json")),
                         sampleTestName);

// ---------------------------------------------------------------------------------------------
// smb-iscsi-highperf: 003 §4.3.3

using SmbIscsiHighPerf = Sample;

INSTANTIATE_TEST_SUITE_P(samples, SmbIscsiHighPerf,
                         ::testing::Values(QStringLiteral("smb-iscsi-highperf.converge.json")),
                         sampleTestName);

TEST_P(SmbIscsiHighPerf, SanNicsAreSriovAndInNoTeam)
{
    int sanNics = 0;
    for (const Element *nic : design->elements(K::PhysicalNic)) {
        const bool san = str(nic, "role") == QLatin1String("iSCSI");
        EXPECT_EQ(flag(nic, "sriov"), san) << nic->id.toStdString();
        if (!san)
            continue;
        ++sanNics;
        EXPECT_GT(integer(nic, "vfCount"), 0) << nic->id.toStdString();
        EXPECT_FALSE(inTeam(*design, nic->id)) << "TEAM-004: " << nic->id.toStdString();
    }
    EXPECT_EQ(sanNics, 4);
}

TEST_P(SmbIscsiHighPerf, SanSwitchesAreSriovWithinTheVfCountAndWithoutAcls)
{
    int sriovSwitches = 0;
    for (const Element *vs : design->elements(K::VirtualSwitch)) {
        if (!vs->name().startsWith(QLatin1String("vsSAN"))) {
            EXPECT_FALSE(flag(vs, "sriov")) << vs->id.toStdString();
            continue;
        }
        ++sriovSwitches;
        EXPECT_TRUE(flag(vs, "sriov")) << vs->id.toStdString();
        const auto nics = uplinkNics(*design, vs);
        ASSERT_EQ(nics.size(), 1u);
        EXPECT_TRUE(flag(nics.front(), "sriov")) << "VSW-005";
        int iov = 0;
        for (const Element *v : vnicsOnSwitch(*design, vs->id)) {
            const bool guest = design->find(v->parent)->kind == K::VirtualMachine;
            EXPECT_EQ(integer(v, "sriovWeight") > 0, guest) << v->id.toStdString();
            if (integer(v, "sriovWeight") > 0) {
                ++iov;
                EXPECT_FALSE(v->props.contains(QStringLiteral("acls"))) << "VSW-007";
            }
        }
        EXPECT_GT(iov, 0);
        EXPECT_LE(iov, integer(nics.front(), "vfCount")) << "VSW-006 on " << vs->id.toStdString();
    }
    EXPECT_EQ(sriovSwitches, 4);
}

// ---------------------------------------------------------------------------------------------
// multitenant-overlay: 004 Figure 2

class Overlay : public Sample
{
protected:
    // Addresses (without prefix) of the VMs on VM network `net`, by VM name.
    QHash<QString, QString> addressesOn(const Element *net) const
    {
        QHash<QString, QString> out;
        for (const Element *vm : design->elements(K::VirtualMachine)) {
            if (str(vm, "vmNetwork") != net->id)
                continue;
            for (const Element *v : design->children(vm->id, K::VirtualNic))
                for (const QString &a : strings(v, "addresses"))
                    out.insert(vm->name(), a.section(QLatin1Char('/'), 0, 0));
        }
        return out;
    }
};

INSTANTIATE_TEST_SUITE_P(samples, Overlay,
                         ::testing::Values(QStringLiteral("multitenant-overlay.converge.json")),
                         sampleTestName);

TEST_P(Overlay, TwoVirtualizedNetworksWith24BitVsids)
{
    const auto nets = design->elements(K::VmNetwork);
    ASSERT_EQ(nets.size(), 2u);
    QSet<int> vsids;
    QSet<QString> domains;
    for (const Element *net : nets) {
        EXPECT_EQ(str(net, "isolation"), QStringLiteral("NetworkVirtualization"));
        EXPECT_EQ(strings(net, "customerSubnets"), QStringList{QStringLiteral("10.10.10.0/24")});
        EXPECT_LT(integer(net, "vsid"), 1 << 24) << "HNV-001";
        vsids.insert(integer(net, "vsid"));
        domains.insert(str(net, "routingDomain"));
    }
    EXPECT_TRUE(vsids.contains(5001)) << "BLUE is VSID 5001 (Figure 4)";
    EXPECT_EQ(vsids.size(), 2);
    EXPECT_EQ(domains.size(), 2) << "each tenant is its own routing domain";
    const Element *blue = byName(*design, K::VmNetwork, QStringLiteral("BLUE"));
    ASSERT_NE(blue, nullptr);
    EXPECT_EQ(integer(blue, "vsid"), 5001);
}

TEST_P(Overlay, BothTenantsHoldTheSameCustomerAddresses)
{
    for (const Element *net : design->elements(K::VmNetwork)) {
        QStringList addresses = addressesOn(net).values();
        addresses.sort();
        EXPECT_EQ(addresses,
                  (QStringList{QStringLiteral("10.10.10.10"), QStringLiteral("10.10.10.11")}))
            << net->name().toStdString();
    }
}

TEST_P(Overlay, Blue1AndBlue2AreOnDifferentHosts)
{
    const Element *blue = byName(*design, K::VmNetwork, QStringLiteral("BLUE"));
    ASSERT_NE(blue, nullptr);
    const auto addresses = addressesOn(blue);
    EXPECT_EQ(addresses.value(QStringLiteral("Blue1")), QStringLiteral("10.10.10.10"));
    EXPECT_EQ(addresses.value(QStringLiteral("Blue2")), QStringLiteral("10.10.10.11"));
    const Element *blue1 = byName(*design, K::VirtualMachine, QStringLiteral("Blue1"));
    const Element *blue2 = byName(*design, K::VirtualMachine, QStringLiteral("Blue2"));
    ASSERT_NE(blue1, nullptr);
    ASSERT_NE(blue2, nullptr);
    EXPECT_NE(blue1->parent, blue2->parent);
}

TEST_P(Overlay, ProviderAddressesAreOnTheTwoPhysicalSubnets)
{
    const auto hosts = design->elements(K::Host);
    ASSERT_EQ(hosts.size(), 2u);
    const QString a = str(hosts[0], "providerAddress");
    const QString b = str(hosts[1], "providerAddress");
    EXPECT_TRUE(contains(QStringLiteral("192.168.2.0/24"), a)) << a.toStdString();
    EXPECT_TRUE(contains(QStringLiteral("192.168.5.0/24"), b)) << b.toStdString();
    EXPECT_TRUE(a.endsWith(QLatin1String("/24")) && b.endsWith(QLatin1String("/24")));
    QSet<QString> subnets;
    for (const Element *s : design->elements(K::Subnet)) {
        subnets.insert(str(s, "prefix"));
        EXPECT_FALSE(str(s, "gateway").isEmpty()) << s->id.toStdString();
        EXPECT_TRUE(contains(str(s, "prefix"), str(s, "gateway"))) << s->id.toStdString();
    }
    EXPECT_TRUE(subnets.contains(QStringLiteral("192.168.2.0/24")));
    EXPECT_TRUE(subnets.contains(QStringLiteral("192.168.5.0/24")));
}

TEST_P(Overlay, TenantVnicsAreGuarded)
{
    int tenants = 0;
    for (const Element *v : design->elements(K::VirtualNic)) {
        if (str(v, "trafficRole") != QLatin1String("Tenant"))
            continue;
        ++tenants;
        EXPECT_EQ(design->find(v->parent)->kind, K::VirtualMachine);
        EXPECT_TRUE(flag(v, "routerGuard")) << "SEC-002: " << v->id.toStdString();
        EXPECT_TRUE(flag(v, "dhcpGuard")) << "SEC-001: " << v->id.toStdString();
    }
    EXPECT_EQ(tenants, 4);
}

} // namespace
