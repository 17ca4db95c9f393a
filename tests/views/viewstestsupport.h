#pragma once

#include "core/io/designdocument.h"
#include "views/diagram/designscene.h"

#include <QGraphicsPathItem>

#include <QJsonDocument>
#include <QString>
#include <QStringList>

#include <gtest/gtest.h>

#include <ostream>
#include <set>

// GoogleTest printers so failures show text, not bytes.
QT_BEGIN_NAMESPACE
inline void PrintTo(const QString &s, std::ostream *os)
{
    *os << '"' << s.toStdString() << '"';
}
QT_END_NAMESPACE

namespace converge::views::test {

// The bundled samples every view must show (resources/samples).
inline const std::vector<std::string> sampleKeys{"smb-basic", "smb-converged", "smb-iscsi-highperf",
                                                 "multitenant-overlay"};

// "smb-converged" -> "smbconverged": test names take letters and digits only.
inline std::string sampleTestName(const testing::TestParamInfo<std::string> &param)
{
    std::string name = param.param;
    std::erase(name, '-');
    return name;
}

inline QString samplePath(const std::string &key)
{
    return QStringLiteral(":/samples/%1.converge.json").arg(QString::fromStdString(key));
}

inline core::Result<core::Design> loadSample(const std::string &key)
{
    return core::designdocument::loadFile(samplePath(key));
}

// The number of group rows the tree shows: one per top-level kind that has elements.
inline int topLevelKinds(const core::Design &design)
{
    std::set<core::ElementKind> kinds;
    for (const core::Element *e : design.children(QString()))
        kinds.insert(e->kind);
    return int(kinds.size());
}

// Records what QAbstractItemModelTester reports (category qt.modeltest) while it lives.
class ModelTestLog
{
public:
    ModelTestLog()
    {
        messages().clear();
        m_previous = qInstallMessageHandler(&record);
    }
    ~ModelTestLog() { qInstallMessageHandler(m_previous); }
    ModelTestLog(const ModelTestLog &) = delete;
    ModelTestLog &operator=(const ModelTestLog &) = delete;

    static QStringList &messages()
    {
        static QStringList s_messages;
        return s_messages;
    }

private:
    static void record(QtMsgType type, const QMessageLogContext &context, const QString &message)
    {
        if (type != QtDebugMsg && type != QtInfoMsg && context.category &&
            qstrcmp(context.category, "qt.modeltest") == 0)
            messages() << message;
    }

    QtMessageHandler m_previous = nullptr;
};

// What a scene draws, independent of the order its items were added in: every item's type
// and place (cables with their path's size) and every text, sorted.
inline QStringList sceneDrawing(const DesignScene &scene)
{
    QStringList out;
    for (QGraphicsItem *item : scene.items()) {
        const QRectF r = item->sceneBoundingRect();
        QString line = QStringLiteral("%1 %2,%3 %4x%5")
                           .arg(item->type())
                           .arg(r.x(), 0, 'f', 1)
                           .arg(r.y(), 0, 'f', 1)
                           .arg(r.width(), 0, 'f', 1)
                           .arg(r.height(), 0, 'f', 1);
        if (auto *path = dynamic_cast<QGraphicsPathItem *>(item))
            line += QStringLiteral(" path %1").arg(path->path().elementCount());
        out << line;
    }
    QStringList labels = scene.labels();
    labels.sort();
    out.sort();
    return out + labels;
}

} // namespace converge::views::test
