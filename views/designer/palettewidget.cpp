#include "palettewidget.h"

#include "core/model/palette.h"
#include "core/model/schema.h"
#include "views/icons.h"

#include <QKeyEvent>
#include <QMimeData>

namespace converge::views {

namespace {

constexpr int kindRole = Qt::UserRole + 1;

} // namespace

PaletteWidget::PaletteWidget(QWidget *parent)
    : QListWidget(parent)
{
    setObjectName(QStringLiteral("palette"));
    setIconSize(QSize(20, 20));
    setUniformItemSizes(true);
    setDragEnabled(true);
    setDragDropMode(DragOnly);
    for (core::ElementKind kind : core::palette::kinds()) {
        const core::KindTexts &texts = core::kindTexts(kind);
        auto *item = new QListWidgetItem(icons::forKind(kind), texts.label, this);
        item->setData(kindRole, int(kind));
        item->setToolTip(texts.paletteHint);
        item->setStatusTip(texts.paletteHint);
    }
    const auto request = [this](QListWidgetItem *item) {
        if (item)
            Q_EMIT addRequested(core::ElementKind(item->data(kindRole).toInt()));
    };
    // One add per click whatever the style does on double clicks and single-click activation;
    // Enter adds the current entry (keyPressEvent).
    connect(this, &QListWidget::itemClicked, this, request);
}

void PaletteWidget::keyPressEvent(QKeyEvent *event)
{
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) && currentItem()) {
        Q_EMIT addRequested(core::ElementKind(currentItem()->data(kindRole).toInt()));
        event->accept();
        return;
    }
    QListWidget::keyPressEvent(event);
}

QMimeData *PaletteWidget::dragData(core::ElementKind kind)
{
    auto *mime = new QMimeData;
    mime->setData(QLatin1String(mimeType), QByteArray::number(int(kind)));
    return mime;
}

QStringList PaletteWidget::mimeTypes() const
{
    return {QLatin1String(mimeType)};
}

QMimeData *PaletteWidget::mimeData(const QList<QListWidgetItem *> &items) const
{
    return items.isEmpty() ? nullptr
                           : dragData(core::ElementKind(items.front()->data(kindRole).toInt()));
}

QListWidgetItem *PaletteWidget::entryFor(core::ElementKind kind) const
{
    for (int i = 0; i < count(); ++i) {
        if (item(i)->data(kindRole).toInt() == int(kind))
            return item(i);
    }
    return nullptr;
}

} // namespace converge::views
