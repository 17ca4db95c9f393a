#pragma once

#include "schema.h"

// The schema's two tables, which schema.cpp builds its lookups from once: the kinds
// (schemakinds.cpp) and each kind's properties (schemaproperties.cpp). Read them through schema.h.
namespace converge::core::schematable {

// Every kind with its collection, owners, doc and texts, in ElementKind order.
std::vector<KindSpec> kinds();

// A kind's properties in document order, "name" and "description" first.
std::vector<PropertySpec> properties(ElementKind kind);

} // namespace converge::core::schematable
