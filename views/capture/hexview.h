#pragma once

#include <QAbstractScrollArea>
#include <QByteArray>

namespace converge::views::capture {

// A packet's bytes as Wireshark's byte view shows them: offset, 16 bytes in hex, the same in
// ASCII (dots for the unprintable), monospace. One range is highlighted (the protocol tree's
// selection); a click on a byte, in either column, says which.
class HexView : public QAbstractScrollArea
{
    Q_OBJECT

public:
    static constexpr int bytesPerLine = 16;

    explicit HexView(QWidget *parent = nullptr);

    void setBytes(const QByteArray &bytes);
    QByteArray bytes() const { return m_bytes; }
    void setHighlight(qint32 offset, qint32 length); // length 0: none
    std::pair<qint32, qint32> highlight() const { return {m_highlightOffset, m_highlightLength}; }
    // The byte under a point of the viewport; -1 when none.
    qint32 byteAt(QPoint point) const;
    // Where byte OFFSET's hex digits are drawn, in viewport coordinates (tests click it).
    QRect hexRect(qint32 offset) const;

Q_SIGNALS:
    void byteClicked(qint32 offset);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    int lineCount() const;
    int lineHeight() const;
    int charWidth() const;
    int hexColumn(int index) const; // in characters from the left edge
    int asciiColumn(int index) const;
    void updateScrollBars();
    void paintLine(QPainter &painter, int line, int y);

    QByteArray m_bytes;
    qint32 m_highlightOffset = 0;
    qint32 m_highlightLength = 0;
};

} // namespace converge::views::capture
