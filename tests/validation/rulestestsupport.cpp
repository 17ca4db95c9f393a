#include "rulestestsupport.h"

#include "core/io/designdocument.h"
#include "core/validation/catalog.h"
#include "core/validation/validationengine.h"

#include <QFile>

#include <gtest/gtest.h>

namespace converge::testing {

using namespace converge::core;

Design loadSample(const char *file)
{
    QFile f(QStringLiteral(":/samples/") + QLatin1String(file));
    EXPECT_TRUE(f.open(QIODevice::ReadOnly)) << file;
    return loadDesign(f.readAll());
}

Design loadDesign(const QByteArray &json)
{
    auto design = designdocument::load(json);
    EXPECT_TRUE(design) << design.error().message.toStdString() << "\n" << json.toStdString();
    return design ? std::move(*design) : Design();
}

std::vector<Finding> findingsOf(const char *ruleId, const Design &design)
{
    const Rule *rule = findRule(QString::fromLatin1(ruleId));
    EXPECT_NE(rule, nullptr) << "no rule " << ruleId << " in the catalog";
    if (!rule)
        return {};
    const std::vector<Rule> one{*rule};
    ValidationEngine engine(one);
    engine.validate(design);
    return engine.findings();
}

std::vector<Finding> findingsOf(const char *ruleId, const QByteArray &json)
{
    return findingsOf(ruleId, loadDesign(json));
}

std::vector<Finding> allFindings(const Design &design)
{
    ValidationEngine engine(ruleCatalog());
    engine.validate(design);
    return engine.findings();
}

QByteArray hostDocument(const char *hostBody, const char *topLevel)
{
    return QByteArray("{\"schemaVersion\": 1, ") + topLevel +
           "\"hosts\": [{\"id\": \"h1\", \"name\": \"hv1\", \"platform\": \"hyperv\", " + hostBody +
           "}]}";
}

} // namespace converge::testing

namespace converge::core {
void PrintTo(const Finding &f, std::ostream *os)
{
    *os << severityName(f.severity).toStdString() << ' ' << f.ruleId.toStdString() << " ["
        << f.elements.join(QLatin1Char(',')).toStdString() << "] " << f.message.toStdString();
}
} // namespace converge::core
