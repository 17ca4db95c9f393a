#include "viewstestsupport.h"

#include "views/icons.h"

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QSet>
#include <QSvgRenderer>
#include <QXmlStreamReader>

using namespace converge;
using core::ElementKind;
using core::Severity;

namespace {

constexpr std::array allSeverities{Severity::Error, Severity::Warning, Severity::Info};
constexpr std::array testSizes{16, 24, 32};

// The share of the image's pixels that are not fully transparent.
double coverage(const QImage &image)
{
    const QImage argb = image.convertToFormat(QImage::Format_ARGB32);
    qint64 drawn = 0;
    for (int y = 0; y < argb.height(); ++y)
        for (int x = 0; x < argb.width(); ++x)
            drawn += qAlpha(argb.pixel(x, y)) > 0;
    return double(drawn) / (argb.width() * argb.height());
}

// An icon shows: right size, and a real drawing (not a dot, not a filled square).
void expectDrawn(const QPixmap &pixmap, int deviceSize, const QString &what)
{
    SCOPED_TRACE(what.toStdString() + " at " + std::to_string(deviceSize) + " px");
    ASSERT_FALSE(pixmap.isNull());
    EXPECT_EQ(pixmap.width(), deviceSize);
    EXPECT_EQ(pixmap.height(), deviceSize);
    const double c = coverage(pixmap.toImage());
    EXPECT_GT(c, 0.15);
    EXPECT_LT(c, 0.95);
}

QString iconsSourceDir()
{
    return QStringLiteral(CONVERGE_SOURCE_DIR "/resources/icons");
}

QSet<QString> svgNames(const QString &dir)
{
    const QStringList names = QDir(dir).entryList({QStringLiteral("*.svg")}, QDir::Files);
    return {names.begin(), names.end()};
}

QSet<QString> usedNames()
{
    QSet<QString> used;
    for (ElementKind kind : core::allElementKinds)
        used.insert(QFileInfo(views::icons::path(kind)).fileName());
    for (Severity s : allSeverities)
        used.insert(QFileInfo(views::icons::severityPath(s)).fileName());
    used.insert(QFileInfo(views::icons::aclPath()).fileName());
    return used;
}

// The 24 px icon flattened on white and turned to grey, as a monochrome print would show it.
QImage grey24(ElementKind kind)
{
    QImage image(24, 24, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.drawPixmap(0, 0, views::icons::pixmap(kind, 24, 1.0));
    painter.end();
    return image.convertToFormat(QImage::Format_Grayscale8);
}

TEST(Icons, EveryKindHasAnIconDrawnAt16_24And32Pixels)
{
    for (ElementKind kind : core::allElementKinds) {
        const QIcon icon = views::icons::forKind(kind);
        ASSERT_FALSE(icon.isNull()) << core::kindName(kind).toStdString();
        for (int size : testSizes) {
            expectDrawn(icon.pixmap(QSize(size, size), 1.0), size, core::kindName(kind));
            expectDrawn(views::icons::pixmap(kind, size, 1.0), size, core::kindName(kind));
        }
    }
}

TEST(Icons, EverySeverityAndTheAclBadgeHaveAnIconDrawnAt16_24And32Pixels)
{
    for (Severity s : allSeverities) {
        const QIcon icon = views::icons::severity(s);
        ASSERT_FALSE(icon.isNull()) << core::severityName(s).toStdString();
        for (int size : testSizes) {
            expectDrawn(icon.pixmap(QSize(size, size), 1.0), size, core::severityName(s));
            expectDrawn(views::icons::severityPixmap(s, size, 1.0), size, core::severityName(s));
        }
    }
    ASSERT_FALSE(views::icons::acl().isNull());
    for (int size : testSizes) {
        expectDrawn(views::icons::acl().pixmap(QSize(size, size), 1.0), size,
                    QStringLiteral("acl"));
        expectDrawn(views::icons::aclPixmap(size, 1.0), size, QStringLiteral("acl"));
    }
}

TEST(Icons, HighDpiPixmapsHaveDevicePixelsAndAreCached)
{
    const QPixmap first = views::icons::pixmap(ElementKind::VirtualSwitch, 24, 2.0);
    EXPECT_EQ(first.size(), QSize(48, 48));
    EXPECT_DOUBLE_EQ(first.devicePixelRatio(), 2.0);
    expectDrawn(first, 48, QStringLiteral("VirtualSwitch @2x"));
    EXPECT_EQ(views::icons::pixmap(ElementKind::VirtualSwitch, 24, 2.0).cacheKey(),
              first.cacheKey());
    EXPECT_NE(views::icons::pixmap(ElementKind::VirtualSwitch, 24, 1.0).cacheKey(),
              first.cacheKey());
    EXPECT_EQ(views::icons::severityPixmap(Severity::Error, 16, 1.5).size(), QSize(24, 24));
    EXPECT_TRUE(views::icons::pixmap(ElementKind::Host, 0, 1.0).isNull());
}

TEST(Icons, DisabledIconsAreDrawnToo)
{
    const QPixmap disabled =
        views::icons::forKind(ElementKind::Host).pixmap(QSize(24, 24), 1.0, QIcon::Disabled);
    expectDrawn(disabled, 24, QStringLiteral("disabled Host"));
}

TEST(Icons, EverySvgParsesAndIsUsed)
{
    const QSet<QString> files = svgNames(iconsSourceDir());
    ASSERT_FALSE(files.isEmpty());
    for (const QString &name : files) {
        QSvgRenderer renderer(iconsSourceDir() + QLatin1Char('/') + name);
        EXPECT_TRUE(renderer.isValid()) << name.toStdString();
        EXPECT_EQ(renderer.viewBoxF(), QRectF(0, 0, 24, 24)) << name.toStdString();
    }
    const QSet<QString> used = usedNames();
    EXPECT_EQ(used.size(), int(core::allElementKinds.size()) + 4); // one file per icon
    for (const QString &name : files)
        EXPECT_TRUE(used.contains(name)) << "orphan icon file " << name.toStdString();
    for (const QString &name : used)
        EXPECT_TRUE(files.contains(name)) << "missing icon file " << name.toStdString();
    // ...and every one of them is compiled into the resources.
    EXPECT_EQ(svgNames(QStringLiteral(":/icons")), files);
}

// The icons stay within what QtSvg's SVG Tiny renderer draws faithfully.
TEST(Icons, SvgsUseOnlyBasicShapes)
{
    const QSet<QString> allowedElements{QStringLiteral("svg"),      QStringLiteral("g"),
                                        QStringLiteral("path"),     QStringLiteral("rect"),
                                        QStringLiteral("circle"),   QStringLiteral("line"),
                                        QStringLiteral("polyline"), QStringLiteral("polygon")};
    const QSet<QString> forbiddenAttributes{QStringLiteral("class"), QStringLiteral("style"),
                                            QStringLiteral("filter"), QStringLiteral("mask"),
                                            QStringLiteral("clip-path")};
    for (const QString &name : svgNames(iconsSourceDir())) {
        QFile file(iconsSourceDir() + QLatin1Char('/') + name);
        ASSERT_TRUE(file.open(QIODevice::ReadOnly)) << name.toStdString();
        QXmlStreamReader xml(&file);
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            EXPECT_TRUE(allowedElements.contains(xml.name().toString()))
                << name.toStdString() << ": <" << xml.name().toString().toStdString() << '>';
            for (const QXmlStreamAttribute &a : xml.attributes())
                EXPECT_FALSE(forbiddenAttributes.contains(a.name().toString()))
                    << name.toStdString() << ": " << a.name().toString().toStdString();
        }
        EXPECT_FALSE(xml.hasError()) << name.toStdString();
    }
}

// Every kind is told apart from every other at 24 px, even without colour: the grey images
// differ in a good share of their pixels.
TEST(Icons, KindIconsArePairwiseDifferentAt24Pixels)
{
    std::vector<QImage> images;
    for (ElementKind kind : core::allElementKinds)
        images.push_back(grey24(kind));
    for (std::size_t i = 0; i < images.size(); ++i) {
        for (std::size_t j = i + 1; j < images.size(); ++j) {
            int differing = 0;
            for (int y = 0; y < 24; ++y)
                for (int x = 0; x < 24; ++x)
                    differing +=
                        qAbs(qGray(images[i].pixel(x, y)) - qGray(images[j].pixel(x, y))) > 48;
            EXPECT_GT(differing, 24 * 24 / 8)
                << core::kindName(core::allElementKinds[i]).toStdString() << " vs "
                << core::kindName(core::allElementKinds[j]).toStdString();
        }
    }
}

} // namespace
