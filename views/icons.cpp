#include "icons.h"

#include "core/model/schema.h"

#include <QApplication>
#include <QHash>
#include <QIconEngine>
#include <QImage>
#include <QPainter>
#include <QStyle>
#include <QStyleOption>
#include <QSvgRenderer>

#include <array>
#include <memory>

namespace converge::views::icons {

using core::ElementKind;
using core::Severity;

namespace {

// Every icon has a slot: the element kinds in enum order, then the severities, then the ACL badge.
constexpr int kindCount = int(core::allElementKinds.size());
constexpr int severitySlot = kindCount;
constexpr int aclSlot = severitySlot + 3;
constexpr int slotCount = aclSlot + 1;

int slotOf(ElementKind kind)
{
    return static_cast<int>(kind);
}

int slotOf(Severity s)
{
    return severitySlot + static_cast<int>(s);
}

// The kind's name in kebab case: "VirtualSwitch" -> "virtual-switch".
QString kindFile(ElementKind kind)
{
    QString out;
    for (const QChar c : core::kindName(kind)) {
        if (c.isUpper() && !out.isEmpty())
            out += QLatin1Char('-');
        out += c.toLower();
    }
    return out;
}

const char *severityFile(Severity s)
{
    switch (s) {
    case Severity::Error:
        return "error";
    case Severity::Warning:
        return "warning";
    case Severity::Info:
        return "info";
    }
    return "";
}

QString slotPath(int slot)
{
    QString name = QStringLiteral("acl");
    if (slot < kindCount)
        name = kindFile(static_cast<ElementKind>(slot));
    else if (slot < aclSlot)
        name = QLatin1String(severityFile(static_cast<Severity>(slot - severitySlot)));
    return QStringLiteral(":/icons/%1.svg").arg(name);
}

// Rendered pixmaps by (slot, mode, size, dpr), and each slot's parsed SVG. Cleared when the
// application object goes away, so no QPixmap outlives the QGuiApplication.
struct Cache
{
    QHash<quint64, QPixmap> pixmaps;
    qint64 bytes = 0;
    std::array<std::unique_ptr<QSvgRenderer>, slotCount> renderers;
    bool cleanupRegistered = false;
};

// Beyond this the cache starts over: a zoomable view could otherwise ask for ever new sizes.
constexpr qint64 cacheLimitBytes = qint64(16) * 1024 * 1024;

Cache &cache()
{
    static Cache c;
    return c;
}

void clearCache()
{
    Cache &c = cache();
    c.pixmaps.clear();
    c.bytes = 0;
    for (auto &r : c.renderers)
        r.reset();
    c.cleanupRegistered = false;
}

QSvgRenderer &renderer(int slot)
{
    auto &r = cache().renderers[static_cast<std::size_t>(slot)];
    if (!r)
        r = std::make_unique<QSvgRenderer>(slotPath(slot));
    return *r;
}

QPixmap styled(const QPixmap &pixmap, QIcon::Mode mode)
{
    if (mode == QIcon::Normal)
        return pixmap;
    const auto *app = qobject_cast<QApplication *>(QCoreApplication::instance());
    if (!app)
        return pixmap;
    QStyleOption option;
    option.palette = QApplication::palette();
    return QApplication::style()->generatedIconPixmap(mode, pixmap, &option);
}

QPixmap cachedPixmap(int slot, int logicalSize, qreal dpr, QIcon::Mode mode = QIcon::Normal)
{
    if (logicalSize <= 0 || slot < 0 || slot >= slotCount)
        return {};
    if (!(dpr > 0))
        dpr = 1;
    const int milliDpr = qBound(1, qRound(dpr * 1000), 0xffff);
    const quint64 key = (quint64(slot) << 52) | (quint64(mode & 0xf) << 48) |
                        (quint64(qMin(logicalSize, 0xffff)) << 16) | quint64(milliDpr);
    Cache &c = cache();
    if (const auto it = c.pixmaps.constFind(key); it != c.pixmaps.cend())
        return *it;

    QPixmap result;
    if (mode != QIcon::Normal) {
        result = styled(cachedPixmap(slot, logicalSize, dpr), mode);
    } else {
        const int side = qMax(1, qRound(logicalSize * dpr));
        QImage image(side, side, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        {
            QPainter painter(&image);
            painter.setRenderHint(QPainter::Antialiasing);
            renderer(slot).render(&painter, QRectF(0, 0, side, side));
        }
        result = QPixmap::fromImage(image);
    }
    result.setDevicePixelRatio(dpr);

    if (!c.cleanupRegistered) {
        qAddPostRoutine(clearCache);
        c.cleanupRegistered = true;
    }
    const qint64 bytes = qint64(result.width()) * result.height() * 4;
    if (c.bytes + bytes > cacheLimitBytes) {
        c.pixmaps.clear();
        c.bytes = 0;
    }
    c.pixmaps.insert(key, result);
    c.bytes += bytes;
    return result;
}

// Draws the slot's SVG through the pixmap cache at whatever size and screen the icon is asked
// for, so a QIcon needs no SVG icon-engine plugin at run time.
class SvgIconEngine final : public QIconEngine
{
public:
    explicit SvgIconEngine(int slot)
        : m_slot(slot)
    {
    }

    void paint(QPainter *painter, const QRect &rect, QIcon::Mode mode, QIcon::State) override
    {
        const int side = qMin(rect.width(), rect.height());
        const qreal dpr = painter->device() ? painter->device()->devicePixelRatio() : 1.0;
        QRect target(0, 0, side, side);
        target.moveCenter(rect.center());
        painter->drawPixmap(target, cachedPixmap(m_slot, side, dpr, mode));
    }

    // QIcon asks in device pixels and sets the device pixel ratio itself.
    QPixmap pixmap(const QSize &size, QIcon::Mode mode, QIcon::State) override
    {
        return cachedPixmap(m_slot, qMin(size.width(), size.height()), 1.0, mode);
    }

    QSize actualSize(const QSize &size, QIcon::Mode, QIcon::State) override
    {
        const int side = qMin(size.width(), size.height());
        return {side, side};
    }

    QList<QSize> availableSizes(QIcon::Mode, QIcon::State) override
    {
        return {QSize(16, 16), QSize(24, 24), QSize(32, 32), QSize(48, 48), QSize(64, 64)};
    }

    QString key() const override { return QStringLiteral("converge-svg"); }
    QIconEngine *clone() const override { return new SvgIconEngine(m_slot); }

private:
    int m_slot;
};

QIcon iconFor(int slot)
{
    static std::array<QIcon, slotCount> icons;
    QIcon &icon = icons[static_cast<std::size_t>(slot)];
    if (icon.isNull())
        icon = QIcon(new SvgIconEngine(slot));
    return icon;
}

} // namespace

QIcon forKind(ElementKind kind)
{
    return iconFor(slotOf(kind));
}

QIcon severity(Severity s)
{
    return iconFor(slotOf(s));
}

QIcon acl()
{
    return iconFor(aclSlot);
}

QPixmap pixmap(ElementKind kind, int logicalSize, qreal devicePixelRatio)
{
    return cachedPixmap(slotOf(kind), logicalSize, devicePixelRatio);
}

QPixmap severityPixmap(Severity s, int logicalSize, qreal devicePixelRatio)
{
    return cachedPixmap(slotOf(s), logicalSize, devicePixelRatio);
}

QPixmap aclPixmap(int logicalSize, qreal devicePixelRatio)
{
    return cachedPixmap(aclSlot, logicalSize, devicePixelRatio);
}

QString path(ElementKind kind)
{
    return slotPath(slotOf(kind));
}

QString severityPath(Severity s)
{
    return slotPath(slotOf(s));
}

QString aclPath()
{
    return slotPath(aclSlot);
}

} // namespace converge::views::icons
