// Validation of agent requests (core/protocol/requests): every malformed request is rejected
// with an error that says where and what. The agent-level check that a rejected request changes
// nothing on the host is in ovs_agent_test.cpp.
#include "core/protocol/capture.h"
#include "core/protocol/replies.h"
#include "core/protocol/requests.h"
#include "core/realize/desiredstate.h"

#include <gtest/gtest.h>

#include <QJsonArray>
#include <QJsonDocument>

using namespace converge;

namespace {

QJsonObject validDesired()
{
    return QJsonDocument::fromJson(R"({
      "host": "lab1",
      "bridges": [{"name": "lab", "datapathType": "netdev", "ports": [
        {"name": "team0", "type": "bond", "members": ["up1", "up2"], "bondMode": "active-backup",
         "bondPrimary": "up1"},
        {"name": "mgmt0", "type": "internal", "vlanMode": "access", "tag": 99,
         "addresses": ["10.77.99.1/24"]},
        {"name": "vm1", "type": "system", "vlanMode": "access", "tag": 10,
         "policy": {"mac": "02:cf:00:00:00:01", "macSpoofing": false,
                    "acls": [{"direction": "out", "action": "deny", "remotePrefix": "10.0.0.0/8"}]}},
        {"name": "mon", "type": "system"}]}],
      "mirrors": [{"name": "m", "bridge": "lab", "selectSrc": ["vm1"], "selectDst": ["vm1"],
                   "output": "mon"}]
    })")
        .object();
}

// Sets a value at a path like "bridges/0/ports/2/tag" (creating nothing else).
QJsonObject with(QJsonObject o, const QStringList &path, const QJsonValue &v)
{
    if (path.size() == 1) {
        if (v.isUndefined())
            o.remove(path[0]);
        else
            o.insert(path[0], v);
        return o;
    }
    QJsonValue child = o.value(path[0]);
    if (child.isArray()) {
        QJsonArray a = child.toArray();
        const int i = path[1].toInt();
        if (path.size() == 2)
            a[i] = v;
        else
            a[i] = with(a[i].toObject(), path.mid(2), v);
        o.insert(path[0], a);
    } else {
        o.insert(path[0], with(child.toObject(), path.mid(1), v));
    }
    return o;
}

QJsonObject desiredWith(const QString &path, const QJsonValue &v)
{
    return QJsonObject{{QStringLiteral("desired"), with(validDesired(), path.split(u'/'), v)}};
}

struct Bad
{
    const char *type;
    QJsonObject body;
    const char *error; // a piece of the message that says where and what
};

} // namespace

TEST(Requests, ValidRequestsParse)
{
    namespace protocol = core::protocol;
    auto hello = protocol::parseRequest(QStringLiteral("hello"),
                                        {{QStringLiteral("version"), QStringLiteral("0.1.0")}});
    ASSERT_TRUE(hello) << hello.error().message.toStdString();
    EXPECT_EQ(std::get<protocol::HelloRequest>(*hello).clientVersion, QStringLiteral("0.1.0"));
    auto parsed = protocol::parseRequest(
        QStringLiteral("apply"),
        {{QStringLiteral("desired"), validDesired()}, {QStringLiteral("confirmTimeoutSec"), 30}});
    ASSERT_TRUE(parsed) << parsed.error().message.toStdString();
    const auto &apply = std::get<protocol::ApplyRequest>(*parsed);
    EXPECT_EQ(apply.confirmTimeoutSec, 30);
    EXPECT_EQ(apply.desired.bridges[0].ports.size(), 4u);
    auto plan = protocol::parseRequest(QStringLiteral("plan"),
                                       {{QStringLiteral("desired"), validDesired()}});
    ASSERT_TRUE(plan);
    EXPECT_EQ(std::get<protocol::PlanRequest>(*plan).desired, apply.desired);
    EXPECT_TRUE(std::holds_alternative<protocol::StateRequest>(
        *protocol::parseRequest(QStringLiteral("state"), {})));
    auto confirm = protocol::parseRequest(QStringLiteral("confirm"),
                                          {{QStringLiteral("transaction"), QStringLiteral("t-1")}});
    ASSERT_TRUE(confirm);
    EXPECT_EQ(std::get<protocol::ConfirmRequest>(*confirm).transaction, QStringLiteral("t-1"));
}

// One definition per message: what the console builds with toJson() is what the agent reads back
// with fromJson(), field for field.
TEST(Requests, EveryRequestRoundTripsThroughItsOneDefinition)
{
    namespace protocol = core::protocol;
    auto desired = core::realize::HostState::fromJson(validDesired());
    ASSERT_TRUE(desired) << desired.error().message.toStdString();
    const protocol::ApplyRequest apply{*desired, 42, QStringLiteral("abc123")};
    auto back = protocol::parseRequest(protocol::requestTypeName(apply.kType), apply.toJson());
    ASSERT_TRUE(back) << back.error().message.toStdString();
    const auto &read = std::get<protocol::ApplyRequest>(*back);
    EXPECT_EQ(read.desired, apply.desired);
    EXPECT_EQ(read.confirmTimeoutSec, 42);
    EXPECT_EQ(read.expectedPlanDigest, QStringLiteral("abc123"));
    const protocol::SubscribeRequest subscribe{
        QStringLiteral("metrics"), 17, {{QStringLiteral("intervalMs"), 1000}}};
    auto sub = protocol::parseRequest(QStringLiteral("subscribe"), subscribe.toJson());
    ASSERT_TRUE(sub) << sub.error().message.toStdString();
    EXPECT_EQ(std::get<protocol::SubscribeRequest>(*sub).since, 17);
    EXPECT_EQ(std::get<protocol::SubscribeRequest>(*sub).params, subscribe.params);
    for (auto type :
         {protocol::RequestType::Hello, protocol::RequestType::State, protocol::RequestType::Plan,
          protocol::RequestType::Apply, protocol::RequestType::Confirm,
          protocol::RequestType::Rollback, protocol::RequestType::Enroll,
          protocol::RequestType::Subscribe, protocol::RequestType::Unsubscribe,
          protocol::RequestType::CaptureStart, protocol::RequestType::CaptureStop,
          protocol::RequestType::CaptureRenew, protocol::RequestType::CaptureList,
          protocol::RequestType::CaptureFetch, protocol::RequestType::CaptureDelete})
        EXPECT_EQ(protocol::requestTypeFromName(protocol::requestTypeName(type)), type);
}

// Replies are input from the network too: the console checks them before acting on them.
TEST(Replies, MalformedRepliesAreErrorsThatSayWhere)
{
    namespace protocol = core::protocol;
    auto apply = protocol::ApplyReply::fromJson(
        {{QStringLiteral("changed"), true}, {QStringLiteral("plan"), QJsonObject{}}});
    ASSERT_FALSE(apply);
    EXPECT_EQ(apply.error().message.toStdString(), "body.transaction: is required");
    auto plan = protocol::PlanReply::fromJson(
        {{QStringLiteral("plan"), QJsonObject{{QStringLiteral("digest"), QStringLiteral("d1")},
                                              {QStringLiteral("diff"), QString()},
                                              {QStringLiteral("operations"), QJsonArray{1}}}}});
    ASSERT_FALSE(plan);
    EXPECT_EQ(plan.error().message.toStdString(),
              "body.plan.operations[0]: must be an object with a \"destructive\" flag");
    auto hello = protocol::HelloReply::fromJson({{QStringLiteral("agent"), 7}});
    ASSERT_FALSE(hello);
    EXPECT_EQ(hello.error().message.toStdString(), "body.agent: must be a string");
    auto event = protocol::StreamEvent::fromJson(3, {{QStringLiteral("seq"), -1}});
    ASSERT_FALSE(event);
    EXPECT_TRUE(event.error().message.startsWith(QStringLiteral("body.seq: -1 is not an integer")));
    const protocol::ApplyReply ok{QStringLiteral("t-1"), true,
                                  QStringLiteral("2026-12-07T10:00:00Z"), 60,
                                  protocol::PlanReport::of({})};
    auto back = protocol::ApplyReply::fromJson(ok.toJson());
    ASSERT_TRUE(back) << back.error().message.toStdString();
    EXPECT_EQ(back->transaction, QStringLiteral("t-1"));
    EXPECT_EQ(back->plan.summary(), QStringLiteral("no changes"));
}

// hello and state may say what is wrong on the host (an optional list): kept when present,
// absent when there is nothing to say, and checked like any other field.
TEST(Replies, ProblemsAreAnOptionalListOfWords)
{
    namespace protocol = core::protocol;
    protocol::HelloReply hello{QStringLiteral("converged"),
                               QStringLiteral("0.1.0"),
                               1,
                               QStringLiteral("h"),
                               QStringLiteral("netdev"),
                               {},
                               {},
                               {QStringLiteral("the journal is damaged")}};
    auto back = protocol::HelloReply::fromJson(hello.toJson());
    ASSERT_TRUE(back) << back.error().message.toStdString();
    EXPECT_EQ(back->problems, hello.problems);
    hello.problems.clear();
    EXPECT_FALSE(hello.toJson().contains(QStringLiteral("problems")));
    QJsonObject bad = hello.toJson();
    bad.insert(QStringLiteral("problems"), QJsonArray{3});
    auto refused = protocol::HelloReply::fromJson(bad);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message.toStdString(), "body.problems[0]: must be a string");

    core::realize::HostState empty;
    empty.host = QStringLiteral("h");
    const protocol::StateReply state{empty, {}, {}, {}, {QStringLiteral("bridge x ...")}};
    auto stateBack = protocol::StateReply::fromJson(state.toJson());
    ASSERT_TRUE(stateBack) << stateBack.error().message.toStdString();
    EXPECT_EQ(stateBack->problems, state.problems);
    const protocol::StateReply quiet{empty, {}, {}, {}, {}};
    EXPECT_FALSE(quiet.toJson().contains(QStringLiteral("problems")));
}

TEST(Requests, MalformedRequestsAreRejectedWithWhereAndWhat)
{
    const std::vector<Bad> bad{
        {"reboot", {}, "type: \"reboot\" is not a request"},
        {"hello", {}, "body.version: is required"},
        {"hello", {{QStringLiteral("version"), 1}}, "body.version: must be"},
        {"hello",
         {{QStringLiteral("version"), QStringLiteral("1; rm -rf /")}},
         "body.version: must be"},
        {"state", {{QStringLiteral("verbose"), true}}, "body.verbose: unknown field"},
        {"plan", {}, "body.desired: is required"},
        {"plan", {{QStringLiteral("desired"), QJsonArray{}}}, "body.desired: must be an object"},
        {"apply",
         {{QStringLiteral("desired"), validDesired()}, {QStringLiteral("confirmTimeoutSec"), 0}},
         "body.confirmTimeoutSec: must be whole seconds in 1-3600"},
        {"apply",
         {{QStringLiteral("desired"), validDesired()}, {QStringLiteral("confirmTimeoutSec"), 2.5}},
         "body.confirmTimeoutSec"},
        {"apply",
         {{QStringLiteral("desired"), validDesired()},
          {QStringLiteral("confirmTimeoutSec"), QStringLiteral("60")}},
         "body.confirmTimeoutSec"},
        {"confirm", {}, "body.transaction: is required"},
        {"rollback",
         {{QStringLiteral("transaction"), QStringLiteral("../../etc/passwd")}},
         "body.transaction: must be"},
        {"plan", desiredWith(QStringLiteral("bridges/0/name"), QStringLiteral("br;reboot")),
         "body.desired.bridges[0].name: \"br;reboot\" is not a valid interface name"},
        {"plan",
         desiredWith(QStringLiteral("bridges/0/name"), QStringLiteral("a-name-longer-than-15")),
         "bridges[0].name"},
        {"plan", desiredWith(QStringLiteral("bridges/0/ports/1/tag"), 5000),
         "bridges[0].ports[1].tag: 5000 is not a VLAN id (0-4094)"},
        {"plan", desiredWith(QStringLiteral("bridges/0/ports/1/tag"), -1),
         "bridges[0].ports[1].tag"},
        {"plan",
         desiredWith(QStringLiteral("bridges/0/ports/1/addresses"),
                     QJsonArray{QStringLiteral("10.77.99.1/33")}),
         "bridges[0].ports[1].addresses[0]: \"10.77.99.1/33\" is not an address with prefix "
         "length"},
        {"plan",
         desiredWith(QStringLiteral("bridges/0/ports/2/addresses"),
                     QJsonArray{QStringLiteral("10.0.0.1/24")}),
         "bridges[0].ports[2].addresses: only internal ports"},
        {"plan",
         desiredWith(QStringLiteral("bridges/0/ports/2/policy/acls/0/remotePrefix"),
                     QStringLiteral("10.0.0/8x")),
         "bridges[0].ports[2].policy.acls[0].remotePrefix: \"10.0.0/8x\" is not an IP prefix"},
        {"plan",
         desiredWith(QStringLiteral("bridges/0/ports/2/policy/acls/0/action"),
                     QStringLiteral("reject")),
         "policy.acls[0].action: \"reject\" is not one of allow, deny, meter"},
        {"plan",
         desiredWith(QStringLiteral("bridges/0/ports/2/policy/mac"),
                     QStringLiteral("02:cf:00:00:00")),
         "bridges[0].ports[2].policy.mac: \"02:cf:00:00:00\" is not a MAC address"},
        {"plan", desiredWith(QStringLiteral("bridges/0/ports/2/trunks"), QJsonArray{10, 4095}),
         "bridges[0].ports[2].trunks[1]: is not a VLAN id (0-4094)"},
        {"plan",
         desiredWith(QStringLiteral("bridges/0/ports/0/members"),
                     QJsonArray{QStringLiteral("up1")}),
         "bridges[0].ports[0].members: a bond needs at least two members"},
        {"plan",
         desiredWith(QStringLiteral("bridges/0/ports/0/bondPrimary"), QStringLiteral("up9")),
         "bridges[0].ports[0].bondPrimary: \"up9\" is not a member"},
        {"plan",
         desiredWith(QStringLiteral("bridges/0/ports/0/bondMode"), QStringLiteral("round-robin")),
         "bridges[0].ports[0].bondMode: \"round-robin\" is not one of"},
        {"plan", desiredWith(QStringLiteral("bridges/0/ports/3/name"), QStringLiteral("vm1")),
         "bridges[0].ports[3].name: \"vm1\" is used twice"},
        {"plan", desiredWith(QStringLiteral("bridges/0/ports/2/type"), QStringLiteral("geneve")),
         "bridges[0].ports[2].type: \"geneve\" is not one of"},
        {"plan", desiredWith(QStringLiteral("bridges/0/ports/2/shell"), QStringLiteral("id")),
         "bridges[0].ports[2].shell: unknown field"},
        {"plan", desiredWith(QStringLiteral("mirrors/0/output"), QStringLiteral("nope")),
         "mirrors[0].output: \"nope\" is not a port of bridge \"lab\""},
        {"plan", desiredWith(QStringLiteral("mirrors/0/output"), QStringLiteral("vm1")),
         "mirrors[0].output"},
        {"plan",
         desiredWith(QStringLiteral("bridges/0/ports/2/policy/macSpoofing"), QStringLiteral("no")),
         "policy.macSpoofing: must be true or false"},
        {"plan", desiredWith(QStringLiteral("bridges/0/datapathType"), QStringLiteral("dpdk")),
         "bridges[0].datapathType"},
        {"plan", desiredWith(QStringLiteral("bridges/0/ports/1/mtu"), 10),
         "bridges[0].ports[1].mtu: 10 is not an integer in 68-65535"},
    };
    ASSERT_GE(bad.size(), 20u);
    for (const Bad &b : bad) {
        auto r = core::protocol::parseRequest(QLatin1String(b.type), b.body);
        ASSERT_FALSE(r) << b.type << " " << QJsonDocument(b.body).toJson().toStdString();
        EXPECT_TRUE(r.error().message.contains(QLatin1String(b.error)))
            << "expected \"" << b.error << "\" in: " << r.error().message.toStdString();
    }
}

// Enrollment bodies are checked like every request: unknown fields and a proof with a final
// newline are refused (issue 13).
TEST(Requests, AnEnrollmentBodyIsCheckedLikeEveryRequest)
{
    const QString proof(core::protocol::EnrollRequest::kProofHexLength, u'a');
    EXPECT_TRUE(core::protocol::EnrollRequest::fromJson({{QStringLiteral("proof"), proof}}));
    auto extra = core::protocol::EnrollRequest::fromJson(
        {{QStringLiteral("proof"), proof}, {QStringLiteral("fingerprint"), 1}});
    ASSERT_FALSE(extra);
    EXPECT_EQ(extra.error().message.toStdString(), "body.fingerprint: unknown field");
    auto newline =
        core::protocol::EnrollRequest::fromJson({{QStringLiteral("proof"), proof + u'\n'}});
    ASSERT_FALSE(newline);
    EXPECT_TRUE(newline.error().message.startsWith(QLatin1String("body.proof: must be")))
        << newline.error().message.toStdString();
}

namespace {

// One or more changes to the valid desired state: {"path/to/key", value} (undefined removes).
using Changes = std::vector<std::pair<const char *, QJsonValue>>;

QJsonObject desiredWithAll(const Changes &changes)
{
    QJsonObject o = validDesired();
    for (const auto &[path, v] : changes)
        o = with(o, QString::fromLatin1(path).split(u'/'), v);
    return o;
}

const QJsonValue kRemoved = QJsonValue(QJsonValue::Undefined);

} // namespace

// Every check of the host-state form, with its exact message: the path and what is wrong. Where
// an object breaks two rules, the message names the one checked first.
TEST(HostStateJson, EveryCheckSaysExactlyWhereAndWhat)
{
    QJsonObject twoMirrors = validDesired();
    QJsonArray mirrors = twoMirrors.value(QStringLiteral("mirrors")).toArray();
    mirrors.append(mirrors[0]);
    twoMirrors.insert(QStringLiteral("mirrors"), mirrors);
    const std::vector<std::pair<QJsonObject, const char *>> cases{
        {desiredWithAll({{"host", 5}}), "host: must be a string"},
        {desiredWithAll({{"notes", QStringLiteral("x")}}), "notes: must be a list"},
        {desiredWithAll({{"notes", QJsonArray{1}}}), "notes[0]: must be a string"},
        {desiredWithAll({{"unmanagedBridges", QJsonArray{true}}}),
         "unmanagedBridges[0]: must be a string"},
        {desiredWithAll({{"extra", 1}}), "extra: unknown field"},
        {desiredWithAll({{"bridges", QJsonObject{}}}), "bridges: must be a list"},
        {desiredWithAll({{"bridges/0", 5}}), "bridges[0]: must be an object"},
        {desiredWithAll({{"mirrors", QStringLiteral("m")}}), "mirrors: must be a list"},
        {desiredWithAll({{"mirrors/0", QJsonArray{}}}), "mirrors[0]: must be an object"},
        // bridges
        {desiredWithAll({{"bridges/0/name", kRemoved}}), "bridges[0].name: is required"},
        {desiredWithAll({{"bridges/0/name", QStringLiteral("-x")}}),
         "bridges[0].name: \"-x\" is not a valid interface name (1-15 characters of letters, "
         "digits, '_', '.', '-', not starting with '-')"},
        {desiredWithAll({{"bridges/0/name", 7}}), "bridges[0].name: must be a string"},
        {desiredWithAll({{"bridges/0/elementId", 1}}), "bridges[0].elementId: must be a string"},
        {desiredWithAll({{"bridges/0/sriov", QStringLiteral("yes")}}),
         "bridges[0].sriov: must be true or false"},
        {desiredWithAll({{"bridges/0/flowsDigest", 5}}),
         "bridges[0].flowsDigest: must be a string"},
        {desiredWithAll({{"bridges/0/extra", 5}}), "bridges[0].extra: unknown field"},
        {desiredWithAll({{"bridges/0/ports/3/name", QStringLiteral("lab")}}),
         "bridges[0].ports[3].name: \"lab\" is used twice"},
        {desiredWithAll({{"bridges/0/ports", 1}}), "bridges[0].ports: must be a list"},
        {desiredWithAll({{"bridges/0/ports/1", QStringLiteral("x")}}),
         "bridges[0].ports[1]: must be an object"},
        // ports
        {desiredWithAll({{"bridges/0/ports/2/name", kRemoved}}),
         "bridges[0].ports[2].name: is required"},
        {desiredWithAll({{"bridges/0/ports/2/type", kRemoved}}),
         "bridges[0].ports[2].type: is required"},
        {desiredWithAll({{"bridges/0/ports/2/elementId", false}}),
         "bridges[0].ports[2].elementId: must be a string"},
        {desiredWithAll({{"bridges/0/ports/2/lacp", 1}}),
         "bridges[0].ports[2].lacp: must be true or false"},
        {desiredWithAll({{"bridges/0/ports/0/bondPrimary", QStringLiteral("a b")}}),
         "bridges[0].ports[0].bondPrimary: \"a b\" is not a valid interface name (1-15 characters "
         "of letters, digits, '_', '.', '-', not starting with '-')"},
        {desiredWithAll({{"bridges/0/ports/2/vlanMode", QStringLiteral("qinq")}}),
         "bridges[0].ports[2].vlanMode: \"qinq\" is not one of access, trunk, native-untagged"},
        {desiredWithAll({{"bridges/0/ports/2/tag", 2.5}}),
         "bridges[0].ports[2].tag: 2.5 is not an integer in 0-4094"},
        {desiredWithAll({{"bridges/0/ports/2/tag", QStringLiteral("10")}}),
         "bridges[0].ports[2].tag: value is not an integer in 0-4094"},
        {desiredWithAll({{"bridges/0/ports/2/trunks", 5}}),
         "bridges[0].ports[2].trunks: must be a list"},
        {desiredWithAll({{"bridges/0/ports/2/trunks", QJsonArray{QStringLiteral("5")}}}),
         "bridges[0].ports[2].trunks[0]: is not a VLAN id (0-4094)"},
        {desiredWithAll({{"bridges/0/ports/2/isolated", QStringLiteral("x")}}),
         "bridges[0].ports[2].isolated: must be true or false"},
        {desiredWithAll({{"bridges/0/ports/2/maxRateKbps", -5}}),
         "bridges[0].ports[2].maxRateKbps: -5 is not an integer in 0-1000000000"},
        {desiredWithAll({{"bridges/0/ports/2/maxRateKbps", 1e10}}),
         "bridges[0].ports[2].maxRateKbps: 1e+10 is not an integer in 0-1000000000"},
        {desiredWithAll({{"bridges/0/ports/2/mtu", 65536}}),
         "bridges[0].ports[2].mtu: 65536 is not an integer in 68-65535"},
        {desiredWithAll({{"bridges/0/ports/1/addresses", QStringLiteral("x")}}),
         "bridges[0].ports[1].addresses: must be a list"},
        {desiredWithAll({{"bridges/0/ports/1/addresses", QJsonArray{5}}}),
         "bridges[0].ports[1].addresses[0]: must be a string"},
        {desiredWithAll({{"bridges/0/ports/2/policy", 5}}),
         "bridges[0].ports[2].policy: must be an object"},
        {desiredWithAll({{"bridges/0/ports/2/policy", QJsonValue::Null}}),
         "bridges[0].ports[2].policy: must be an object"},
        {desiredWithAll({{"bridges/0/ports/0/maxRateKbps", 10}}),
         "bridges[0].ports[0].maxRateKbps: a bond has no maximum rate"},
        {desiredWithAll({{"bridges/0/ports/0/policy", QJsonObject{{"dhcpGuard", true}}}}),
         "bridges[0].ports[0].policy: a bond has no MAC, guards, PVLAN community or ACLs"},
        {desiredWithAll({{"bridges/0/ports/0/bondMode", kRemoved}}),
         "bridges[0].ports[0].bondMode: is required for a bond"},
        {desiredWithAll({{"bridges/0/ports/0/members",
                          QJsonArray{QStringLiteral("up1"), QStringLiteral("a b")}}}),
         "bridges[0].ports[0].members[1]: \"a b\" is not a valid interface name"},
        {desiredWithAll({{"bridges/0/ports/0/members",
                          QJsonArray{QStringLiteral("up1"), QStringLiteral("lab")}}}),
         "bridges[0].ports[0].members[1]: \"lab\" is used twice"},
        {desiredWithAll({{"bridges/0/ports/0/members", 5}}),
         "bridges[0].ports[0].members: must be a list"},
        {desiredWithAll({{"bridges/0/ports/3/name", QStringLiteral("up1")}}),
         "bridges[0].ports[3].name: \"up1\" is already a bond member"},
        {desiredWithAll({{"bridges/0/ports/3/lacp", true}}),
         "bridges[0].ports[3].type: members and bond settings need type \"bond\""},
        {desiredWithAll({{"bridges/0/ports/3/vlanMode", QStringLiteral("access")}}),
         "bridges[0].ports[3].tag: an access port needs a tag"},
        {desiredWithAll({{"bridges/0/ports/3/vlanMode", QStringLiteral("trunk")},
                         {"bridges/0/ports/3/tag", 5}}),
         "bridges[0].ports[3].tag: a trunk port has no tag (use native-untagged)"},
        {desiredWithAll({{"bridges/0/ports/3/tag", 5}}),
         "bridges[0].ports[3].vlanMode: is required with a tag or trunks"},
        {desiredWithAll({{"bridges/0/ports/3/vlanMode", QStringLiteral("native-untagged")}}),
         "bridges[0].ports[3].tag: native-untagged needs a tag"},
        {desiredWithAll({{"bridges/0/ports/2/trunks", QJsonArray{5}}}),
         "bridges[0].ports[2].trunks: an access port carries no trunks"},
        // policy
        {desiredWithAll({{"bridges/0/ports/2/policy/dhcpGuard", 1}}),
         "bridges[0].ports[2].policy.dhcpGuard: must be true or false"},
        {desiredWithAll({{"bridges/0/ports/2/policy/routerGuard", QStringLiteral("x")}}),
         "bridges[0].ports[2].policy.routerGuard: must be true or false"},
        {desiredWithAll({{"bridges/0/ports/2/policy/community", 4095}}),
         "bridges[0].ports[2].policy.community: 4095 is not a VLAN id (0-4094)"},
        {desiredWithAll({{"bridges/0/ports/2/policy/acls", QJsonObject{}}}),
         "bridges[0].ports[2].policy.acls: must be a list"},
        {desiredWithAll({{"bridges/0/ports/2/policy/acls/0", 1}}),
         "bridges[0].ports[2].policy.acls[0]: must be an object"},
        {desiredWithAll({{"bridges/0/ports/2/policy/mac", kRemoved}}),
         "bridges[0].ports[2].policy.macSpoofing: spoofing can only be turned off for a port with "
         "a MAC address"},
        {desiredWithAll({{"bridges/0/ports/2/policy/mac", kRemoved},
                         {"bridges/0/ports/2/policy/macSpoofing", kRemoved},
                         {"bridges/0/ports/2/policy/acls/0/direction", QStringLiteral("in")}}),
         "bridges[0].ports[2].policy.acls[0]: an inbound ACL needs the port's MAC address"},
        {desiredWithAll({{"bridges/0/ports/2/policy/extra", 1}}),
         "bridges[0].ports[2].policy.extra: unknown field"},
        {desiredWithAll(
             {{"bridges/0/ports/2/policy/extra", 1}, {"bridges/0/ports/2/policy/mac", kRemoved}}),
         "bridges[0].ports[2].policy.macSpoofing: spoofing can only be turned off for a port with "
         "a MAC address"},
        // ACLs
        {desiredWithAll({{"bridges/0/ports/2/policy/acls/0/direction", kRemoved}}),
         "bridges[0].ports[2].policy.acls[0].direction: is required"},
        {desiredWithAll({{"bridges/0/ports/2/policy/acls/0/direction", QStringLiteral("both")}}),
         "bridges[0].ports[2].policy.acls[0].direction: \"both\" is not one of in, out"},
        {desiredWithAll({{"bridges/0/ports/2/policy/acls/0/localPrefix", QStringLiteral("x")}}),
         "bridges[0].ports[2].policy.acls[0].localPrefix: \"x\" is not an IP prefix "
         "(address/length)"},
        {desiredWithAll({{"bridges/0/ports/2/policy/acls/0/localMac", QStringLiteral("x")}}),
         "bridges[0].ports[2].policy.acls[0].localMac: \"x\" is not a MAC address"},
        {desiredWithAll({{"bridges/0/ports/2/policy/acls/0/remoteMac", 5}}),
         "bridges[0].ports[2].policy.acls[0].remoteMac: must be a string"},
        {desiredWithAll({{"bridges/0/ports/2/policy/acls/0/protocol", QStringLiteral("gre")}}),
         "bridges[0].ports[2].policy.acls[0].protocol: \"gre\" is not one of tcp, udp, icmp"},
        {desiredWithAll({{"bridges/0/ports/2/policy/acls/0/protocol", QStringLiteral("tcp")},
                         {"bridges/0/ports/2/policy/acls/0/localPorts", QJsonArray{0}}}),
         "bridges[0].ports[2].policy.acls[0].localPorts[0]: is not a port (1-65535)"},
        {desiredWithAll({{"bridges/0/ports/2/policy/acls/0/remotePorts", QJsonArray{80}}}),
         "bridges[0].ports[2].policy.acls[0].remotePorts: ports need protocol \"tcp\" or \"udp\""},
        {desiredWithAll({{"bridges/0/ports/2/policy/acls/0/protocol", QStringLiteral("icmp")},
                         {"bridges/0/ports/2/policy/acls/0/localPorts", QJsonArray{80}}}),
         "bridges[0].ports[2].policy.acls[0].localPorts: ports need protocol \"tcp\" or \"udp\""},
        {desiredWithAll({{"bridges/0/ports/2/policy/acls/0/weight", 70000}}),
         "bridges[0].ports[2].policy.acls[0].weight: 70000 is not an integer in 0-65535"},
        {desiredWithAll({{"bridges/0/ports/2/policy/acls/0/extra", 1}}),
         "bridges[0].ports[2].policy.acls[0].extra: unknown field"},
        {desiredWithAll({{"bridges/0/ports/2/policy/acls/0/extra", 1},
                         {"bridges/0/ports/2/policy/acls/0/remotePorts", QJsonArray{80}}}),
         "bridges[0].ports[2].policy.acls[0].remotePorts: ports need protocol \"tcp\" or \"udp\""},
        {desiredWithAll(
             {{"bridges/0/ports/2/policy/acls/0/localPrefix", QStringLiteral("fe80::/64")}}),
         "bridges[0].ports[2].policy.acls[0].remotePrefix: mixes IPv4 and IPv6 with localPrefix"},
        // mirrors
        {desiredWithAll({{"mirrors/0/name", kRemoved}}), "mirrors[0].name: is required"},
        {desiredWithAll({{"mirrors/0/bridge", kRemoved}}), "mirrors[0].bridge: is required"},
        {desiredWithAll({{"mirrors/0/elementId", 5}}), "mirrors[0].elementId: must be a string"},
        {desiredWithAll({{"mirrors/0/selectSrc", QStringLiteral("x")}}),
         "mirrors[0].selectSrc: must be a list"},
        {desiredWithAll({{"mirrors/0/selectDst", QJsonArray{1}}}),
         "mirrors[0].selectDst[0]: must be a string"},
        {desiredWithAll({{"mirrors/0/output", kRemoved}}), "mirrors[0].output: is required"},
        {desiredWithAll({{"mirrors/0/extra", 1}}), "mirrors[0].extra: unknown field"},
        {desiredWithAll({{"mirrors/0/name", QString(65, u'm')}}),
         "mirrors[0].name: \"mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm\" "
         "is too long or used twice"},
        {twoMirrors, "mirrors[1].name: \"m\" is too long or used twice"},
        // Mirror names as ovs-vsctl could misread them (issue 13: "--" ended the command).
        {desiredWithAll({{"mirrors/0/name", QStringLiteral("--")}}),
         "mirrors[0].name: \"--\" is not a valid mirror name (1-64 characters, no control "
         "characters, not starting with '-', no white space at either end)"},
        {desiredWithAll({{"mirrors/0/name", QString()}}),
         "mirrors[0].name: \"\" is not a valid mirror name (1-64 characters, no control "
         "characters, not starting with '-', no white space at either end)"},
        {desiredWithAll({{"mirrors/0/name", QStringLiteral("m\n")}}),
         "mirrors[0].name: \"m\n\" is not a valid mirror name (1-64 characters, no control "
         "characters, not starting with '-', no white space at either end)"},
        {desiredWithAll({{"mirrors/0/name", QStringLiteral(" m")}}),
         "mirrors[0].name: \" m\" is not a valid mirror name (1-64 characters, no control "
         "characters, not starting with '-', no white space at either end)"},
        {desiredWithAll({{"mirrors/0/name", QStringLiteral("m\u202E")}}),
         "mirrors[0].name: \"m\u202E\" is not a valid mirror name (1-64 characters, no control "
         "characters, not starting with '-', no white space at either end)"},
        {desiredWithAll({{"mirrors/0/bridge", QStringLiteral("nope")}}),
         "mirrors[0].bridge: \"nope\" is not one of the bridges"},
        {desiredWithAll({{"mirrors/0/selectSrc", QJsonArray{QStringLiteral("nope")}}}),
         "mirrors[0].selectSrc: \"nope\" is not a port of bridge \"lab\""},
        {desiredWithAll({{"mirrors/0/selectDst", QJsonArray{QStringLiteral("nope")}}}),
         "mirrors[0].selectDst: \"nope\" is not a port of bridge \"lab\""},
        {desiredWithAll(
             {{"mirrors/0/selectSrc", QJsonArray{}}, {"mirrors/0/selectDst", QJsonArray{}}}),
         "mirrors[0].selectSrc: a mirror needs a source"},
        // two errors: the first checked wins
        {desiredWithAll(
             {{"bridges/0/ports/2/name", QStringLiteral("a;b")}, {"bridges/0/ports/2/tag", 5000}}),
         "bridges[0].ports[2].name: \"a;b\" is not a valid interface name (1-15 characters of "
         "letters, digits, '_', '.', '-', not starting with '-')"},
        {desiredWithAll({{"bridges/0/ports/2/extra", 1}, {"bridges/0/ports/2/tag", 5000}}),
         "bridges[0].ports[2].tag: 5000 is not a VLAN id (0-4094)"},
        {desiredWithAll({{"bridges/0/extra", 1}, {"bridges/0/ports/1/tag", 5000}}),
         "bridges[0].extra: unknown field"},
        {desiredWithAll({{"extra", 1}, {"bridges/0/name", QStringLiteral("a;b")}}),
         "extra: unknown field"},
        {desiredWithAll(
             {{"bridges/0/datapathType", QStringLiteral("dpdk")}, {"bridges/0/ports/1/tag", 5000}}),
         "bridges[0].datapathType: \"dpdk\" is not one of system, netdev"},
        {desiredWithAll({{"bridges/0/ports/0/maxRateKbps", 10},
                         {"bridges/0/ports/0/members", QJsonArray{QStringLiteral("up1")}}}),
         "bridges[0].ports[0].maxRateKbps: a bond has no maximum rate"},
        // A final newline is not the end of a name (issue 13: a bridge "br0\n" was committed).
        {desiredWithAll({{"bridges/0/name", QStringLiteral("br0\n")}}),
         "bridges[0].name: \"br0\n\" is not a valid interface name (1-15 characters of letters, "
         "digits, '_', '.', '-', not starting with '-')"},
        {desiredWithAll({{"bridges/0/ports/2/name", QStringLiteral("vm1\n")}}),
         "bridges[0].ports[2].name: \"vm1\n\" is not a valid interface name (1-15 characters of "
         "letters, digits, '_', '.', '-', not starting with '-')"},
        {desiredWithAll({{"bridges/0/ports/2/name", QString()}}),
         "bridges[0].ports[2].name: \"\" is not a valid interface name (1-15 characters of "
         "letters, digits, '_', '.', '-', not starting with '-')"},
        {desiredWithAll({{"bridges/0/ports/2/policy/mac", QStringLiteral("02:cf:00:00:00:01\n")}}),
         "bridges[0].ports[2].policy.mac: \"02:cf:00:00:00:01\n\" is not a MAC address"},
    };
    for (const auto &[json, message] : cases) {
        auto r = core::realize::HostState::fromJson(json);
        ASSERT_FALSE(r) << QJsonDocument(json).toJson().toStdString();
        EXPECT_EQ(r.error().message.toStdString(), message);
    }
}

// The names people give mirror sessions are kept as they are, a UUID-shaped one too (mirrors are
// changed and removed by their row's UUID, so a name cannot be taken for another row).
TEST(HostStateJson, MirrorNamesPeopleGiveAreKept)
{
    for (const QString &name :
         {QStringLiteral("lab mirroring"), QStringLiteral("watch a (Überwachung)"),
          QStringLiteral("0a1b2c3d-0000-4000-8000-000000000001"), QString(64, u'm')}) {
        auto r = core::realize::HostState::fromJson(desiredWithAll({{"mirrors/0/name", name}}));
        ASSERT_TRUE(r) << r.error().message.toStdString();
        EXPECT_EQ(r->mirrors.at(0).name, name);
    }
}

// A policy read onto a port replaces the port's whole policy: what it leaves out is the default.
TEST(HostStateJson, PolicyReplacesThePortsPolicy)
{
    core::realize::Port p;
    p.mac = QStringLiteral("02:00:00:00:00:01");
    p.macSpoofing = false;
    p.dhcpGuard = true;
    p.community = 7;
    p.acls.append(core::realize::Acl{});
    p.tag = 10;
    ASSERT_TRUE(p.setPolicyJson({{QStringLiteral("routerGuard"), true}}, QStringLiteral("p")));
    EXPECT_EQ(p.mac, QString());
    EXPECT_TRUE(p.macSpoofing);
    EXPECT_FALSE(p.dhcpGuard);
    EXPECT_TRUE(p.routerGuard);
    EXPECT_EQ(p.community, -1);
    EXPECT_TRUE(p.acls.isEmpty());
    EXPECT_EQ(p.tag, 10); // not part of the policy

    const core::realize::Port before = p;
    auto failed = p.setPolicyJson({{QStringLiteral("community"), 5000}}, QStringLiteral("p"));
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().message,
              QStringLiteral("p.community: 5000 is not a VLAN id (0-4094)"));
    EXPECT_EQ(p, before); // unchanged on error
}

// The capture requests (issue 16): what a console may ask of a host's captures is checked as
// closely as a deployment, and a refusal names the field.
TEST(CaptureRequests, RoundTripAndRefusalsNameTheField)
{
    namespace protocol = core::protocol;
    protocol::CaptureStartRequest start;
    start.target.port = QStringLiteral("vnet3");
    start.target.viaMirror = true;
    start.filter = {{QStringLiteral("ports"), QJsonArray{53}}};
    start.names = {{QStringLiteral("10.0.0.5"), QStringLiteral("h1")}};
    start.ring = protocol::CaptureRing{QStringLiteral("r1"), 1048576, 3, 0, 600};
    auto back = protocol::parseCaptureRequest(QStringLiteral("capture-start"), start.toJson());
    ASSERT_TRUE(back) << back.error().message.toStdString();
    const auto &read = std::get<protocol::CaptureStartRequest>(*back);
    EXPECT_EQ(read.toJson(), start.toJson());
    EXPECT_EQ(read.ring->durationSeconds, 600);

    const auto refusal = [](const char *type, const QJsonObject &body) {
        auto r = protocol::parseCaptureRequest(QLatin1String(type), body);
        return r ? QStringLiteral("accepted") : r.error().message;
    };
    const QJsonObject port{{QStringLiteral("port"), QStringLiteral("vnet3")}};
    const auto withTarget = [&](const QJsonObject &target) {
        return QJsonObject{{QStringLiteral("target"), target}};
    };
    EXPECT_TRUE(
        refusal("capture-start", withTarget({{QStringLiteral("port"), QStringLiteral("a")},
                                             {QStringLiteral("interface"), QStringLiteral("b")}}))
            .contains(QStringLiteral("exactly one of interface, port and mirror")));
    EXPECT_TRUE(
        refusal("capture-start", withTarget({{QStringLiteral("interface"), QStringLiteral("eth0")},
                                             {QStringLiteral("viaMirror"), true}}))
            .startsWith(QStringLiteral("body.target.viaMirror")));
    QJsonObject badRing = withTarget(port);
    badRing[QStringLiteral("ring")] =
        QJsonObject{{QStringLiteral("name"), QStringLiteral("../etc")}};
    EXPECT_TRUE(refusal("capture-start", badRing).startsWith(QStringLiteral("body.ring.name")));
    QJsonObject lease = withTarget(port);
    lease[QStringLiteral("leaseSec")] = 1;
    EXPECT_TRUE(refusal("capture-start", lease).startsWith(QStringLiteral("body.leaseSec")));
    QJsonObject unknown = withTarget(port);
    unknown[QStringLiteral("promiscuous")] = false;
    EXPECT_TRUE(refusal("capture-start", unknown).contains(QStringLiteral("promiscuous")));
    EXPECT_TRUE(refusal("capture-fetch", {{QStringLiteral("name"), QStringLiteral("r1")},
                                          {QStringLiteral("file"), QStringLiteral(".hidden")}})
                    .startsWith(QStringLiteral("body.file")));
    EXPECT_TRUE(refusal("capture-fetch", {{QStringLiteral("name"), QStringLiteral("r1")},
                                          {QStringLiteral("file"), QStringLiteral("a.pcapng")},
                                          {QStringLiteral("length"), 5 * 1024 * 1024}})
                    .startsWith(QStringLiteral("body.length")));
    EXPECT_TRUE(refusal("capture-stop", {}).contains(QStringLiteral("either capture")));
    EXPECT_EQ(refusal("capture-list", {}), QStringLiteral("accepted"));
}

// A live capture's events come from the network: broken blocks or counters are errors.
TEST(CaptureRequests, APacketEventIsCheckedBeforeItsBlocksAreWritten)
{
    namespace protocol = core::protocol;
    protocol::CapturePackets p{QByteArray("\x06\0\0\0", 4), 1, {5, 100, 1, 2}, {}};
    auto back = protocol::CapturePackets::fromJson(p.toJson());
    ASSERT_TRUE(back) << back.error().message.toStdString();
    EXPECT_EQ(back->blocks, p.blocks);
    EXPECT_EQ(back->stats, p.stats);
    QJsonObject bad = p.toJson();
    bad[QStringLiteral("blocks")] = QStringLiteral("not*base64");
    auto broken = protocol::CapturePackets::fromJson(bad);
    ASSERT_FALSE(broken);
    EXPECT_TRUE(broken.error().message.startsWith(QStringLiteral("data.blocks")));
    bad = p.toJson();
    bad[QStringLiteral("stats")] = QJsonObject{{QStringLiteral("received"), -1}};
    EXPECT_FALSE(protocol::CapturePackets::fromJson(bad));
}
