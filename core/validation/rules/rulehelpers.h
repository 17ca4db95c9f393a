#pragma once

// Small readers shared by the rule files. Checks read elements they got from the RuleContext.
#include "../../model/labels.h"
#include "../rule.h"

#include <QJsonArray>

namespace converge::core::rules {

inline QString str(const Element &e, QLatin1StringView key)
{
    return e.value(key).toString();
}

inline bool flag(const Element &e, QLatin1StringView key)
{
    return e.value(key).toBool();
}

inline bool has(const Element &e, QLatin1StringView key)
{
    return !e.value(key).isUndefined();
}

inline double number(const Element &e, QLatin1StringView key, double otherwise = 0)
{
    return e.value(key).toDouble(otherwise);
}

inline QStringList ids(const Element &e, QLatin1StringView key)
{
    QStringList out;
    for (const QJsonValue v : e.value(key).toArray())
        out << v.toString();
    return out;
}

inline QList<int> ints(const Element &e, QLatin1StringView key)
{
    QList<int> out;
    for (const QJsonValue v : e.value(key).toArray())
        out << v.toInt();
    return out;
}

// "team 'LAN'" (the kind's finding noun and the element's name), for messages: elementLabel().
QString label(const Element &e);
// "team 'LAN' on host 'HV01'" when the element sits on a host.
QString labelOnHost(const Element &e, RuleContext &ctx);
// Every finding names a vNIC this way (core::vnicLabel): "vNIC 'LAN' of VM 'g1' on host 'hv1'",
// "vNIC 'Mgmt' on host 'hv1'".
QString vnicLabel(const Element &vnic, RuleContext &ctx);

// A rule entry in one expression: rule("TEAM-001", Severity::Error, ElementKind::Team, "title",
// "rationale", "source", check).
Rule rule(const char *id, Severity severity, ElementKind anchor, const char *title,
          const char *rationale, const char *source,
          std::function<void(const Element &, RuleContext &, FindingSink &)> check);

// "'LAN'" and "'LAN', 'SAN1'": element names quoted for messages.
QString quoted(const QString &name);
QString quotedNames(const std::vector<const Element *> &elements);

// Whether a virtual switch manages bandwidth in software: a minimum-bandwidth mode, a
// default-flow weight or vNIC minimums (qosrules.cpp; the DCB rules ask too).
bool hasSoftwareQos(const Element &sw, RuleContext &ctx);

// The ids of `elements`, in order.
QStringList idsOf(const std::vector<const Element *> &elements);
// "a", "a and b", "a, b and c".
QString andList(QStringList items);

// The other vNICs holding `address` (canonical form) that `alike` counts as a clash with
// `vnic`, sorted by id. Empty when one of them sorts before `vnic`: that one reports the clash,
// so each pair is reported once.
std::vector<const Element *> clashingHolders(const Element &vnic, const QString &address,
                                             RuleContext &ctx,
                                             const std::function<bool(const Element &)> &alike);

// A quick fix that sets one property.
QuickFix setFix(const QString &title, const QString &id, QLatin1StringView key,
                const QJsonValue &value);

} // namespace converge::core::rules
