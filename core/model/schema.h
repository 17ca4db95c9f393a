#pragma once

#include "elementkind.h"

#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <vector>

namespace converge::core {

// The typed properties of each element kind. One table drives document loading, the store,
// the generic edit commands and (later) the inspector, so a property is declared once.
enum class PropertyType {
    String,     // free text
    Name,       // non-empty text without control characters
    Identifier, // interface or port name: 1-64 printable characters, no '/' or quotes
    Bool,
    Int,           // integer within [min, max]
    Bandwidth,     // bits per second, positive integer
    Enum,          // one of enumValues
    IntList,       // array of integers within [min, max]
    IpAddress,     // IPv4 or IPv6 address
    IpPrefix,      // address/length, e.g. 10.127.4.50/22
    IpAddressList, // array of IpAddress
    IpPrefixList,  // array of IpPrefix
    MacAddress,    // 00-15-5D-01-02-03 or 00:15:5d:01:02:03
    Ref,           // id of an element of one of refKinds
    RefList,       // array of such ids, no duplicates
    Records,       // array of objects, each with `fields`
    Point,         // [x, y]: where the diagram draws an element, in points
};

struct PropertySpec
{
    QString key;
    PropertyType type = PropertyType::String;
    QString doc;
    double min = 0;
    double max = 0;
    QStringList enumValues;
    QList<ElementKind> refKinds;
    std::vector<PropertySpec> fields; // for Records
    bool required = false;
    int maxItems = 0; // lists: at most this many entries (0: any number)
    QString absent;   // optional properties: what leaving the property out means
};

// What people read for a kind: the one home of these words (edit descriptions, findings, the
// tree, the inspector, the palette and the status bar all read them from here).
struct KindTexts
{
    QString noun;        // in sentences and edit descriptions: "virtual switch", "physical NIC"
    QString findingNoun; // naming an element in a finding: "virtual switch", "NIC"
    QString label;       // a heading or column: "Virtual switch"; the palette entry
    QString groupLabel;  // a group of them: "Virtual switches"
    QString shortNoun;   // a count: "1 vSwitch"
    QString shortPlural; // a count: "3 vSwitches"
    QString newName;     // a new element's name before its number ("vSwitch " -> "vSwitch 1");
                         // empty: the palette does not add this kind
    QString paletteHint; // where the palette adds one
};

struct KindSpec
{
    ElementKind kind;
    QString name;                   // as documents, messages and the store write it
    QString collection;             // the JSON key of the array holding this kind ("nics")
    QList<ElementKind> parentKinds; // empty: top level of the document
    std::vector<PropertySpec> properties;
    QString doc;
    KindTexts texts;
};

const KindSpec &kindSpec(ElementKind kind);
const KindTexts &kindTexts(ElementKind kind); // kindSpec(kind).texts
const PropertySpec *findProperty(ElementKind kind, const QString &key);
const PropertySpec *findField(const PropertySpec &records, const QString &key);

// The kinds a document nests under an element of `parent` (or at top level when nullopt),
// in document order.
QList<ElementKind> childKinds(std::optional<ElementKind> parent);

// Checks a value against its spec (not references: they need the whole design).
// Returns the problem as "expected ..." text, or nullopt when the value fits.
std::optional<QString> checkValue(const PropertySpec &spec, const QJsonValue &value);

// Human description of a type for docs and messages ("integer 1-4094").
QString describeType(const PropertySpec &spec);
QString refKindsText(const PropertySpec &spec); // "PhysicalNic or Team"

bool isValidId(const QString &id);

} // namespace converge::core

namespace converge::core {

// Checks an element's properties: required ones present, no unknown ones, each value fits.
// Returns "key: problem" for the first property that does not fit.
std::optional<QString> checkProperties(ElementKind kind, const QJsonObject &props);

// Checks that every reference names an element of an allowed kind; `kindOf` looks ids up.
using KindLookup = std::function<std::optional<ElementKind>(const QString &id)>;
std::optional<QString> checkReferences(ElementKind kind, const QJsonObject &props,
                                       const KindLookup &kindOf);

// The ids an element's properties refer to.
QStringList referencedIds(ElementKind kind, const QJsonObject &props);

} // namespace converge::core
