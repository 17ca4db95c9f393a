#include "cliutil.h"

#include "core/io/designdocument.h"
#include "core/store/projectstore.h"

namespace converge::app {

using namespace converge::core;

Arguments parseArguments(const QStringList &args, const QStringList &allowed,
                         const QStringList &flags, const QStringList &repeatable)
{
    Arguments a;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &arg = args[i];
        if (!arg.startsWith(QLatin1String("--"))) {
            a.positional << arg;
            continue;
        }
        const QString name = arg.mid(2);
        if (flags.contains(name)) {
            if (a.flags.contains(name))
                a.error = QStringLiteral("%1 given twice").arg(arg);
            else
                a.flags << name;
        } else if (!allowed.contains(name) && !repeatable.contains(name))
            a.error = QStringLiteral("unknown option %1").arg(arg);
        else if (i + 1 >= args.size())
            a.error = QStringLiteral("%1 needs a value").arg(arg);
        else if (repeatable.contains(name))
            a.repeated[name] << args[++i];
        else if (a.options.contains(name))
            a.error = QStringLiteral("%1 given twice").arg(arg);
        else
            a.options.insert(name, args[++i]);
        if (!a.error.isEmpty())
            break;
    }
    return a;
}

FileType fileType(const QString &path)
{
    if (path.endsWith(QLatin1String(".json")))
        return FileType::Document;
    if (path.endsWith(QLatin1String(".db")))
        return FileType::Store;
    return FileType::Unknown;
}

Result<Design> loadAny(const QString &path)
{
    switch (fileType(path)) {
    case FileType::Document:
        return designdocument::loadFile(path);
    case FileType::Store: {
        auto store = ProjectStore::open(path);
        if (!store)
            return std::unexpected(store.error());
        return store->loadDesign();
    }
    case FileType::Unknown:
        break;
    }
    return invalid(QStringLiteral("%1: unknown file type (expected *%2 or *%3)")
                       .arg(path, QLatin1String(designdocument::fileSuffix),
                            QLatin1String(ProjectStore::fileSuffix)));
}

} // namespace converge::app
