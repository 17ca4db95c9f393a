// What lands on the wire between hosts (root): a PVLAN spanning two hosts, deployed to real
// agents whose uplinks meet on a Linux bridge, and the reachability its modes promise checked
// with ping between VMs on both hosts (tests/wire/data/two-hosts-pvlan.converge.json).
#include "testapp.h"
#include "wirelab.h"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QThread>

#include <functional>

#include <gtest/gtest.h>

using namespace converge;
using namespace converge::testing;

namespace {

class Wire : public ::testing::Test
{
protected:
    static void SetUpTestSuite() { ensureApp(); }

    // Sets up the lab hosts with the VMs of `design` and deploys it.
    void deploy(const core::Design &design, int switchMtu = 1500)
    {
        QString why;
        const WireLab::Ready ready = lab.deployed(design, &why, switchMtu);
        if (ready == WireLab::Ready::Skip)
            GTEST_SKIP() << why.toStdString();
        ASSERT_EQ(ready, WireLab::Ready::Yes) << why.toStdString();
        // What the agents read back is what was designed: deploying again changes nothing.
        auto again = lab.planAgain(design);
        ASSERT_TRUE(again) << again.error().message.toStdString();
        EXPECT_TRUE(again->isEmpty()) << again->join(u'\n').toStdString();
    }

    // `from` reaches `to` (an address) or not, as the design promises; from its address
    // `source` when given.
    void expectReach(const char *from, const char *to, bool reaches, const char *source = "")
    {
        Vm &vm = lab.vm(QLatin1String(from));
        const bool replied =
            vm.ping(QLatin1String(to), reaches ? 3 : 2, reaches ? 5 : 2, QLatin1String(source));
        EXPECT_EQ(replied, reaches) << from << " -> " << to << ": " << vm.lastPing().toStdString();
    }

    // The MAC `vm` has learned for `address` (after reaching it), or what `ip neigh` said.
    QString neighbourMac(const char *vm, const char *address)
    {
        auto shown =
            lab.vm(QLatin1String(vm))
                .exec({QStringLiteral("ip"), QStringLiteral("neigh"), QStringLiteral("show"),
                       QLatin1String(address), QStringLiteral("dev"), QStringLiteral("eth0")});
        if (!shown)
            return shown.error().message;
        const QStringList words = QString::fromUtf8(shown->out).simplified().split(u' ');
        const auto at = words.indexOf(QLatin1String("lladdr"));
        return at >= 0 && at + 1 < words.size() ? words[at + 1] : words.join(u' ');
    }

    // `vm` gets the extra address `address` (a /32 beside its own).
    void addAddress(const char *vm, const char *address)
    {
        auto added =
            lab.vm(QLatin1String(vm))
                .exec({QStringLiteral("ip"), QStringLiteral("addr"), QStringLiteral("add"),
                       QLatin1String(address), QStringLiteral("dev"), QStringLiteral("eth0")});
        ASSERT_TRUE(added && added->exitCode == 0) << vm << ": could not add " << address;
    }

    // `vm` believes `address` is at `mac`, so its frames go there whatever ARP would say.
    void pinNeighbour(const char *vm, const char *address, const char *mac)
    {
        auto added =
            lab.vm(QLatin1String(vm))
                .exec({QStringLiteral("ip"), QStringLiteral("neigh"), QStringLiteral("replace"),
                       QLatin1String(address), QStringLiteral("lladdr"), QLatin1String(mac),
                       QStringLiteral("dev"), QStringLiteral("eth0"), QStringLiteral("nud"),
                       QStringLiteral("permanent")});
        ASSERT_TRUE(added && added->exitCode == 0) << vm << ": could not pin " << address;
    }

    // What tcpdump printed for the frames matching `filter` on the physical switch while
    // `traffic` ran, one line each.
    QStringList onTheWire(const QString &filter, const std::function<void()> &traffic)
    {
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("tcpdump.txt"));
        NetNs &sw = lab.fleet().console();
        auto started =
            sw.spawn({QStringLiteral("tcpdump"), QStringLiteral("-i"), QStringLiteral("data0"),
                      QStringLiteral("-nn"), QStringLiteral("-l"), filter},
                     QProcessEnvironment::systemEnvironment(), out);
        if (!started)
            return {QStringLiteral("tcpdump: ") + started.error().message};
        QFile file(out);
        for (int i = 0;
             i < 50 && !(file.open(QIODevice::ReadOnly) && file.readAll().contains("listening on"));
             ++i, file.close())
            QThread::msleep(100);
        file.close();
        traffic();
        QThread::msleep(300);
        (*started)->stop();
        if (!file.open(QIODevice::ReadOnly))
            return {QStringLiteral("tcpdump wrote nothing")};
        // A frame's line starts with its time; what tcpdump decodes inside a tunnel follows on
        // lines of its own.
        static const QRegularExpression frame(QStringLiteral("^\\d\\d:\\d\\d:\\d\\d\\."));
        QStringList frames;
        for (const QByteArray &line : file.readAll().split('\n'))
            if (frame.match(QString::fromUtf8(line)).hasMatch())
                frames << QString::fromUtf8(line);
        return frames;
    }

    WireLab lab;
};

} // namespace

// PVLAN 300 across hv1 and hv2 (secondary VLANs carried on the trunk between them): isolated
// ports reach only the promiscuous port, wherever it is; a community reaches itself on both
// hosts and the promiscuous port, never another community or an isolated port.
TEST_F(Wire, PvlanAcrossHostsKeepsItsPromises)
{
    deploy(wireDesign("two-hosts-pvlan.converge.json"));
    if (IsSkipped() || HasFatalFailure())
        return;
    // hv1: prom 10.66.0.1 (promiscuous), isoa .2 (isolated 301), coma .3 (community 302)
    // hv2: isob .12 (isolated 301), comb .13 (community 302), comc .14 (community 303)
    expectReach("isob", "10.66.0.1", true);  // isolated -> promiscuous, across hosts
    expectReach("isoa", "10.66.0.1", true);  // ... and on the same host
    expectReach("comb", "10.66.0.3", true);  // one community on both hosts
    expectReach("comb", "10.66.0.1", true);  // community -> promiscuous, across hosts
    expectReach("comc", "10.66.0.1", true);  // a second community too
    expectReach("prom", "10.66.0.12", true); // promiscuous -> everyone
    expectReach("prom", "10.66.0.14", true);

    expectReach("isoa", "10.66.0.12", false); // isolated never reach each other
    expectReach("isob", "10.66.0.13", false); // nor a community
    expectReach("coma", "10.66.0.12", false); // a community never reaches an isolated port
    expectReach("comb", "10.66.0.14", false); // nor another community
    expectReach("coma", "10.66.0.14", false);
}

// VM networks Blue (VSID 5001, VXLAN) and Red (VSID 5002, NVGRE) span hv1 and hv2 over tunnels
// between the hosts' provider addresses, with the same customer addresses crosswise: a VM reaches
// the VM of its own network on the other host, never the one with the same address on its own
// host, never a VM of the other network even when it knows that VM's MAC, and the VMs on the
// physical network reach each other but no overlay VM.
TEST_F(Wire, OverlaysIsolateNetworksWithOverlappingAddresses)
{
    deploy(wireDesign("two-hosts-overlay.converge.json"), 1600);
    if (IsSkipped() || HasFatalFailure())
        return;
    // hv1: blue1 10.50.0.1 (Blue), red1 10.50.0.2 (Red), phy1 10.50.0.3 (physical network)
    // hv2: blue2 10.50.0.2 (Blue), red2 10.50.0.1 (Red), phy2 10.50.0.4 (physical network)
    expectReach("blue1", "10.50.0.2", true);
    EXPECT_EQ(neighbourMac("blue1", "10.50.0.2"), QStringLiteral("02:50:00:00:01:02"))
        << "blue1 must reach blue2 on hv2, not red1 beside it";
    expectReach("red1", "10.50.0.1", true);
    EXPECT_EQ(neighbourMac("red1", "10.50.0.1"), QStringLiteral("02:50:00:00:02:02"))
        << "red1 must reach red2 on hv2, not blue1 beside it";
    expectReach("blue2", "10.50.0.1", true);
    expectReach("red2", "10.50.0.2", true);

    // On the wire: Blue in VXLAN with VNI 5001, Red in GRE with key 5002 << 8 (NVGRE), between
    // the provider addresses; no customer address in the clear.
    const auto overlayTraffic = [this] {
        lab.vm(QStringLiteral("blue1")).ping(QStringLiteral("10.50.0.2"), 2, 3);
        lab.vm(QStringLiteral("red1")).ping(QStringLiteral("10.50.0.1"), 2, 3);
    };
    const QStringList vxlan = onTheWire(QStringLiteral("udp port 4789"), overlayTraffic);
    EXPECT_TRUE(!vxlan.isEmpty() && vxlan.filter(QStringLiteral("vni 5001")).size() == vxlan.size())
        << vxlan.join(u'\n').toStdString();
    EXPECT_FALSE(vxlan.filter(QStringLiteral("10.77.0.1.")).isEmpty()) << "from hv1's PA";
    const QStringList gre = onTheWire(QStringLiteral("ip proto 47"), overlayTraffic);
    EXPECT_TRUE(!gre.isEmpty() && gre.filter(QStringLiteral("key=0x138a00")).size() == gre.size())
        << gre.join(u'\n').toStdString();
    const QStringList clear = onTheWire(QStringLiteral("net 10.50.0.0/24"), overlayTraffic);
    EXPECT_TRUE(clear.isEmpty()) << clear.join(u'\n').toStdString();
    expectReach("phy1", "10.50.0.4", true);

    // Frames sent straight to a MAC, whatever ARP says: each target knows its way back (the
    // source address is pinned to the sender's MAC), so any frame let through is answered.
    const auto pinned = [this](const char *from, const char *fromAddress, const char *fromMac,
                               const char *to, const char *toAddress, const char *toMac) {
        addAddress(from, (QByteArray(fromAddress) + "/32").constData());
        addAddress(to, (QByteArray(toAddress) + "/32").constData());
        pinNeighbour(from, toAddress, toMac);
        pinNeighbour(to, fromAddress, fromMac);
    };
    // Within Blue, across hosts: the pinned path works (so the refusals below mean something).
    pinned("blue1", "10.50.0.101", "02:50:00:00:01:01", "blue2", "10.50.0.96", "02:50:00:00:01:02");
    expectReach("blue1", "10.50.0.96", true, "10.50.0.101");
    // Blue to Red's MACs, on the same host and across hosts.
    pinned("blue1", "10.50.0.102", "02:50:00:00:01:01", "red1", "10.50.0.98", "02:50:00:00:02:01");
    pinned("blue1", "10.50.0.103", "02:50:00:00:01:01", "red2", "10.50.0.99", "02:50:00:00:02:02");
    expectReach("blue1", "10.50.0.98", false, "10.50.0.102");
    expectReach("blue1", "10.50.0.99", false, "10.50.0.103");
    // The physical network and the overlays never meet, not even by MAC.
    expectReach("phy1", "10.50.0.1", false);
    expectReach("phy2", "10.50.0.2", false);
    pinned("phy1", "10.50.0.104", "02:50:00:00:00:01", "blue2", "10.50.0.97", "02:50:00:00:01:02");
    expectReach("phy1", "10.50.0.97", false, "10.50.0.104");
}
