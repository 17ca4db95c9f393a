#include "report.h"

#include "../model/schema.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>
#include <QXmlStreamWriter>

namespace converge::core {

namespace {

QString sarifLevel(Severity s)
{
    switch (s) {
    case Severity::Error:
        return QStringLiteral("error");
    case Severity::Warning:
        return QStringLiteral("warning");
    case Severity::Info:
        return QStringLiteral("note");
    }
    return {};
}

const RuleInfo *infoOf(const ValidationReport &r, const QString &id)
{
    for (const RuleInfo &info : r.rules)
        if (info.id == id)
            return &info;
    return nullptr;
}

QString pathOf(const ValidationReport &r, const QString &id)
{
    return r.design ? elementPath(*r.design, id) : id;
}

// Where the finding's first element that has a place in the document starts, if any.
std::optional<TextPosition> placeOf(const ValidationReport &r, const Finding &f)
{
    for (const QString &id : f.elements)
        if (const auto at = r.positions.constFind(id); at != r.positions.constEnd())
            return *at;
    return std::nullopt;
}

QByteArray text(const ValidationReport &r)
{
    QString out;
    const auto total = r.findings.size();
    out += QStringLiteral("%1: %2 finding(s), %3 blocking\n")
               .arg(r.file)
               .arg(total)
               .arg(blockingCount(r.findings));
    for (Severity s : {Severity::Error, Severity::Warning, Severity::Info}) {
        const auto n = std::ranges::count(r.findings, s, &Finding::severity);
        if (n == 0)
            continue;
        out +=
            QStringLiteral("\n%1 (%2)\n").arg(severityName(s).toUpper() + QLatin1Char('S')).arg(n);
        for (const Finding &f : r.findings) {
            if (f.severity != s)
                continue;
            const RuleInfo *info = infoOf(r, f.ruleId);
            out += QStringLiteral("  %1  %2\n      %3\n")
                       .arg(f.ruleId, pathOf(r, f.elements.value(0)), f.message);
            if (const auto at = placeOf(r, f))
                out +=
                    QStringLiteral("      at %1:%2:%3\n").arg(r.file).arg(at->line).arg(at->column);
            if (info)
                out += QStringLiteral("      source: %1\n").arg(info->source);
            if (f.fix)
                out += QStringLiteral("      quick fix: %1\n").arg(f.fix->title);
            if (f.isSuppressed())
                out += QStringLiteral("      ACCEPTED: %1\n").arg(f.justification);
        }
    }
    return out.toUtf8();
}

QJsonObject findingJson(const ValidationReport &r, const Finding &f)
{
    QJsonArray elements;
    for (const QString &id : f.elements)
        elements.append(
            QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("path"), pathOf(r, id)}});
    QJsonObject o{{QStringLiteral("rule"), f.ruleId},
                  {QStringLiteral("severity"), severityName(f.severity)},
                  {QStringLiteral("message"), f.message},
                  {QStringLiteral("elements"), elements}};
    if (const RuleInfo *info = infoOf(r, f.ruleId))
        o.insert(QStringLiteral("source"), info->source);
    if (f.fix)
        o.insert(QStringLiteral("quickFix"), f.fix->title);
    if (f.isSuppressed())
        o.insert(QStringLiteral("accepted"), f.justification);
    return o;
}

QByteArray json(const ValidationReport &r)
{
    QJsonArray findings;
    for (const Finding &f : r.findings)
        findings.append(findingJson(r, f));
    const QJsonObject o{{QStringLiteral("file"), r.file},
                        {QStringLiteral("findings"), findings},
                        {QStringLiteral("blocking"), double(blockingCount(r.findings))}};
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

// A relative path stays relative (to the directory validate ran in, the repository root in a
// pipeline), so code review maps it onto the repository; an absolute one becomes a file: URI.
QString sarifUri(const QString &file)
{
    if (QDir::isAbsolutePath(file))
        return QUrl::fromLocalFile(file).toString(QUrl::FullyEncoded);
    return QString::fromUtf8(QUrl::toPercentEncoding(QDir::fromNativeSeparators(file), "/"));
}

QJsonObject sarifRule(const RuleInfo &info)
{
    return {
        {QStringLiteral("id"), info.id},
        {QStringLiteral("name"), info.title},
        {QStringLiteral("shortDescription"), QJsonObject{{QStringLiteral("text"), info.title}}},
        {QStringLiteral("fullDescription"), QJsonObject{{QStringLiteral("text"), info.rationale}}},
        {QStringLiteral("helpUri"), QStringLiteral(CONVERGE_DOCS_URI "rules.md")},
        {QStringLiteral("help"),
         QJsonObject{
             {QStringLiteral("text"), info.rationale + QStringLiteral(" Source: ") + info.source}}},
        {QStringLiteral("defaultConfiguration"),
         QJsonObject{{QStringLiteral("level"), sarifLevel(info.severity)}}},
        {QStringLiteral("properties"), QJsonObject{{QStringLiteral("source"), info.source}}}};
}

QJsonArray sarifLogicalLocations(const ValidationReport &r, const Finding &f)
{
    QJsonArray logical;
    for (const QString &id : f.elements) {
        const Element *e = r.design ? r.design->find(id) : nullptr;
        logical.append(QJsonObject{
            {QStringLiteral("name"), e ? e->name() : id},
            {QStringLiteral("fullyQualifiedName"), pathOf(r, id)},
            {QStringLiteral("kind"), QStringLiteral("object")},
            {QStringLiteral("properties"),
             QJsonObject{{QStringLiteral("id"), id},
                         {QStringLiteral("elementKind"), e ? kindName(e->kind) : QString()}}}});
    }
    return logical;
}

// The file, and where in it the finding's first placed element starts: the line a code review
// annotates.
QJsonObject sarifPhysicalLocation(const ValidationReport &r, const Finding &f)
{
    QJsonObject physical{{QStringLiteral("artifactLocation"),
                          QJsonObject{{QStringLiteral("uri"), sarifUri(r.file)}}}};
    if (const auto at = placeOf(r, f))
        physical.insert(QStringLiteral("region"),
                        QJsonObject{{QStringLiteral("startLine"), at->line},
                                    {QStringLiteral("startColumn"), at->column}});
    return physical;
}

// A design document's results are located by file, line and element; a project store has no
// lines, so its results are located by element alone and name the store as what was analyzed.
QJsonObject sarifResult(const ValidationReport &r, const Finding &f, int ruleIndex)
{
    QJsonObject location{{QStringLiteral("logicalLocations"), sarifLogicalLocations(r, f)}};
    if (!r.positions.isEmpty())
        location.insert(QStringLiteral("physicalLocation"), sarifPhysicalLocation(r, f));
    QJsonObject result{
        {QStringLiteral("ruleId"), f.ruleId},
        {QStringLiteral("level"), sarifLevel(f.severity)},
        {QStringLiteral("message"), QJsonObject{{QStringLiteral("text"), f.message}}},
        {QStringLiteral("locations"), QJsonArray{location}}};
    if (ruleIndex >= 0)
        result.insert(QStringLiteral("ruleIndex"), ruleIndex);
    if (r.positions.isEmpty())
        result.insert(QStringLiteral("analysisTarget"),
                      QJsonObject{{QStringLiteral("uri"), sarifUri(r.file)}});
    if (f.isSuppressed())
        result.insert(QStringLiteral("suppressions"),
                      QJsonArray{QJsonObject{{QStringLiteral("kind"), QStringLiteral("inSource")},
                                             {QStringLiteral("justification"), f.justification}}});
    return result;
}

QJsonObject sarifDriver(const ValidationReport &r)
{
    QJsonArray rules;
    for (const RuleInfo &info : r.rules)
        rules.append(sarifRule(info));
    return {
        {QStringLiteral("name"), QStringLiteral("convergectl")},
        {QStringLiteral("fullName"), QStringLiteral("Converge validator (convergectl validate)")},
        {QStringLiteral("version"), QStringLiteral(CONVERGE_VERSION)},
        {QStringLiteral("semanticVersion"), QStringLiteral(CONVERGE_VERSION)},
        {QStringLiteral("informationUri"), QStringLiteral(CONVERGE_DOCS_URI "cli.md")},
        {QStringLiteral("rules"), rules}};
}

QByteArray sarif(const ValidationReport &r)
{
    QHash<QString, int> index;
    for (const RuleInfo &info : r.rules)
        index.insert(info.id, int(index.size()));
    QJsonArray results;
    for (const Finding &f : r.findings)
        results.append(sarifResult(r, f, index.value(f.ruleId, -1)));
    const QJsonObject run{
        {QStringLiteral("tool"), QJsonObject{{QStringLiteral("driver"), sarifDriver(r)}}},
        {QStringLiteral("columnKind"), QStringLiteral("utf16CodeUnits")},
        {QStringLiteral("results"), results}};
    const QJsonObject log{{QStringLiteral("$schema"),
                           QStringLiteral("https://json.schemastore.org/sarif-2.1.0.json")},
                          {QStringLiteral("version"), QStringLiteral("2.1.0")},
                          {QStringLiteral("runs"), QJsonArray{run}}};
    return QJsonDocument(log).toJson(QJsonDocument::Indented);
}

QByteArray junit(const ValidationReport &r)
{
    QByteArray out;
    QXmlStreamWriter xml(&out);
    xml.setAutoFormatting(true);
    xml.writeStartDocument();
    const auto failing = std::ranges::count_if(r.rules, [&](const RuleInfo &info) {
        return std::ranges::any_of(
            r.findings, [&](const Finding &f) { return f.ruleId == info.id && !f.isSuppressed(); });
    });
    xml.writeStartElement(QStringLiteral("testsuites"));
    xml.writeStartElement(QStringLiteral("testsuite"));
    xml.writeAttribute(QStringLiteral("name"), QStringLiteral("converge validate ") + r.file);
    xml.writeAttribute(QStringLiteral("tests"), QString::number(r.rules.size()));
    xml.writeAttribute(QStringLiteral("failures"), QString::number(failing));
    xml.writeAttribute(QStringLiteral("errors"), QStringLiteral("0"));
    for (const RuleInfo &info : r.rules) {
        xml.writeStartElement(QStringLiteral("testcase"));
        xml.writeAttribute(QStringLiteral("classname"), QStringLiteral("converge.rules"));
        xml.writeAttribute(QStringLiteral("name"), info.id + QStringLiteral(": ") + info.title);
        QStringList accepted;
        for (const Finding &f : r.findings) {
            if (f.ruleId != info.id)
                continue;
            const QString line = pathOf(r, f.elements.value(0)) + QStringLiteral(": ") + f.message;
            if (f.isSuppressed()) {
                accepted << line + QStringLiteral(" [accepted: ") + f.justification +
                                QLatin1Char(']');
                continue;
            }
            xml.writeStartElement(QStringLiteral("failure"));
            xml.writeAttribute(QStringLiteral("type"), severityName(f.severity));
            xml.writeAttribute(QStringLiteral("message"), f.message);
            xml.writeCharacters(line + QStringLiteral("\nsource: ") + info.source);
            xml.writeEndElement();
        }
        if (!accepted.isEmpty())
            xml.writeTextElement(QStringLiteral("system-out"), accepted.join(QLatin1Char('\n')));
        xml.writeEndElement();
    }
    xml.writeEndElement();
    xml.writeEndElement();
    xml.writeEndDocument();
    return out;
}

} // namespace

std::optional<ReportFormat> reportFormatFromName(const QString &name)
{
    if (name == QLatin1String("text"))
        return ReportFormat::Text;
    if (name == QLatin1String("json"))
        return ReportFormat::Json;
    if (name == QLatin1String("sarif"))
        return ReportFormat::Sarif;
    if (name == QLatin1String("junit"))
        return ReportFormat::Junit;
    return std::nullopt;
}

QByteArray renderReport(const ValidationReport &report, ReportFormat format)
{
    switch (format) {
    case ReportFormat::Text:
        return text(report);
    case ReportFormat::Json:
        return json(report);
    case ReportFormat::Sarif:
        return sarif(report);
    case ReportFormat::Junit:
        return junit(report);
    }
    return {};
}

QString elementPath(const Design &design, const QString &id)
{
    QStringList names;
    for (const Element *e = design.find(id); e; e = design.find(e->parent))
        names.prepend(e->name());
    return names.isEmpty() ? id : names.join(QStringLiteral(" / "));
}

std::vector<Finding> atLeast(const std::vector<Finding> &findings, Severity minimum)
{
    std::vector<Finding> out;
    std::ranges::copy_if(findings, std::back_inserter(out),
                         [&](const Finding &f) { return f.severity <= minimum; });
    return out;
}

std::size_t blockingCount(const std::vector<Finding> &findings)
{
    return std::ranges::count_if(findings, [](const Finding &f) {
        return f.severity == Severity::Error && !f.isSuppressed();
    });
}

QString rulesMarkdown(const std::vector<RuleInfo> &rules)
{
    QString out = QStringLiteral(
        "| id | severity | title | rationale | source |\n| --- | --- | --- | --- | --- |\n");
    for (const RuleInfo &r : rules)
        out += QStringLiteral("| %1 | %2 | %3 | %4 | %5 |\n")
                   .arg(r.id, severityName(r.severity), r.title, r.rationale, r.source);
    return out;
}

} // namespace converge::core
