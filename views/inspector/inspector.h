#pragma once

#include <QPointer>
#include <QStringList>
#include <QWidget>

#include <vector>

class QFormLayout;
class QLabel;
class QScrollArea;
class QSplitter;
class QTreeWidget;

namespace converge::views {

class DesignSession;
class PropertyEditor;

// The inspector: the selected elements' properties and findings. One editor per property of the
// kind, in schema order, with the widget its type calls for (propertyeditors.h): check box,
// combo of values or of elements, spin box, bandwidth with unit, validated line edits, table of
// records. Each change is one undo step through the session, also when several elements of one
// kind are selected (a property they differ on shows as mixed; setting it sets it on all). For
// elements of different kinds only their common properties (name, description) are shown.
// A refused edit is shown in red under the form; findings double-clicked are announced.
class Inspector : public QWidget
{
    Q_OBJECT

public:
    explicit Inspector(QWidget *parent = nullptr);
    ~Inspector() override;

    // Follows the session's selection and design (nullptr: shows nothing).
    void setSession(DesignSession *session);
    DesignSession *session() const { return m_session; }

    QStringList shownIds() const { return m_ids; }
    QString headerText() const;
    QString errorText() const; // the last refused edit; empty once an edit goes through
    QTreeWidget *findingsView() const { return m_findings; }
    PropertyEditor *editor(const QString &key) const;
    // A value typed but not committed yet (the field still has the focus).
    bool hasPendingInput() const;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

Q_SIGNALS:
    void findingActivated(const QString &ruleId, const QStringList &elementIds);

private:
    void selectionChanged();
    void designChanged();
    void rebuild();
    void refresh(); // values, header and findings, in place
    void updateHeader();
    void updateFindings();
    void commit(PropertyEditor *editor);
    void showError(const QString &message);
    void clearForm();

    QPointer<DesignSession> m_session;
    QStringList m_ids;
    std::vector<PropertyEditor *> m_editors;
    QLabel *m_header;
    QLabel *m_subheader;
    QScrollArea *m_scroll;
    QWidget *m_form = nullptr;
    bool m_committing = false;
    QLabel *m_error;
    QWidget *m_findingsPane;
    QSplitter *m_splitter = nullptr;
    QLabel *m_findingsTitle;
    QTreeWidget *m_findings;
};

} // namespace converge::views
