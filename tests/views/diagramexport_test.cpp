#include "viewstestsupport.h"

#include "views/diagram/designscene.h"
#include "views/diagram/diagramexport.h"

#include <QFile>
#include <QGraphicsRectItem>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QPrinter>
#include <QRegularExpression>
#include <QScreen>
#include <QTemporaryDir>
#include <QXmlStreamReader>

using namespace converge;
using namespace converge::views;

namespace {

class DiagramExport : public testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(m_dir.isValid());
        auto loaded = test::loadSample("smb-converged");
        ASSERT_TRUE(loaded) << loaded.error().message.toStdString();
        m_design = std::move(*loaded);
        m_scene.setDesign(&m_design);
    }

    QString path(const QString &name) const { return m_dir.filePath(name); }

    QRectF wholeDiagram() const
    {
        return m_scene.itemsBoundingRect().adjusted(-diagramexport::margin, -diagramexport::margin,
                                                    diagramexport::margin, diagramexport::margin);
    }

    static QByteArray read(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    QTemporaryDir m_dir;
    core::Design m_design; // outlives the scene
    DesignScene m_scene;
};

int nonWhitePixels(const QImage &image)
{
    int count = 0;
    for (int y = 0; y < image.height(); ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(image.constScanLine(y));
        for (int x = 0; x < image.width(); ++x)
            count += (line[x] & 0xffffff) != 0xffffff;
    }
    return count;
}

TEST_F(DiagramExport, WritesAPngAtTwiceTheScaleOnWhite)
{
    const QString file = path(QStringLiteral("diagram.png"));
    const auto ok = diagramexport::exportFile(m_scene, {}, file);
    ASSERT_TRUE(ok) << ok.error().message.toStdString();
    QImage image(file);
    ASSERT_FALSE(image.isNull());
    const QRectF source = wholeDiagram();
    EXPECT_EQ(image.size(), diagramexport::imageSize(source.size()));
    EXPECT_NEAR(image.width(), 2 * source.width(), 1);
    EXPECT_NEAR(image.height(), 2 * source.height(), 1);
    image = image.convertToFormat(QImage::Format_RGB32);
    EXPECT_EQ(image.pixel(0, 0), qRgb(255, 255, 255)) << "the margin is white";
    EXPECT_EQ(image.pixel(image.width() - 1, image.height() - 1), qRgb(255, 255, 255));
    const int drawn = nonWhitePixels(image);
    EXPECT_GT(drawn, image.width() * image.height() / 100) << "the diagram is drawn";
}

// The fonts have point sizes: painted at another resolution than the screen's, where the layout
// measured them, text would overflow its boxes. The PNG is what the scene paints at 2x there.
TEST_F(DiagramExport, PaintsTextAtTheSizeTheLayoutMeasured)
{
    const QString file = path(QStringLiteral("diagram.png"));
    ASSERT_TRUE(diagramexport::exportFile(m_scene, {}, file));
    const QImage exported = QImage(file).convertToFormat(QImage::Format_RGB32);
    QImage expected(exported.size(), QImage::Format_RGB32);
    const int dpi = qRound(QGuiApplication::primaryScreen()->logicalDotsPerInchY());
    expected.setDotsPerMeterX(qRound(dpi / 0.0254));
    expected.setDotsPerMeterY(qRound(dpi / 0.0254));
    expected.fill(Qt::white);
    {
        QPainter painter(&expected);
        painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing |
                               QPainter::SmoothPixmapTransform);
        m_scene.render(&painter, QRectF(expected.rect()), wholeDiagram(), Qt::KeepAspectRatio);
    }
    EXPECT_TRUE(exported == expected);
}

TEST_F(DiagramExport, KeepsHugeImagesAtASaneSize)
{
    EXPECT_EQ(diagramexport::imageSize(QSizeF(300, 200)), QSize(600, 400));
    const QSize wide = diagramexport::imageSize(QSizeF(100000, 2000));
    EXPECT_EQ(wide.width(), 16384);
    EXPECT_NEAR(double(wide.height()), 16384.0 * 2000 / 100000, 1);
    // Like a thousand-host grid: capped at 64 Mpx (256 MiB), not gigabytes.
    const QSize big = diagramexport::imageSize(QSizeF(40000, 30000));
    EXPECT_LE(qint64(big.width()) * big.height(), 64LL << 20);
    EXPECT_NEAR(double(big.width()) / big.height(), 4.0 / 3, 0.01);
    EXPECT_TRUE(diagramexport::imageSize(QSizeF()).isEmpty());
}

TEST_F(DiagramExport, WritesAnSvgThatNamesTheHosts)
{
    const QString file = path(QStringLiteral("diagram.svg"));
    const auto ok = diagramexport::exportFile(m_scene, {}, file);
    ASSERT_TRUE(ok) << ok.error().message.toStdString();
    QXmlStreamReader xml(read(file));
    QStringList texts;
    QString title;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (xml.name() == QLatin1String("text"))
            texts << xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
        else if (xml.name() == QLatin1String("title"))
            title = xml.readElementText();
    }
    ASSERT_FALSE(xml.hasError()) << xml.errorString().toStdString();
    EXPECT_EQ(title, m_design.info().value(QLatin1String("name")).toString());
    for (const core::Element *host : m_design.elements(core::ElementKind::Host))
        EXPECT_TRUE(texts.contains(host->name())) << host->name().toStdString();
}

TEST_F(DiagramExport, WritesAPdfPageShapedLikeTheDiagram)
{
    const QString file = path(QStringLiteral("diagram.pdf"));
    const auto ok = diagramexport::exportFile(m_scene, {}, file);
    ASSERT_TRUE(ok) << ok.error().message.toStdString();
    const QByteArray pdf = read(file);
    EXPECT_TRUE(pdf.startsWith("%PDF-"));
    const QString text = QString::fromLatin1(pdf);
    EXPECT_EQ(text.count(QRegularExpression(QStringLiteral("/Type\\s*/Page\\b(?!s)"))), 1);
    const auto box =
        QRegularExpression(
            QStringLiteral("/MediaBox\\s*\\[\\s*0\\s+0\\s+([\\d.]+)\\s+([\\d.]+)\\s*\\]"))
            .match(text);
    ASSERT_TRUE(box.hasMatch());
    const QRectF source = wholeDiagram();
    const double pageAspect = box.captured(1).toDouble() / box.captured(2).toDouble();
    EXPECT_NEAR(pageAspect, source.width() / source.height(), 0.01);
    // A vector page, not an embedded picture of the diagram.
    EXPECT_FALSE(pdf.contains("/Subtype /Image"));
}

TEST_F(DiagramExport, ExportsJustTheSelection)
{
    const QRectF host = diagramexport::elementsRect(m_scene, {QStringLiteral("h1")});
    ASSERT_FALSE(host.isEmpty());
    EXPECT_EQ(host, m_scene.itemFor(QStringLiteral("h1"))->sceneBoundingRect());
    EXPECT_EQ(diagramexport::elementsRect(m_scene, {QStringLiteral("h1.eth1")}), host)
        << "a NIC exports the host that shows it";
    EXPECT_TRUE(diagramexport::elementsRect(m_scene, {QStringLiteral("nope")}).isEmpty());
    const QString file = path(QStringLiteral("h1.png"));
    ASSERT_TRUE(diagramexport::exportFile(m_scene, host, file));
    EXPECT_EQ(QImage(file).size(), diagramexport::imageSize(host.size()));

    QGraphicsScene plain;
    auto *a = plain.addRect(0, 0, 100, 50);
    auto *b = plain.addRect(300, 300, 10, 10);
    a->setFlag(QGraphicsItem::ItemIsSelectable);
    b->setFlag(QGraphicsItem::ItemIsSelectable);
    EXPECT_TRUE(diagramexport::selectionRect(plain).isEmpty());
    a->setSelected(true);
    EXPECT_EQ(diagramexport::selectionRect(plain), a->sceneBoundingRect());
    b->setSelected(true);
    EXPECT_EQ(diagramexport::selectionRect(plain), a->sceneBoundingRect() | b->sceneBoundingRect());
}

TEST_F(DiagramExport, RefusesAnUnknownFormatAndWritesNothing)
{
    for (const QString &name : {QStringLiteral("diagram.jpg"), QStringLiteral("diagram")}) {
        const auto ok = diagramexport::exportFile(m_scene, {}, path(name));
        ASSERT_FALSE(ok);
        EXPECT_EQ(ok.error().code, core::Error::Code::InvalidInput);
        for (const char *suffix : {".png", ".svg", ".pdf"})
            EXPECT_TRUE(ok.error().message.contains(QLatin1String(suffix)))
                << ok.error().message.toStdString();
        EXPECT_FALSE(QFile::exists(path(name)));
    }
    EXPECT_TRUE(QDir(m_dir.path()).isEmpty());
}

TEST_F(DiagramExport, SaysWhereItCannotWriteAndLeavesNothing)
{
    // A folder that does not exist, and one that is a file: unwritable even for root.
    QFile blocker(path(QStringLiteral("file")));
    ASSERT_TRUE(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    for (const QString &suffix : diagramexport::supportedSuffixes()) {
        for (const QString &file : {path(QStringLiteral("missing/diagram.") + suffix),
                                    path(QStringLiteral("file/diagram.") + suffix)}) {
            const auto ok = diagramexport::exportFile(m_scene, {}, file);
            ASSERT_FALSE(ok) << file.toStdString();
            EXPECT_EQ(ok.error().code, core::Error::Code::Io);
            EXPECT_TRUE(ok.error().message.startsWith(QStringLiteral("cannot write ") + file +
                                                      QStringLiteral(": ")))
                << ok.error().message.toStdString();
            EXPECT_GT(ok.error().message.size(),
                      (QStringLiteral("cannot write ") + file + QStringLiteral(": ")).size())
                << "and why";
        }
    }
    EXPECT_EQ(QDir(m_dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot),
              QStringList{QStringLiteral("file")});
}

TEST_F(DiagramExport, AnEmptyDiagramIsNotExported)
{
    QGraphicsScene empty;
    const auto ok = diagramexport::exportFile(empty, {}, path(QStringLiteral("empty.png")));
    ASSERT_FALSE(ok);
    EXPECT_FALSE(QFile::exists(path(QStringLiteral("empty.png"))));
}

TEST_F(DiagramExport, PrintsOntoOnePage)
{
    QPrinter printer(QPrinter::HighResolution);
    printer.setOutputFormat(QPrinter::PdfFormat);
    const QString file = path(QStringLiteral("printed.pdf"));
    printer.setOutputFileName(file);
    const int resolution = printer.resolution();
    ASSERT_TRUE(diagramexport::print(m_scene, {}, printer));
    EXPECT_EQ(printer.resolution(), resolution) << "the printer's own resolution is kept";
    const QByteArray pdf = read(file);
    EXPECT_TRUE(pdf.startsWith("%PDF-"));
    EXPECT_EQ(QString::fromLatin1(pdf).count(
                  QRegularExpression(QStringLiteral("/Type\\s*/Page\\b(?!s)"))),
              1);

    QGraphicsScene empty;
    EXPECT_FALSE(diagramexport::print(empty, {}, printer));
}

} // namespace
