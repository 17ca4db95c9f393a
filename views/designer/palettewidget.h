#pragma once

#include "core/model/elementkind.h"

#include <QListWidget>

namespace converge::views {

// The designer's palette: one entry per kind an admin adds by hand. Clicking (or Enter on) an
// entry asks to add one where the selection says; dragging it onto the diagram adds it where
// it is dropped (DesignScene).
class PaletteWidget : public QListWidget
{
    Q_OBJECT

public:
    explicit PaletteWidget(QWidget *parent = nullptr);

    // The entry for a kind, for tests and keyboard navigation.
    QListWidgetItem *entryFor(core::ElementKind kind) const;

    static constexpr auto mimeType = "application/x-converge-kind";
    // The mime data a drag of `kind` carries.
    static QMimeData *dragData(core::ElementKind kind);

protected:
    QMimeData *mimeData(const QList<QListWidgetItem *> &items) const override;
    QStringList mimeTypes() const override;
    void keyPressEvent(QKeyEvent *event) override;

Q_SIGNALS:
    void addRequested(core::ElementKind kind);
};

} // namespace converge::views
