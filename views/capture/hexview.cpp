#include "views/capture/hexview.h"

#include <QFontDatabase>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>

namespace converge::views::capture {

namespace {

// "0000  " then 16 bytes as "xx " with an extra space after the eighth, then the ASCII.
constexpr int offsetChars = 6;
constexpr int asciiGap = 2;

} // namespace

HexView::HexView(QWidget *parent)
    : QAbstractScrollArea(parent)
{
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    viewport()->setCursor(Qt::IBeamCursor);
    setFocusPolicy(Qt::StrongFocus);
}

void HexView::setBytes(const QByteArray &bytes)
{
    m_bytes = bytes;
    m_highlightOffset = m_highlightLength = 0;
    verticalScrollBar()->setValue(0);
    updateScrollBars();
    viewport()->update();
}

void HexView::setHighlight(qint32 offset, qint32 length)
{
    m_highlightOffset = std::clamp(offset, 0, qint32(m_bytes.size()));
    m_highlightLength = std::clamp(length, 0, qint32(m_bytes.size()) - m_highlightOffset);
    if (m_highlightLength > 0) {
        const int line = m_highlightOffset / bytesPerLine;
        QScrollBar *bar = verticalScrollBar();
        const int visible = viewport()->height() / lineHeight();
        if (line < bar->value() || line >= bar->value() + visible)
            bar->setValue(line);
    }
    viewport()->update();
}

int HexView::lineCount() const
{
    return int((m_bytes.size() + bytesPerLine - 1) / bytesPerLine);
}

int HexView::lineHeight() const
{
    return fontMetrics().height();
}

int HexView::charWidth() const
{
    return fontMetrics().horizontalAdvance(QLatin1Char('0'));
}

int HexView::hexColumn(int index) const
{
    return offsetChars + index * 3 + (index >= bytesPerLine / 2 ? 1 : 0);
}

int HexView::asciiColumn(int index) const
{
    return hexColumn(bytesPerLine) + asciiGap + index;
}

void HexView::updateScrollBars()
{
    const int visible = std::max(1, viewport()->height() / lineHeight());
    verticalScrollBar()->setRange(0, std::max(0, lineCount() - visible));
    verticalScrollBar()->setPageStep(visible);
    const int width = (asciiColumn(bytesPerLine) + 1) * charWidth();
    horizontalScrollBar()->setRange(0, std::max(0, width - viewport()->width()));
    horizontalScrollBar()->setPageStep(viewport()->width());
}

void HexView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    updateScrollBars();
}

void HexView::paintEvent(QPaintEvent * /*event*/)
{
    QPainter painter(viewport());
    painter.setFont(font());
    painter.translate(QPoint(charWidth() / 2 - horizontalScrollBar()->value(), 0));
    const int first = verticalScrollBar()->value();
    const int visible = viewport()->height() / lineHeight() + 1;
    for (int line = first; line < std::min(lineCount(), first + visible); ++line)
        paintLine(painter, line, (line - first) * lineHeight());
}

void HexView::paintLine(QPainter &painter, int line, int y)
{
    const QPalette &pal = palette();
    const int cw = charWidth(), lh = lineHeight(), ascent = fontMetrics().ascent();
    painter.setPen(pal.color(QPalette::PlaceholderText));
    painter.drawText(0, y + ascent,
                     QStringLiteral("%1").arg(line * bytesPerLine, 4, 16, QLatin1Char('0')));
    for (int i = 0; i < bytesPerLine; ++i) {
        const qint32 at = line * bytesPerLine + i;
        if (at >= m_bytes.size())
            break;
        const auto byte = quint8(m_bytes[at]);
        const bool lit = at >= m_highlightOffset && at < m_highlightOffset + m_highlightLength;
        // The highlight runs on between the bytes of one range, as Wireshark draws it.
        const bool litNext =
            lit && at + 1 < m_highlightOffset + m_highlightLength && i + 1 < bytesPerLine;
        if (lit) {
            const int hexWidth = (litNext ? 3 + (i + 1 == bytesPerLine / 2 ? 1 : 0) : 2) * cw;
            painter.fillRect(hexColumn(i) * cw, y, hexWidth, lh, pal.color(QPalette::Highlight));
            painter.fillRect(asciiColumn(i) * cw, y, cw, lh, pal.color(QPalette::Highlight));
        }
        painter.setPen(pal.color(lit ? QPalette::HighlightedText : QPalette::Text));
        painter.drawText(hexColumn(i) * cw, y + ascent,
                         QStringLiteral("%1").arg(byte, 2, 16, QLatin1Char('0')));
        const QChar ascii = byte >= 0x20 && byte < 0x7f ? QChar(byte) : QLatin1Char('.');
        painter.drawText(asciiColumn(i) * cw, y + ascent, QString(ascii));
    }
}

qint32 HexView::byteAt(QPoint point) const
{
    const int cw = charWidth();
    const int x = point.x() + horizontalScrollBar()->value() - cw / 2;
    const int line = verticalScrollBar()->value() + point.y() / lineHeight();
    if (x < 0 || point.y() < 0)
        return -1;
    const int column = x / cw;
    int index = -1;
    for (int i = 0; i < bytesPerLine && index < 0; ++i) {
        if ((column >= hexColumn(i) && column < hexColumn(i) + 2) || column == asciiColumn(i))
            index = i;
    }
    const qint64 at = qint64(line) * bytesPerLine + index;
    return index < 0 || at >= m_bytes.size() ? -1 : qint32(at);
}

QRect HexView::hexRect(qint32 offset) const
{
    const int cw = charWidth();
    const int line = offset / bytesPerLine - verticalScrollBar()->value();
    const int x = hexColumn(offset % bytesPerLine) * cw - horizontalScrollBar()->value() + cw / 2;
    return {x, line * lineHeight(), 2 * cw, lineHeight()};
}

void HexView::mousePressEvent(QMouseEvent *event)
{
    const qint32 at = byteAt(event->position().toPoint());
    if (at >= 0)
        Q_EMIT byteClicked(at);
    QAbstractScrollArea::mousePressEvent(event);
}

} // namespace converge::views::capture
