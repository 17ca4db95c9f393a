// Bundle scripts: quoting. The shell script is run with stand-in ovs-vsctl/ovs-ofctl/ip that
// record their argv, so hostile names must arrive as exactly one argument each and never run;
// PowerShell lines, with their quoted strings removed, must hold no design text.
#include "core/io/designdocument.h"
#include "core/model/design.h"
#include "core/realize/scripts.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

using namespace converge;
using namespace converge::core::realize;

namespace {

const QString kHostile = QStringLiteral("it's $(touch PWNED) `touch PWNED` \"x\" $HOME; a\\b *");

void writeExecutable(const QString &path, const QByteArray &text)
{
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(text);
    f.close();
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
}

// Runs SCRIPT with stand-in tools in DIR; returns what they recorded (one "tool:" line per call,
// then one line per argument, then "stdin:" and standard input for ovs-ofctl).
QString runWithFakeTools(const QTemporaryDir &dir, const QString &script,
                         const QProcessEnvironment &extra = {})
{
    const QString bin = dir.filePath(QStringLiteral("bin"));
    QDir().mkpath(bin);
    const QByteArray recorder = "#!/bin/sh\n"
                                "log=\"$RECORD\"\n"
                                "echo \"tool: ${0##*/}\" >> \"$log\"\n"
                                "for a in \"$@\"; do printf '[%s]\\n' \"$a\" >> \"$log\"; done\n"
                                "if [ \"${0##*/}\" = ovs-ofctl ]; then echo stdin: >> \"$log\"; "
                                "cat >> \"$log\"; fi\n";
    for (const char *tool : {"ovs-vsctl", "ovs-ofctl", "ip"})
        writeExecutable(QDir(bin).filePath(QLatin1String(tool)), recorder);
    const QString path = dir.filePath(QStringLiteral("apply.sh"));
    writeExecutable(path, script.toUtf8());
    QProcess sh;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PATH"), bin + QStringLiteral(":/usr/bin:/bin"));
    env.insert(QStringLiteral("RECORD"), dir.filePath(QStringLiteral("record")));
    env.remove(QStringLiteral("OVS_DB"));
    env.remove(QStringLiteral("OVS_DATAPATH"));
    for (const QString &k : extra.keys())
        env.insert(k, extra.value(k));
    sh.setProcessEnvironment(env);
    sh.setWorkingDirectory(dir.path());
    sh.start(QStringLiteral("sh"), {path});
    EXPECT_TRUE(sh.waitForFinished(10000));
    EXPECT_EQ(sh.exitCode(), 0) << sh.readAllStandardError().toStdString();
    QFile record(dir.filePath(QStringLiteral("record")));
    EXPECT_TRUE(record.open(QIODevice::ReadOnly));
    return QString::fromUtf8(record.readAll());
}

core::realize::Plan hostilePlan()
{
    core::realize::Operation bridge;
    bridge.kind = core::realize::Operation::Kind::AddBridge;
    bridge.bridge = bridge.target = QStringLiteral("lab");
    bridge.vsctl = {{QStringLiteral("add-br"), QStringLiteral("lab")},
                    {QStringLiteral("set"), QStringLiteral("Bridge"), QStringLiteral("lab"),
                     QStringLiteral("datapath_type=system"),
                     QStringLiteral("external_ids:converge-id=") + kHostile}};
    core::realize::Operation mirror;
    mirror.kind = core::realize::Operation::Kind::AddMirror;
    mirror.bridge = QStringLiteral("lab");
    mirror.target = kHostile + QStringLiteral("\nrm -rf /tmp/nothing");
    mirror.vsctl = {{QStringLiteral("--id=@m"), QStringLiteral("create"), QStringLiteral("Mirror"),
                     QStringLiteral("name=") + mirror.target}};
    core::realize::Operation flows;
    flows.kind = core::realize::Operation::Kind::SetFlows;
    flows.bridge = flows.target = QStringLiteral("lab");
    flows.flows = {QStringLiteral("table=0,priority=0 actions=resubmit(,1)"),
                   QStringLiteral("CONVERGE_FLOWS"), QStringLiteral("table=1 actions=NORMAL")};
    core::realize::Operation addresses;
    addresses.kind = core::realize::Operation::Kind::SetAddresses;
    addresses.bridge = QStringLiteral("lab");
    addresses.target = QStringLiteral("mgmt0");
    addresses.ip = {{QStringLiteral("addr"), QStringLiteral("add"), QStringLiteral("10.0.0.1/24"),
                     QStringLiteral("dev"), QStringLiteral("mgmt0")}};
    core::realize::Plan p;
    p.ops = {bridge, mirror, flows, addresses};
    p.notes = {QStringLiteral("a note\nwith a newline; touch PWNED")};
    return p;
}

// The line with PowerShell's single-quoted strings taken out ('' and the typographic quotes
// count as quotes there too).
QString withoutStrings(const QString &line)
{
    static const QRegularExpression string(
        QStringLiteral("['\u2018\u2019\u201a\u201b](?:[^'\u2018\u2019\u201a\u201b]|"
                       "['\u2018\u2019\u201a\u201b]['\u2018\u2019\u201a\u201b])*"
                       "['\u2018\u2019\u201a\u201b]"));
    return QString(line).remove(string);
}

} // namespace

TEST(Quoting, ShellAndPowerShellSingleQuotes)
{
    EXPECT_EQ(shQuote(QStringLiteral("it's")), QStringLiteral("'it'\\''s'"));
    EXPECT_EQ(shQuote(QString()), QStringLiteral("''"));
    EXPECT_EQ(psQuote(QStringLiteral("it's")), QStringLiteral("'it''s'"));
    EXPECT_EQ(psQuote(QStringLiteral("a\u2019b")), QStringLiteral("'a\u2019\u2019b'"));
    EXPECT_EQ(commentText(QStringLiteral("a\nb\rc")), QStringLiteral("a b c"));
}

TEST(ShellScript, HostileNamesArriveAsSingleArgumentsAndNeverRun)
{
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString script =
        shellScript(QStringLiteral("design\ntouch PWNED"), QStringLiteral("h1"), hostilePlan());
    for (const QString &line : script.split(u'\n'))
        EXPECT_FALSE(line.startsWith(QStringLiteral("touch"))) << line.toStdString();
    const QString record = runWithFakeTools(dir, script);
    EXPECT_FALSE(QFile::exists(dir.filePath(QStringLiteral("PWNED"))));
    const QString expected =
        QStringLiteral("tool: ovs-vsctl\n[--timeout=60]\n[--]\n[add-br]\n[lab]\n[--]\n[set]\n"
                       "[Bridge]\n[lab]\n[datapath_type=system]\n[external_ids:converge-id=%1]\n"
                       "[--]\n[--id=@m]\n[create]\n[Mirror]\n[name=%1\nrm -rf /tmp/nothing]\n"
                       "tool: ovs-ofctl\n[-O]\n[OpenFlow14]\n[--bundle]\n[--]\n[replace-flows]\n"
                       "[lab]\n[-]\nstdin:\ntable=0,priority=0 actions=resubmit(,1)\n"
                       "CONVERGE_FLOWS\ntable=1 actions=NORMAL\n"
                       "tool: ip\n[addr]\n[add]\n[10.0.0.1/24]\n[dev]\n[mgmt0]\n")
            .arg(kHostile);
    EXPECT_EQ(record, expected);
}

TEST(ShellScript, EnvironmentChoosesDatabaseAndDatapath)
{
    QTemporaryDir dir;
    QProcessEnvironment env;
    env.insert(QStringLiteral("OVS_DB"), QStringLiteral("unix:/tmp/my db.sock"));
    env.insert(QStringLiteral("OVS_DATAPATH"), QStringLiteral("netdev"));
    const QString record =
        runWithFakeTools(dir, shellScript({}, QStringLiteral("h"), hostilePlan()), env);
    EXPECT_TRUE(record.startsWith(QStringLiteral("tool: ovs-vsctl\n[--db=unix:/tmp/my db.sock]\n")))
        << record.toStdString();
    EXPECT_TRUE(record.contains(QStringLiteral("[datapath_type=netdev]\n")));

    QTemporaryDir dir2;
    const QString path = dir2.filePath(QStringLiteral("apply.sh"));
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(shellScript({}, QStringLiteral("h"), hostilePlan()).toUtf8());
    f.close();
    QProcess sh;
    QProcessEnvironment bad = QProcessEnvironment::systemEnvironment();
    bad.insert(QStringLiteral("OVS_DATAPATH"), QStringLiteral("system; touch PWNED"));
    bad.insert(QStringLiteral("PATH"), dir2.path()); // no tools: it must stop before them
    sh.setProcessEnvironment(bad);
    sh.setWorkingDirectory(dir2.path());
    sh.start(QStringLiteral("/bin/sh"), {path});
    ASSERT_TRUE(sh.waitForFinished(10000));
    EXPECT_EQ(sh.exitCode(), 2);
    EXPECT_TRUE(sh.readAllStandardError().contains("OVS_DATAPATH must be system or netdev"));
    EXPECT_FALSE(QFile::exists(dir2.filePath(QStringLiteral("PWNED"))));
}

TEST(ShellScript, EmptyPlanChangesNothing)
{
    const QString script =
        shellScript(QStringLiteral("d"), QStringLiteral("h"), core::realize::Plan{});
    EXPECT_TRUE(script.contains(QStringLiteral("# Nothing to change on this host.")));
    EXPECT_FALSE(script.contains(QStringLiteral("\novs-vsctl ")));
}

TEST(PowerShellScript, HostileNamesStayInsideQuotedStrings)
{
    const QString evil = QStringLiteral("x\u2019; Remove-Item C:\\ -Recurse; $(Stop-Computer) '#");
    const char *text = R"({"schemaVersion": 1, "name": "evil\nRemove-Item C:\\",
        "hosts": [{"id": "h", "name": "HV", "platform": "hyperv",
            "nics": [{"id": "n1", "name": EVIL, "interfaceName": "eth1"}],
            "switches": [{"id": "s", "name": EVIL, "type": "External", "uplink": "n1"}],
            "vms": [{"id": "vm", "name": EVIL, "vnics": [{"id": "v", "name": EVIL,
                "switch": "s", "vlanMode": "Access", "accessVlan": 10,
                "acls": [{"direction": "Both", "action": "Deny", "remoteAddress": "10.0.0.0/8",
                          "protocol": "TCP", "localPorts": [22]}]}]}]}]})";
    const QByteArray quoted = QJsonDocument(QJsonArray{evil}).toJson(QJsonDocument::Compact);
    const QByteArray json = QByteArray(text).replace("EVIL", quoted.mid(1, quoted.size() - 2));
    auto design = core::designdocument::load(json);
    ASSERT_TRUE(design) << design.error().message.toStdString();
    auto script = powerShellScript(*design, QStringLiteral("h"));
    ASSERT_TRUE(script) << script.error().message.toStdString();
    EXPECT_TRUE(script->contains(QStringLiteral("$ErrorActionPreference = 'Stop'")));
    EXPECT_TRUE(script->contains(QStringLiteral("Add-VMNetworkAdapterExtendedAcl")));
    for (const QString &line : script->split(u'\n')) {
        if (line.trimmed().startsWith(u'#'))
            continue;
        const QString code = withoutStrings(line);
        EXPECT_FALSE(code.contains(QStringLiteral("Remove-Item")) ||
                     code.contains(QStringLiteral("Stop-Computer")) || code.contains(u'\u2019'))
            << line.toStdString();
    }
}

TEST(PowerShellScript, RefusesHostsItCannotRealize)
{
    auto design = core::designdocument::loadFile(
        QStringLiteral(CONVERGE_SOURCE_DIR "/tests/agent/data/ovs-lab.converge.json"));
    ASSERT_TRUE(design);
    auto linuxHost = powerShellScript(*design, QStringLiteral("lab1"));
    ASSERT_FALSE(linuxHost);
    EXPECT_TRUE(linuxHost.error().message.contains(QStringLiteral("is not a hyperv host")));
    EXPECT_FALSE(powerShellScript(*design, QStringLiteral("nope")));
}
