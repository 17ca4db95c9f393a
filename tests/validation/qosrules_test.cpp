// One test per QoS rule: it fires on a minimal bad design and stays silent once corrected;
// and the shipped samples break none of the virtual switch and QoS error rules.
#include "rulestestsupport.h"

#include <gtest/gtest.h>

#include <QFile>

using namespace converge::testing;
using converge::core::Severity;

namespace {

// Two 10 GbE NICs teamed as `t` (`team` adds team properties), a switch `vs` on `uplink` with
// the properties `sw`, and the management-OS vNICs `vnics` (a JSON array body).
QByteArray qosDoc(const char *sw, const char *vnics, const char *uplink = "t",
                  const char *team = "")
{
    const QByteArray body = QByteArray(R"("nics": [
            {"id": "n1", "name": "eth1", "interfaceName": "eth1", "speed": 10000000000},
            {"id": "n2", "name": "eth2", "interfaceName": "eth2", "speed": 10000000000}],
        "teams": [{"id": "t", "name": "LAN", "members": ["n1", "n2"])") +
                            team + R"(}],
        "switches": [{"id": "vs", "name": "LAN", "type": "External", "uplink": ")" +
                            uplink + "\"" + sw + R"(}],
        "vnics": [)" + vnics +
                            "]";
    return hostDocument(body.constData());
}

} // namespace

TEST(QosRules, Qos001OneMinimumMode)
{
    const char *mixed =
        R"({"id": "a", "name": "Mgmt", "switch": "vs", "minimumBandwidthWeight": 10},
                           {"id": "b", "name": "LM", "switch": "vs", "minimumBandwidthAbsolute": 1000000000})";
    const auto noMode = findingsOf("QOS-001", qosDoc("", mixed));
    ASSERT_EQ(noMode.size(), 1u);
    EXPECT_EQ(noMode[0].severity, Severity::Error);
    EXPECT_EQ(noMode[0].elements, ids({"vs", "b", "a"}));
    EXPECT_EQ(noMode[0].message,
              QStringLiteral("virtual switch 'LAN' on host 'hv1' mixes absolute (bps) minimums "
                             "(vNIC(s) 'LM') and weights (vNIC(s) 'Mgmt'); a switch uses one "
                             "minimum-bandwidth mode. Use absolute minimums or weights on all of "
                             "its vNICs."));

    const char *absolutes =
        R"({"id": "b", "name": "LM", "switch": "vs", "minimumBandwidthAbsolute": 1000000000})";
    const auto weightMode =
        findingsOf("QOS-001", qosDoc(R"(, "minimumBandwidthMode": "Weight")", absolutes));
    ASSERT_EQ(weightMode.size(), 1u);
    ASSERT_TRUE(weightMode[0].fix) << "every minimum is absolute: switch the mode";
    EXPECT_EQ(weightMode[0].fix->changes.front().value.toString(), QStringLiteral("Absolute"));

    const auto defaultFlow = findingsOf(
        "QOS-001",
        qosDoc(R"(, "minimumBandwidthMode": "Absolute", "defaultFlowWeight": 20)", absolutes));
    ASSERT_EQ(defaultFlow.size(), 1u);
    EXPECT_TRUE(defaultFlow[0].message.contains(
        QStringLiteral("but the default-flow weight set a weight")));
    ASSERT_TRUE(defaultFlow[0].fix);
    EXPECT_EQ(defaultFlow[0].fix->changes.front().key, QStringLiteral("defaultFlowWeight"));
    EXPECT_TRUE(defaultFlow[0].fix->changes.front().value.isUndefined());

    const char *weights =
        R"({"id": "a", "name": "Mgmt", "switch": "vs", "minimumBandwidthWeight": 10})";
    const auto off = findingsOf("QOS-001", qosDoc(R"(, "minimumBandwidthMode": "None")", weights));
    ASSERT_EQ(off.size(), 1u);
    ASSERT_TRUE(off[0].fix);
    EXPECT_EQ(off[0].fix->changes.front().value.toString(), QStringLiteral("Weight"));

    EXPECT_TRUE(findingsOf("QOS-001",
                           qosDoc(R"(, "minimumBandwidthMode": "Weight", "defaultFlowWeight": 40)",
                                  weights))
                    .empty());
    EXPECT_TRUE(findingsOf("QOS-001", qosDoc(R"(, "minimumBandwidthMode": "Absolute")", absolutes))
                    .empty());
}

TEST(QosRules, Qos002WeightTotal)
{
    const char *weights =
        R"({"id": "a", "name": "Mgmt", "switch": "vs", "minimumBandwidthWeight": 50},
                             {"id": "b", "name": "LM", "switch": "vs", "minimumBandwidthWeight": 40})";
    const auto bad = findingsOf(
        "QOS-002",
        qosDoc(R"(, "minimumBandwidthMode": "Weight", "defaultFlowWeight": 20)", weights));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Error);
    EXPECT_EQ(bad[0].elements, ids({"vs", "a", "b"}));
    EXPECT_EQ(
        bad[0].message,
        QStringLiteral("virtual switch 'LAN' on host 'hv1' has minimum-bandwidth weights "
                       "adding up to 110 ('Mgmt' 50, 'LM' 40, default flow 20); the weights "
                       "on one switch, with its default-flow weight, total at most 100. Lower "
                       "them."));
    ASSERT_TRUE(bad[0].fix);
    EXPECT_EQ(bad[0].fix->changes.front().value.toInt(), 10);
    EXPECT_TRUE(findingsOf("QOS-002",
                           qosDoc(R"(, "minimumBandwidthMode": "Weight", "defaultFlowWeight": 10)",
                                  weights))
                    .empty());
}

TEST(QosRules, Qos003AbsoluteMinimumsFitTheUplink)
{
    const char *absolutes =
        R"({"id": "a", "name": "LM", "switch": "vs", "minimumBandwidthAbsolute": 6000000000},
                               {"id": "b", "name": "Cluster", "switch": "vs", "minimumBandwidthAbsolute": 6000000000})";
    // A standby member gives no bandwidth: the team's active bandwidth is one NIC.
    const auto bad = findingsOf("QOS-003", qosDoc(R"(, "minimumBandwidthMode": "Absolute")",
                                                  absolutes, "t", R"(, "standbyMember": "n2")"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Error);
    EXPECT_EQ(bad[0].elements, ids({"vs", "a", "b", "t"}));
    EXPECT_EQ(
        bad[0].message,
        QStringLiteral("virtual switch 'LAN' on host 'hv1' has absolute minimums adding up to "
                       "12 Gb/s ('LM' 6 Gb/s, 'Cluster' 6 Gb/s), more than the 10 Gb/s its "
                       "uplink team 'LAN' (active members 'eth1') gives. Lower the minimums "
                       "to fit the uplink, or use weights."));
    EXPECT_EQ(
        findingsOf("QOS-003", qosDoc(R"(, "minimumBandwidthMode": "Absolute")", absolutes, "n1"))
            .size(),
        1u);
    EXPECT_TRUE(findingsOf("QOS-003", qosDoc(R"(, "minimumBandwidthMode": "Absolute")", absolutes))
                    .empty());
}

TEST(QosRules, Qos004MaximumNotBelowMinimum)
{
    const auto bad = findingsOf("QOS-004", qosDoc("", R"({"id": "a", "name": "LM", "switch": "vs",
        "minimumBandwidthAbsolute": 2000000000, "maximumBandwidth": 1000000000})"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Error);
    EXPECT_EQ(bad[0].elements, ids({"a"}));
    EXPECT_EQ(
        bad[0].message,
        QStringLiteral("vNIC 'LM' on host 'hv1' has a maximum bandwidth of 1 Gb/s, below its "
                       "minimum of 2 Gb/s; a cap below the guarantee cannot be met. Raise the "
                       "maximum or lower the minimum."));
    ASSERT_TRUE(bad[0].fix);
    EXPECT_EQ(bad[0].fix->changes.front().value.toDouble(), 2e9);
    EXPECT_TRUE(findingsOf("QOS-004", qosDoc("", R"({"id": "a", "name": "LM", "switch": "vs",
        "minimumBandwidthAbsolute": 2000000000, "maximumBandwidth": 2000000000})"))
                    .empty());
}

TEST(QosRules, Qos005DefaultFlowWeight)
{
    const char *weights =
        R"({"id": "a", "name": "Mgmt", "switch": "vs", "minimumBandwidthWeight": 5},
                             {"id": "b", "name": "LM", "switch": "vs", "minimumBandwidthWeight": 30})";
    const auto bad =
        findingsOf("QOS-005", qosDoc(R"(, "minimumBandwidthMode": "Weight")", weights));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Warning);
    EXPECT_EQ(bad[0].elements, ids({"vs"}));
    EXPECT_TRUE(bad[0].message.contains(QStringLiteral("reserves no default-flow weight")));
    ASSERT_TRUE(bad[0].fix);
    EXPECT_EQ(bad[0].fix->changes.front().value.toInt(), 65);
    EXPECT_EQ(findingsOf("QOS-005", qosDoc("", weights)).size(), 1u) << "weights imply weight mode";
    EXPECT_TRUE(findingsOf("QOS-005",
                           qosDoc(R"(, "minimumBandwidthMode": "Weight", "defaultFlowWeight": 40)",
                                  weights))
                    .empty());
    EXPECT_TRUE(
        findingsOf("QOS-005", qosDoc(R"(, "minimumBandwidthMode": "Absolute")", "")).empty());
}

namespace {

// Cluster nodes hv1 (LAN switch on a 10 GbE NIC) and hv2 (LAN switch on `speed2`); a VM on
// hv1 with `vnic` settings on its LAN vNIC.
QByteArray clusterDoc(const char *speed2, const char *vnic, const char *cluster2 = "C1")
{
    return QByteArray(R"({"schemaVersion": 1, "hosts": [
        {"id": "h1", "name": "hv1", "platform": "hyperv", "cluster": "C1",
         "nics": [{"id": "h1.n1", "name": "eth1", "interfaceName": "eth1", "speed": 10000000000}],
         "switches": [{"id": "h1.vs", "name": "LAN", "type": "External", "uplink": "h1.n1"}],
         "vms": [{"id": "h1.vm", "name": "g1", "vnics": [{"id": "h1.vm.lan", "name": "LAN", "switch": "h1.vs", )") +
           vnic + R"(}]}]},
        {"id": "h2", "name": "hv2", "platform": "hyperv", "cluster": ")" +
           cluster2 + R"(",
         "nics": [{"id": "h2.n1", "name": "eth1", "interfaceName": "eth1", "speed": )" +
           speed2 +
           R"(}],
         "switches": [{"id": "h2.vs", "name": "LAN", "type": "External", "uplink": "h2.n1"}],
         "vms": [{"id": "h2.vm", "name": "g2", "vnics": [{"id": "h2.vm.lan", "name": "LAN", "switch": "h2.vs",
                  "minimumBandwidthAbsolute": 500000000}]}]}]})";
}

} // namespace

TEST(QosRules, Qos006AbsoluteMinimumsAcrossTheCluster)
{
    const char *absolute = R"("minimumBandwidthAbsolute": 3000000000)";
    const auto bad = findingsOf("QOS-006", clusterDoc("1000000000", absolute));
    ASSERT_EQ(bad.size(), 1u) << "g2 on the slower host can move to the faster one";
    EXPECT_EQ(bad[0].severity, Severity::Warning);
    EXPECT_EQ(bad[0].elements, ids({"h1", "h1.vm", "h1.vm.lan", "h2.vs"}));
    EXPECT_EQ(
        bad[0].message,
        QStringLiteral("VM 'g1' on host 'hv1' has absolute minimum bandwidth on vNIC 'LAN' "
                       "(3 Gb/s on switch 'LAN', 10 Gb/s uplink) and can move within cluster "
                       "'C1' to host 'hv2' (switch 'LAN': 1 Gb/s uplink), where the guarantee "
                       "no longer fits. Use weight-based minimums, which follow the VM to any "
                       "link speed."));
    EXPECT_TRUE(findingsOf("QOS-006", clusterDoc("10000000000", absolute)).empty());
    EXPECT_TRUE(findingsOf("QOS-006", clusterDoc("1000000000", absolute, "C2")).empty());
    EXPECT_TRUE(
        findingsOf("QOS-006", clusterDoc("1000000000", R"("minimumBandwidthWeight": 30)")).empty());
}

namespace {

// A host NIC on port p1 of physical switch `sw` (with `swDcb`), p1 with `portDcb`, p1 linked
// as well to port q1 of a second switch; the NIC carries an iSCSI switch whose vNIC reaches
// storage target `st` in 10.10.0.0/16.
QByteArray dcbDoc(const char *nicDcb, const char *swDcb, const char *q1Dcb, const char *stDcb)
{
    const QByteArray top = QByteArray(R"("physicalSwitches": [
            {"id": "sw", "name": "SAN-SW1", )") +
                           swDcb + R"(, "ports": [
                {"id": "p1", "name": "Te0/1", "dcb": true},
                {"id": "p2", "name": "Te0/48", "dcb": true}]},
            {"id": "sw2", "name": "SAN-SW2", "dcb": true, "ports": [{"id": "q1", "name": "Te0/48", )" +
                           q1Dcb + R"(}]}],
        "links": [{"id": "l1", "name": "host", "a": "n1", "b": "p1"},
                  {"id": "l2", "name": "isl", "a": "p2", "b": "q1"}],
        "storageTargets": [{"id": "st", "name": "Array", "portals": ["10.10.6.10"], )" +
                           stDcb + "}], ";
    const QByteArray body =
        QByteArray(R"("nics": [{"id": "n1", "name": "eth1", "interfaceName": "eth1", )") + nicDcb +
        R"(}],
        "switches": [{"id": "vs", "name": "SAN", "type": "External", "uplink": "n1"}],
        "vnics": [{"id": "v", "name": "SAN1", "switch": "vs", "addresses": ["10.10.6.200/16"]}])";
    return hostDocument(body.constData(), top.constData());
}

} // namespace

TEST(QosRules, Qos008DcbEndToEnd)
{
    const auto bad = findingsOf("QOS-008", dcbDoc(R"("dcb": false)", R"("dcb": false)",
                                                  R"("dcb": false)", R"("dcb": false)"));
    ASSERT_EQ(bad.size(), 4u);
    for (const auto &f : bad)
        EXPECT_EQ(f.severity, Severity::Error);
    EXPECT_EQ(bad[0].elements, ids({"sw", "p1", "n1"}));
    EXPECT_EQ(
        bad[0].message,
        QStringLiteral("NIC 'eth1' on host 'hv1' is cabled to DCB-enabled port 'Te0/1' of "
                       "physical switch 'SAN-SW1' but is not DCB capable; DCB works only when "
                       "every host NIC on the network supports it. Use a DCB capable NIC or "
                       "turn DCB off on the port."));
    EXPECT_EQ(bad[1].elements, ids({"sw", "p1", "p2"}));
    EXPECT_TRUE(bad[1].message.contains(QStringLiteral("is not DCB capable")));
    EXPECT_EQ(bad[2].elements, ids({"sw", "p2", "q1"}));
    ASSERT_TRUE(bad[2].fix);
    EXPECT_EQ(bad[2].fix->changes.front().id, QStringLiteral("q1"));
    EXPECT_EQ(bad[3].elements, ids({"sw", "st", "p1"}));
    EXPECT_TRUE(
        bad[3].message.startsWith(QStringLiteral("storage target 'Array' is reached over")));

    EXPECT_TRUE(findingsOf("QOS-008", dcbDoc(R"("dcb": true)", R"("dcb": true)", R"("dcb": true)",
                                             R"("dcb": true)"))
                    .empty());
}

namespace {

QByteArray rdmaDoc(const char *sw, const char *nicDcb, const char *portDcb)
{
    const QByteArray top =
        QByteArray(R"("physicalSwitches": [{"id": "tor", "name": "ToR", "dcb": true,
            "ports": [{"id": "p1", "name": "Te1/0/1", )") +
        portDcb + R"(}]}],
        "links": [{"id": "l1", "name": "c1", "a": "n1", "b": "p1"}], )";
    const QByteArray body =
        QByteArray(R"("nics": [{"id": "n1", "name": "eth1", "interfaceName": "eth1",
            "rdma": true, )") +
        nicDcb + R"(}],
        "teams": [{"id": "t", "name": "Conv", "members": ["n1"]}],
        "switches": [{"id": "vs", "name": "Converged", "type": "External", "uplink": "t")" +
        sw + "}]";
    return hostDocument(body.constData(), top.constData());
}

} // namespace

TEST(QosRules, Qos009RdmaNeedsDcb)
{
    const char *qos = R"(, "minimumBandwidthMode": "Weight", "defaultFlowWeight": 50)";
    const auto bad = findingsOf("QOS-009", rdmaDoc(qos, R"("dcb": true)", R"("dcb": false)"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, Severity::Warning);
    EXPECT_EQ(bad[0].elements, ids({"n1", "vs", "p1"}));
    EXPECT_EQ(
        bad[0].message,
        QStringLiteral("NIC 'eth1' on host 'hv1' is RDMA capable and carries virtual switch "
                       "'Converged', whose bandwidth is managed by software QoS; SMB Direct "
                       "(RDMA) traffic bypasses software QoS, so its guarantee needs DCB, but "
                       "its switch port 'Te1/0/1' has DCB off. Enable DCB on the NIC and its "
                       "switch port."));
    ASSERT_TRUE(bad[0].fix);
    EXPECT_EQ(bad[0].fix->changes.front().id, QStringLiteral("p1"));
    EXPECT_EQ(findingsOf("QOS-009", rdmaDoc(qos, R"("dcb": false)", R"("dcb": true)")).size(), 1u);
    EXPECT_TRUE(findingsOf("QOS-009", rdmaDoc(qos, R"("dcb": true)", R"("dcb": true)")).empty());
    EXPECT_TRUE(findingsOf("QOS-009", rdmaDoc("", R"("dcb": false)", R"("dcb": false)")).empty())
        << "no software QoS to bypass";
}

// The samples are meant to be clean (docs/samples.md): none breaks an error rule of this area.
class SampleSwitchAndQosRules : public ::testing::TestWithParam<const char *>
{
};

TEST_P(SampleSwitchAndQosRules, NoErrors)
{
    QFile f(QStringLiteral(CONVERGE_SOURCE_DIR "/resources/samples/") + QLatin1String(GetParam()));
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    const auto design = loadDesign(f.readAll());
    for (const char *id : {"VSW-001", "VSW-002", "VSW-003", "VSW-004", "VSW-005", "VSW-006",
                           "VSW-007", "VSW-008", "VSW-009", "VSW-010", "QOS-001", "QOS-002",
                           "QOS-003", "QOS-004", "QOS-005", "QOS-006", "QOS-008", "QOS-009"})
        for (const auto &finding : findingsOf(id, design))
            ADD_FAILURE() << ::testing::PrintToString(finding);
}

INSTANTIATE_TEST_SUITE_P(QosRules, SampleSwitchAndQosRules,
                         ::testing::Values("smb-basic.converge.json", "smb-converged.converge.json",
                                           "smb-iscsi-highperf.converge.json",
                                           "multitenant-overlay.converge.json"));

// 003 §4.1.6 l.1024-1028: "All of the host NICs, switches, and storage arrays on the network must
// support the protocol": DCB on at the host and the array, off on the switch port between them.
TEST(QosRules, Qos008DcbHostNicAndArrayOnAPortWithoutDcb)
{
    QByteArray doc = dcbDoc(R"("dcb": true)", R"("dcb": true)", R"("dcb": true)", R"("dcb": true)");
    doc.replace(R"({"id": "p1", "name": "Te0/1", "dcb": true})",
                R"({"id": "p1", "name": "Te0/1", "dcb": false})");
    const auto bad = findingsOf("QOS-008", doc);
    ASSERT_EQ(bad.size(), 2u);
    EXPECT_EQ(bad[0].elements, ids({"sw", "n1", "p1"}));
    EXPECT_EQ(bad[0].message,
              QStringLiteral("NIC 'eth1' on host 'hv1' has DCB on but is cabled to port 'Te0/1' of "
                             "physical switch 'SAN-SW1', which has DCB off; DCB works only end to "
                             "end. Enable DCB on port 'Te0/1', or turn it off on the NIC."));
    ASSERT_TRUE(bad[0].fix);
    EXPECT_EQ(bad[0].fix->changes.front().id, QStringLiteral("p1"));
    EXPECT_EQ(bad[1].elements, ids({"sw", "st", "p1"}));
    EXPECT_TRUE(bad[1].message.startsWith(QStringLiteral("storage target 'Array' has DCB on")));

    // Nothing on the path uses DCB: nothing to say.
    QByteArray plain =
        dcbDoc(R"("dcb": false)", R"("dcb": true)", R"("dcb": true)", R"("dcb": false)");
    plain.replace(R"({"id": "p1", "name": "Te0/1", "dcb": true})",
                  R"({"id": "p1", "name": "Te0/1", "dcb": false})");
    EXPECT_TRUE(findingsOf("QOS-008", plain).empty());
}
