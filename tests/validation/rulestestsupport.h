#pragma once

#include "core/model/design.h"
#include "core/validation/finding.h"

#include <QByteArray>
#include <QStringList>

#include <initializer_list>

#include <ostream>

// Helpers for the rule tests: each test writes a minimal design document, runs one rule of the
// catalog over it and checks what fires.
namespace converge::testing {

// ids({"t", "n1"}) -> QStringList, for comparing a finding's elements.
inline QStringList ids(std::initializer_list<const char *> list)
{
    QStringList out;
    for (const char *id : list)
        out << QString::fromLatin1(id);
    return out;
}

// Loads a design document; fails the test (and returns an empty design) if it does not load.
core::Design loadDesign(const QByteArray &json);

// The bundled samples meant to be clean (docs/samples.md), and loading one by file name.
inline constexpr const char *cleanSamples[] = {
    "smb-basic.converge.json", "smb-converged.converge.json", "smb-iscsi-highperf.converge.json",
    "multitenant-overlay.converge.json"};
core::Design loadSample(const char *file);

// Findings of the catalog rule `ruleId` alone on the design in `json`.
std::vector<core::Finding> findingsOf(const char *ruleId, const QByteArray &json);
std::vector<core::Finding> findingsOf(const char *ruleId, const core::Design &design);

// Findings of the whole catalog.
std::vector<core::Finding> allFindings(const core::Design &design);

// A one-host document around `hostBody` (the JSON members after the host's id/name/platform),
// plus `topLevel` (further top-level members, each ending with a comma or empty).
QByteArray hostDocument(const char *hostBody, const char *topLevel = "");

} // namespace converge::testing

namespace converge::core {
void PrintTo(const Finding &f, std::ostream *os);
}
