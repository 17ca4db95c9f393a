// The generated scripts parse (issue 14): the PowerShell of every sample design and of
// tests/deploy/data/every-feature.converge.json with a real PowerShell grammar
// (tree-sitter-powershell, run by node from tests/tools, where installer/deps.sh installs
// it), finding no ERROR or MISSING node; the shell scripts are shellcheck clean. Skipped, with
// the reason, only when node is not installed.
#include "core/deploy/bundle.h"
#include "core/io/designdocument.h"
#include "core/model/design.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

using namespace converge;

namespace {

struct ToolRun
{
    int code = -1;
    QString output;
};

ToolRun run(const QString &program, const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForFinished(120000))
        return {-1, QStringLiteral("%1 did not finish: %2").arg(program, p.errorString())};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAll())};
}

// Every design the scripts are checked on: the samples, the lab and the every-feature design.
QStringList designs()
{
    QStringList out;
    const QDir samples(QStringLiteral(CONVERGE_SOURCE_DIR "/resources/samples"));
    for (const QString &f : samples.entryList({QStringLiteral("*.converge.json")}, QDir::Files))
        out << samples.filePath(f);
    out << QStringLiteral(CONVERGE_SOURCE_DIR "/tests/agent/data/ovs-lab.converge.json")
        << QStringLiteral(CONVERGE_SOURCE_DIR "/tests/deploy/data/every-feature.converge.json");
    return out;
}

// The scripts of every design written under DIR; those whose name ends with SUFFIX.
QStringList writeScripts(const QTemporaryDir &dir, const QString &suffix)
{
    QStringList out;
    for (const QString &file : designs()) {
        auto design = core::designdocument::loadFile(file);
        EXPECT_TRUE(design) << file.toStdString();
        if (!design)
            continue;
        auto files = core::deploy::makeBundleFiles(*design, {});
        EXPECT_TRUE(files) << file.toStdString();
        if (!files)
            continue;
        const QString base = QFileInfo(file).completeBaseName();
        for (const core::deploy::BundleFile &f : *files) {
            if (!f.path.endsWith(suffix))
                continue;
            QFile script(dir.filePath(base + u'-' + f.path.section(u'/', 1, 1) + suffix));
            EXPECT_TRUE(script.open(QIODevice::WriteOnly));
            script.write(f.data);
            out << script.fileName();
        }
    }
    return out;
}

QString node()
{
    return QStandardPaths::findExecutable(QStringLiteral("node"));
}

// node tests/tools/check-powershell.cjs over FILES.
ToolRun parsePowerShell(const QStringList &files)
{
    return run(node(),
               QStringList{QStringLiteral(CONVERGE_SOURCE_DIR "/tests/tools/check-powershell.cjs"),
                           QStringLiteral(CONVERGE_NPM_TOOLS)} +
                   files);
}

} // namespace

#define SKIP_WITHOUT_NODE()                                                                        \
    if (node().isEmpty())                                                                          \
    GTEST_SKIP() << "node is not installed: the PowerShell grammar (tests/tools/package.json) "    \
                    "runs on node and npm"

TEST(ScriptSyntax, EveryGeneratedPowerShellScriptParses)
{
    SKIP_WITHOUT_NODE();
    ASSERT_TRUE(QFile::exists(QStringLiteral(CONVERGE_NPM_TOOLS "/node_modules/web-tree-sitter")))
        << "the grammar is not installed in " CONVERGE_NPM_TOOLS
           ": installer/deps.sh installs it (make test runs it), with npm ci in tests/tools";
    QTemporaryDir dir;
    const QStringList scripts = writeScripts(dir, QStringLiteral(".ps1"));
    ASSERT_GE(scripts.size(), 10) << "every sample's hyperv hosts and both every-feature hosts";
    const ToolRun r = parsePowerShell(scripts);
    EXPECT_EQ(r.code, 0) << r.output.toStdString();
    EXPECT_TRUE(r.output.contains(
        QStringLiteral("%1 file(s) parsed, 0 syntax error(s)").arg(scripts.size())))
        << r.output.toStdString();
}

// The check can fail: a quote not doubled and a block not closed are found, with their lines.
TEST(ScriptSyntax, TheGrammarFindsWhatIsBroken)
{
    SKIP_WITHOUT_NODE();
    QTemporaryDir dir;
    QFile f(dir.filePath(QStringLiteral("broken.ps1")));
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write("$ErrorActionPreference = 'Stop'\n"
            "if (-not (Get-VM -Name 'web's' -ErrorAction SilentlyContinue)) {\n"
            "    Add-VMNetworkAdapter -VMName 'web' -Name (\n");
    f.close();
    const ToolRun r = parsePowerShell({f.fileName()});
    EXPECT_EQ(r.code, 1) << r.output.toStdString();
    EXPECT_TRUE(r.output.contains(f.fileName() + QStringLiteral(":2:"))) << r.output.toStdString();
}

TEST(ScriptSyntax, GeneratedShellScriptsAreShellcheckClean)
{
    const QString shellcheck = QStandardPaths::findExecutable(QStringLiteral("shellcheck"));
    ASSERT_FALSE(shellcheck.isEmpty()) << "shellcheck is not installed (installer/deps.sh)";
    QTemporaryDir dir;
    const QStringList scripts = writeScripts(dir, QStringLiteral(".sh"));
    ASSERT_GE(scripts.size(), 1) << "the lab's linux-ovs host";
    const ToolRun r = run(shellcheck, QStringList{QStringLiteral("--shell=sh")} + scripts);
    EXPECT_EQ(r.code, 0) << r.output.toStdString();
    EXPECT_TRUE(r.output.isEmpty()) << r.output.toStdString();

    QFile bad(dir.filePath(QStringLiteral("bad.sh")));
    ASSERT_TRUE(bad.open(QIODevice::WriteOnly));
    bad.write("#!/bin/sh\nrm -rf $1/tmp\n");
    bad.close();
    const ToolRun caught = run(shellcheck, {QStringLiteral("--shell=sh"), bad.fileName()});
    EXPECT_NE(caught.code, 0) << "shellcheck flags an unquoted expansion";
    EXPECT_TRUE(caught.output.contains(QLatin1String("SC2086"))) << caught.output.toStdString();
}
