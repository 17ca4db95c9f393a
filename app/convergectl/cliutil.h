#pragma once

#include "core/model/design.h"

#include <QHash>
#include <QStringList>

// What convergectl's commands share: argument parsing and loading a design from a document
// (.converge.json) or a project store (.converge.db).
namespace converge::app {

// `--name value` options (each at most once unless repeatable), `--flag` switches and
// positional arguments.
struct Arguments
{
    QStringList positional;
    QHash<QString, QString> options;
    QHash<QString, QStringList> repeated; // repeatable options, in order
    QStringList flags;
    QString error;
};

Arguments parseArguments(const QStringList &args, const QStringList &allowed,
                         const QStringList &flags = {}, const QStringList &repeatable = {});

enum class FileType { Document, Store, Unknown };
FileType fileType(const QString &path);
core::Result<core::Design> loadAny(const QString &path);

} // namespace converge::app
