#pragma once

#include "hoststate.h"

#include "core/util/jsonreader.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <span>
#include <variant>
#include <vector>

namespace converge::core::realize {

// What a field's value must be beyond its JSON type (which the member it fills gives).
enum class FieldCheck {
    Plain,         // strings: any; integers: in min-max
    InterfaceName, // isValidInterfaceName
    OneOf,         // one of `choices` (Port::Type: its name)
    Prefix,        // an IP prefix, kept in network form
    Mac,           // a MAC address, kept in canonical form
    Vlan,          // a VLAN id (0-4094)
};

struct FieldRule
{
    const char *key = "";
    bool required = false; // strings: absent or null is an error
    FieldCheck check = FieldCheck::Plain;
    QStringList choices = {};
    qint64 min = 0;
    qint64 max = 0;
    const char *what = ""; // lists of integers: one of them, for errors ("a port")
    int maxItems = 0;      // lists of integers: at most this many (0: any number)
};

// One field of a JSON object and the member of T it fills; monostate for a list or object the
// caller reads itself (the table still lists it as a known key).
template<class T> struct Field
{
    std::variant<std::monostate, QString T::*, bool T::*, int T::*, qint64 T::*, QList<int> T::*,
                 QStringList T::*, Port::Type T::*>
        member;
    FieldRule rule;
};

// Reads the fields of one JSON object of the host-state form (hoststatejson.cpp), by a table of
// Fields or one by one, with the form's own checks on top of core::JsonReader's.
class HostStateReader : public core::JsonReader
{
public:
    using core::JsonReader::JsonReader;

    // Every field of the table, in its order; absent ones get the member's default in T{}.
    template<class T> void readFields(std::span<const Field<T>> fields, T &target);
    // Fails on a key the table does not list.
    template<class T> void checkKeys(std::span<const Field<T>> fields);
    // The objects of list `key`, each read by `readOne(object, path)`, which returns it or the
    // error that ends the list. An entry that is not an object fails this reader instead.
    template<class T, class ReadOne>
    Result<std::vector<T>> readObjects(const QString &key, ReadOne readOne);

    QString ifname(const QString &key, bool required); // isValidInterfaceName
    int vlan(const QString &key, int fallback);        // 0-4094
    // A list of integers in min-max, at most maxItems of them (0: any number); `what` names one
    // in errors ("a port").
    QList<int> intList(const QString &key, int min, int max, const QString &what, int maxItems = 0);
    QString prefix(const QString &key, bool networkForm); // "10.0.0.0/24"
    QString mac(const QString &key);                      // canonicalMac

private:
    // One per member type of Field.
    void read(const FieldRule &f, QString &out, const QString &fallback);
    void read(const FieldRule &f, bool &out, bool fallback);
    void read(const FieldRule &f, int &out, int fallback);
    void read(const FieldRule &f, qint64 &out, qint64 fallback);
    void read(const FieldRule &f, QList<int> &out, const QList<int> &fallback);
    void read(const FieldRule &f, QStringList &out, const QStringList &fallback);
    void read(const FieldRule &f, Port::Type &out, Port::Type fallback);
};

template<class T> void HostStateReader::readFields(std::span<const Field<T>> fields, T &target)
{
    static const T defaults{};
    for (const Field<T> &f : fields)
        std::visit(
            [&](auto member) {
                if constexpr (!std::is_same_v<decltype(member), std::monostate>)
                    read(f.rule, target.*member, defaults.*member);
            },
            f.member);
}

template<class T> void HostStateReader::checkKeys(std::span<const Field<T>> fields)
{
    QStringList known;
    for (const Field<T> &f : fields)
        known << QString::fromLatin1(f.rule.key);
    unknownKeys(known);
}

template<class T, class ReadOne>
Result<std::vector<T>> HostStateReader::readObjects(const QString &key, ReadOne readOne)
{
    std::vector<T> out;
    const QJsonArray a = array(key);
    for (qsizetype i = 0; ok() && i < a.size(); ++i) {
        const QJsonObject o = object(a, i, key);
        if (!ok())
            break;
        auto item = readOne(o, where(QStringLiteral("%1[%2]").arg(key).arg(i)));
        if (!item)
            return std::unexpected(item.error());
        out.push_back(std::move(*item));
    }
    return out;
}

} // namespace converge::core::realize
