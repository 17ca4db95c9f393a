#include "diagramexport.h"

#include "views/diagram/designscene.h"

#include <QBuffer>
#include <QDir>
#include <QFileInfo>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QGuiApplication>
#include <QImage>
#include <QImageWriter>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QPrinter>
#include <QSaveFile>
#include <QScreen>
#include <QSvgGenerator>

#include <algorithm>
#include <cmath>

namespace converge::views::diagramexport {

using core::Error;
using core::Result;

namespace {

constexpr qreal pngScale = 2;                 // device pixel ratio of the PNG
constexpr int maxImageSide = 16384;           // pixels per side
constexpr qint64 maxImagePixels = 64LL << 20; // 64 Mpx: 256 MiB at 4 bytes a pixel
constexpr qreal pointsPerUnit = 72.0 / 96.0;  // a scene unit is a pixel at 96 dpi
constexpr qreal maxPagePoints = 14400;        // 200 in: the largest page PDF readers accept
constexpr qreal metresPerInch = 0.0254;

QString shown(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

std::unexpected<Error> cannotWrite(const QString &path, const QString &why)
{
    return core::fail(Error::Code::Io, QStringLiteral("cannot write %1: %2").arg(shown(path), why));
}

// The resolution the diagram was laid out at: its fonts have point sizes, measured for the
// screen. Painting on a device of another resolution (a 1200 dpi PDF) would draw the text at
// another size than the boxes were made for, so every export paints at this one.
int layoutDpi()
{
    if (QCoreApplication::testAttribute(Qt::AA_Use96Dpi))
        return 96;
    const QScreen *screen = QGuiApplication::primaryScreen();
    return screen ? qRound(screen->logicalDotsPerInchY()) : 96;
}

int dotsPerMetre(qreal dpi)
{
    return qRound(dpi / metresPerInch);
}

QRectF resolveSource(QGraphicsScene &scene, const QRectF &source)
{
    if (!source.isEmpty())
        return source;
    const QRectF items = scene.itemsBoundingRect();
    return items.isEmpty() ? QRectF() : items.adjusted(-margin, -margin, margin, margin);
}

QString titleOf(const QGraphicsScene &scene, const QString &path)
{
    if (const auto *designScene = qobject_cast<const DesignScene *>(&scene);
        designScene && designScene->design()) {
        const QString name =
            designScene->design()->info().value(QLatin1String("name")).toString().trimmed();
        if (!name.isEmpty())
            return name;
    }
    return QFileInfo(path).completeBaseName();
}

void renderInto(QPainter &painter, QGraphicsScene &scene, const QRectF &target,
                const QRectF &source)
{
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing |
                           QPainter::SmoothPixmapTransform);
    scene.render(&painter, target, source, Qt::KeepAspectRatio);
}

// Opens `path` for an all-or-nothing write; nothing appears at `path` until commit().
Result<void> openForWrite(QSaveFile &file, const QString &path)
{
    if (!file.open(QIODevice::WriteOnly))
        return cannotWrite(path, file.errorString());
    return {};
}

Result<void> commit(QSaveFile &file, const QString &path, const QByteArray &bytes)
{
    if (file.write(bytes) != bytes.size())
        return cannotWrite(path, file.errorString());
    if (!file.commit())
        return cannotWrite(path, file.errorString());
    return {};
}

Result<void> writePng(QGraphicsScene &scene, const QRectF &source, const QString &path)
{
    QSaveFile file(path);
    if (auto ok = openForWrite(file, path); !ok)
        return ok;
    const QSize size = imageSize(source.size());
    QImage image(size, QImage::Format_RGB32);
    if (image.isNull())
        return cannotWrite(path, QStringLiteral("not enough memory for a %1 x %2 pixel image")
                                     .arg(size.width())
                                     .arg(size.height()));
    image.fill(Qt::white);
    const int dpi = layoutDpi();
    image.setDotsPerMeterX(dotsPerMetre(dpi));
    image.setDotsPerMeterY(dotsPerMetre(dpi));
    {
        QPainter painter(&image);
        renderInto(painter, scene, QRectF(QPointF(), QSizeF(size)), source);
    }
    // Then record the scale, so viewers that honour it show the diagram at its logical size.
    const qreal scale = size.width() / source.width();
    image.setDotsPerMeterX(dotsPerMetre(dpi * scale));
    image.setDotsPerMeterY(dotsPerMetre(dpi * scale));
    QImageWriter writer(&file, "png");
    if (!writer.write(image))
        return cannotWrite(path, writer.errorString());
    if (!file.commit())
        return cannotWrite(path, file.errorString());
    return {};
}

Result<void> writeSvg(QGraphicsScene &scene, const QRectF &source, const QString &path)
{
    QSaveFile file(path);
    if (auto ok = openForWrite(file, path); !ok)
        return ok;
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    const QRectF target(QPointF(), source.size());
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setResolution(layoutDpi());
    generator.setSize(source.size().toSize());
    generator.setViewBox(target);
    const QString title = titleOf(scene, path);
    generator.setTitle(title);
    generator.setDescription(QStringLiteral("Network diagram of %1, drawn by Converge %2")
                                 .arg(title, QStringLiteral(CONVERGE_VERSION)));
    QPainter painter;
    if (!painter.begin(&generator))
        return cannotWrite(path, QStringLiteral("the SVG generator did not start"));
    renderInto(painter, scene, target, source);
    painter.end();
    return commit(file, path, buffer.data());
}

Result<void> writePdf(QGraphicsScene &scene, const QRectF &source, const QString &path)
{
    QSaveFile file(path);
    if (auto ok = openForWrite(file, path); !ok)
        return ok;
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QPdfWriter writer(&buffer);
    writer.setTitle(titleOf(scene, path));
    writer.setCreator(QStringLiteral("Converge %1").arg(QStringLiteral(CONVERGE_VERSION)));
    writer.setResolution(layoutDpi()); // still vector: this sets the unit, not a raster
    // One page, the diagram's shape, at its natural size unless that exceeds what readers open.
    QSizeF points = source.size() * pointsPerUnit;
    points *= std::min<qreal>(1, maxPagePoints / std::max(points.width(), points.height()));
    const bool landscape = points.width() > points.height();
    const QSizeF portrait = landscape ? points.transposed() : points;
    const QPageSize pageSize(portrait, QPageSize::Point, QString(), QPageSize::ExactMatch);
    writer.setPageLayout(QPageLayout(pageSize,
                                     landscape ? QPageLayout::Landscape : QPageLayout::Portrait,
                                     QMarginsF(0, 0, 0, 0), QPageLayout::Point));
    QPainter painter;
    if (!painter.begin(&writer))
        return cannotWrite(path, QStringLiteral("the PDF writer did not start"));
    renderInto(painter, scene, QRectF(0, 0, writer.width(), writer.height()), source);
    painter.end();
    return commit(file, path, buffer.data());
}

} // namespace

QStringList supportedSuffixes()
{
    return {QStringLiteral("png"), QStringLiteral("svg"), QStringLiteral("pdf")};
}

QSize imageSize(const QSizeF &sceneSize)
{
    if (sceneSize.isEmpty())
        return {};
    qreal scale = pngScale;
    scale = std::min(scale, maxImageSide / std::max(sceneSize.width(), sceneSize.height()));
    const qreal area = sceneSize.width() * sceneSize.height();
    scale = std::min(scale, std::sqrt(qreal(maxImagePixels) / area));
    auto side = [scale](qreal units) {
        return std::clamp(int(std::floor(units * scale)), 1, maxImageSide);
    };
    return {side(sceneSize.width()), side(sceneSize.height())};
}

Result<void> exportFile(QGraphicsScene &scene, const QRectF &source, const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (!supportedSuffixes().contains(suffix))
        return core::invalid(
            QStringLiteral("%1: cannot export to \"%2\" files; use .png, .svg or .pdf")
                .arg(shown(path), suffix.isEmpty() ? QStringLiteral("(no suffix)") : suffix));
    const QRectF rect = resolveSource(scene, source);
    if (rect.isEmpty())
        return core::invalid(
            QStringLiteral("%1: nothing to export: the diagram is empty").arg(shown(path)));
    if (suffix == QLatin1String("png"))
        return writePng(scene, rect, path);
    if (suffix == QLatin1String("svg"))
        return writeSvg(scene, rect, path);
    return writePdf(scene, rect, path);
}

QRectF selectionRect(QGraphicsScene &scene)
{
    QRectF rect;
    for (const QGraphicsItem *item : scene.selectedItems())
        rect |= item->sceneBoundingRect();
    return rect;
}

QRectF elementsRect(const DesignScene &scene, const QStringList &ids)
{
    QRectF rect;
    for (const QString &id : ids) {
        if (const QGraphicsItem *item = scene.itemFor(id))
            rect |= item->sceneBoundingRect();
    }
    return rect;
}

bool print(QGraphicsScene &scene, const QRectF &source, QPrinter &printer)
{
    const QRectF rect = resolveSource(scene, source);
    if (rect.isEmpty())
        return false;
    // Like the exports, paint at the layout's resolution (vector printing is no coarser for it);
    // the printer's own comes back afterwards.
    const int resolution = printer.resolution();
    printer.setResolution(layoutDpi());
    QPainter painter;
    bool ok = painter.begin(&printer);
    if (ok) {
        // The painter's origin is the top left of the printable area.
        const QRectF page = printer.pageLayout().paintRectPixels(printer.resolution());
        renderInto(painter, scene, QRectF(QPointF(), page.size()), rect);
        ok = painter.end();
    }
    printer.setResolution(resolution);
    return ok;
}

} // namespace converge::views::diagramexport
