#include "deploymentgate.h"

#include "core/validation/catalog.h"
#include "core/validation/validationengine.h"

namespace converge::collectors {

QStringList blockingFindings(const std::vector<core::Finding> &findings)
{
    QStringList out;
    for (const core::Finding &f : findings)
        if (f.severity == core::Severity::Error && !f.isSuppressed())
            out << QStringLiteral("%1  %2").arg(f.ruleId, f.message);
    return out;
}

QStringList blockingFindings(const core::Design &design)
{
    core::ValidationEngine engine(core::ruleCatalog());
    engine.validate(design, core::ValidationEngine::Mode::OneShot);
    return blockingFindings(engine.findings());
}

} // namespace converge::collectors
