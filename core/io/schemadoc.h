#pragma once

#include <QString>

namespace converge::core {

// The design-document schema reference as Markdown, generated from the schema table so the
// docs cannot drift from the code (docs/design-document.md embeds it; a test checks).
QString schemaReferenceMarkdown();

} // namespace converge::core
