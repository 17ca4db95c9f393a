#pragma once

#include "core/util/result.h"

#include <QRectF>
#include <QSize>
#include <QStringList>

class QGraphicsScene;
class QPrinter;

namespace converge::views {
class DesignScene;
}

// Diagram export and printing: a scene, or a part of it, to PNG, SVG or PDF, or onto a printer.
namespace converge::views::diagramexport {

// Space left around the diagram when the whole scene is exported (scene units).
inline constexpr qreal margin = 24;

// "png", "svg", "pdf": the formats exportFile() writes, chosen by the file's suffix.
QStringList supportedSuffixes();

// Writes `source` (empty: every item, plus `margin`) of `scene` to `path`:
// - .png: raster at twice the scene's scale on white (scaled down for huge diagrams, so the
//   image stays a sane size),
// - .svg: vector, with the design's name as title,
// - .pdf: vector, one page whose size fits the diagram's shape (landscape when wider).
// The file is written whole or not at all (temporary file + rename). Errors say what and where:
// "cannot write /x/y.png: Permission denied".
core::Result<void> exportFile(QGraphicsScene &scene, const QRectF &source, const QString &path);

// The bounding rect of the scene's selected items; empty when none is selected.
QRectF selectionRect(QGraphicsScene &scene);
// The bounding rect of the boxes (hosts, switches, cables) that show `ids` in a DesignScene,
// which takes its selection from the session rather than from QGraphicsItem selection; empty
// when none of them is shown.
QRectF elementsRect(const DesignScene &scene, const QStringList &ids);

// Prints `source` (empty: every item, plus `margin`) on one page of `printer`, as large as fits,
// centred. False when there is nothing to print or the printer cannot be painted on.
bool print(QGraphicsScene &scene, const QRectF &source, QPrinter &printer);

// The PNG's size in pixels for a source rect of `sceneSize` scene units.
QSize imageSize(const QSizeF &sceneSize);

} // namespace converge::views::diagramexport
