#include "schemadoc.h"

#include "designdocument.h"

#include "../model/schema.h"

namespace converge::core {

namespace {

QString whereItLives(const KindSpec &spec)
{
    if (spec.parentKinds.isEmpty())
        return QStringLiteral("`$.%1[]`").arg(spec.collection);
    QStringList owners;
    for (ElementKind parent : spec.parentKinds)
        owners << QStringLiteral("`%1.%2[]`").arg(kindName(parent), spec.collection);
    return owners.join(QStringLiteral(" or "));
}

QString propertyRows(const std::vector<PropertySpec> &props, const QString &prefix)
{
    QString out;
    for (const PropertySpec &p : props) {
        out +=
            QStringLiteral("| `%1%2` | %3 | %4 | %5 |\n")
                .arg(prefix, p.key, describeType(p),
                     p.required ? QStringLiteral("yes") : QStringLiteral("no; absent: ") + p.absent,
                     p.doc);
        if (p.type == PropertyType::Records)
            out += propertyRows(p.fields, prefix + p.key + QStringLiteral("[]."));
    }
    return out;
}

} // namespace

QString schemaReferenceMarkdown()
{
    QString out = QStringLiteral("Schema version %1. Every element object has `id` (required: 1-64 "
                                 "letters, digits or `_.:-`, unique in the document) and the "
                                 "properties below; elements it owns are nested in the arrays "
                                 "named in \"Owns\".\n")
                      .arg(designdocument::currentSchemaVersion);
    for (ElementKind kind : allElementKinds) {
        const KindSpec &spec = kindSpec(kind);
        out += QStringLiteral("\n### %1\n\n%2 Lives in %3.")
                   .arg(kindName(kind), spec.doc, whereItLives(spec));
        QStringList owns;
        for (ElementKind child : childKinds(kind))
            owns << QStringLiteral("`%1` (%2)").arg(kindSpec(child).collection, kindName(child));
        if (!owns.isEmpty())
            out += QStringLiteral(" Owns: %1.").arg(owns.join(QStringLiteral(", ")));
        out += QStringLiteral("\n\n| property | type | required (absent means) | meaning |\n| --- "
                              "| --- | --- | --- |\n");
        out += propertyRows(spec.properties, QString());
    }
    return out;
}

} // namespace converge::core
