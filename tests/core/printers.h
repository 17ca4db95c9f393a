#pragma once

#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <ostream>

// GoogleTest printers so failures show text, not bytes.
QT_BEGIN_NAMESPACE
inline void PrintTo(const QString &s, std::ostream *os)
{
    *os << '"' << s.toStdString() << '"';
}
inline void PrintTo(const QJsonObject &o, std::ostream *os)
{
    *os << QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
}
QT_END_NAMESPACE
