#include "printers.h"

#include "core/model/propertykeys.h"
#include "core/model/schema.h"

#include <gtest/gtest.h>

#include <QSet>

using namespace converge::core;

namespace {

// Every key (fields of records too) and every enum choice the schema table declares.
void collect(const std::vector<PropertySpec> &specs, QSet<QString> &keys, QSet<QString> &values)
{
    for (const PropertySpec &p : specs) {
        keys.insert(p.key);
        for (const QString &v : p.enumValues)
            values.insert(v);
        collect(p.fields, keys, values);
    }
}

struct Constant
{
    QString identifier;
    QString spelling;
};

// The identifier is the spelling in lowerCamel case, '_' after a keyword: equal once case,
// '-' and '_' are ignored.
QString folded(QString s)
{
    return s.remove(QLatin1Char('-')).remove(QLatin1Char('_')).toLower();
}

#define CONVERGE_CONSTANT_ROW(id, spelling) Constant{QStringLiteral(#id), QStringLiteral(spelling)},
const std::vector<Constant> keyConstants{CONVERGE_PROPERTY_KEYS(CONVERGE_CONSTANT_ROW)};
const std::vector<Constant> valueConstants{CONVERGE_ENUM_VALUES(CONVERGE_CONSTANT_ROW)};
#undef CONVERGE_CONSTANT_ROW

QSet<QString> spellings(const std::vector<Constant> &constants)
{
    QSet<QString> out;
    for (const Constant &c : constants)
        out.insert(c.spelling);
    return out;
}

} // namespace

TEST(PropertyKeys, NameWhatTheSchemaTableDeclares)
{
    QSet<QString> keys, values;
    for (ElementKind kind : allElementKinds)
        collect(kindSpec(kind).properties, keys, values);
    const QSet<QString> keyNames = spellings(keyConstants);
    const QSet<QString> valueNames = spellings(valueConstants);
    // A key or choice the table declares without a constant, or a constant the table lacks.
    EXPECT_EQ(keys - keyNames, QSet<QString>()) << "table keys without a key:: constant";
    EXPECT_EQ(keyNames - keys, QSet<QString>()) << "key:: constants the table does not declare";
    EXPECT_EQ(values - valueNames, QSet<QString>()) << "enum choices without a value:: constant";
    EXPECT_EQ(valueNames - values, QSet<QString>()) << "value:: constants no enum offers";
}

TEST(PropertyKeys, EachSpellingHasOneConstantNamedAfterIt)
{
    for (const auto *list : {&keyConstants, &valueConstants}) {
        EXPECT_EQ(spellings(*list).size(), qsizetype(list->size())) << "a spelling listed twice";
        for (const Constant &c : *list)
            EXPECT_EQ(folded(c.identifier), folded(c.spelling)) << c.identifier.toStdString();
    }
    EXPECT_EQ(key::switch_, QLatin1String("switch"));
    EXPECT_EQ(value::linuxOvs, QLatin1String("linux-ovs"));
}
