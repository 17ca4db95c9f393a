#include "designsession.h"

#include "core/validation/catalog.h"

#include <QTimer>
#include <QUndoCommand>
#include <QUndoStack>

namespace converge::views {

namespace {

// An Edit on the undo stack. The first redo() is skipped when the edit is already applied.
class EditCommand : public QUndoCommand
{
public:
    EditCommand(core::Design &design, core::Edit edit, bool applied)
        : QUndoCommand(edit.description)
        , m_design(design)
        , m_edit(std::move(edit))
        , m_skipRedo(applied)
    {
    }

    void redo() override
    {
        if (std::exchange(m_skipRedo, false))
            return;
        if (auto ok = m_design.apply(m_edit); !ok)
            setObsolete(true); // the design moved on under it: drop it rather than corrupt
    }
    void undo() override
    {
        if (auto ok = m_design.apply(m_edit.inverted()); !ok)
            setObsolete(true);
    }

private:
    core::Design &m_design;
    core::Edit m_edit;
    bool m_skipRedo;
};

} // namespace

DesignSession::DesignSession(std::unique_ptr<core::Design> design, QObject *parent)
    : QObject(parent)
    , m_design(std::move(design))
    , m_engine(core::ruleCatalog())
    , m_undo(new QUndoStack(this))
{
    // The first validation of a big design takes most of a second: the window draws such a
    // design first and then calls validateNow() (or the fallback timer does). A design of
    // ordinary size validates in milliseconds, at once.
    if (m_design->size() < deferValidationFrom)
        validateNow();
    else
        QTimer::singleShot(validationFallbackMs, this, &DesignSession::validateNow);
    m_listener = m_design->addListener([this](const std::vector<core::Change> &changes) {
        for (const core::Change &c : changes) {
            if (c.type == core::Change::Type::Removed && m_selection.removeAll(c.id) > 0)
                m_selectionDirty = true;
        }
        scheduleChanged();
    });
}

void DesignSession::validateNow()
{
    if (m_validated)
        return;
    m_engine.attach(*m_design);
    m_validated = true;
    scheduleChanged();
}

DesignSession::~DesignSession()
{
    m_engine.detach();
    m_design->removeListener(m_listener);
}

bool DesignSession::apply(const core::Result<core::Edit> &edit)
{
    if (!edit) {
        Q_EMIT editFailed(edit.error().message);
        return false;
    }
    if (edit->isEmpty())
        return true;
    if (auto ok = m_design->apply(*edit); !ok) {
        Q_EMIT editFailed(ok.error().message);
        return false;
    }
    m_undo->push(new EditCommand(*m_design, *edit, true));
    return true;
}

void DesignSession::record(const core::Edit &applied)
{
    if (!applied.isEmpty())
        m_undo->push(new EditCommand(*m_design, applied, true));
}

void DesignSession::setSelection(const QStringList &ids)
{
    QStringList kept;
    for (const QString &id : ids) {
        if (m_design->find(id) && !kept.contains(id))
            kept << id;
    }
    if (kept == m_selection)
        return;
    m_selection = kept;
    Q_EMIT selectionChanged(m_selection);
}

std::vector<core::Finding> DesignSession::findings() const
{
    std::vector<core::Finding> all = m_engine.findings();
    if (m_external.empty())
        return all;
    for (const auto &[source, list] : m_external)
        all.insert(all.end(), list.begin(), list.end());
    core::sortFindings(all);
    return all;
}

void DesignSession::setExternalFindings(const QString &source, std::vector<core::Finding> findings)
{
    const auto it = m_external.find(source);
    if (findings.empty() ? it == m_external.end()
                         : it != m_external.end() && it->second == findings)
        return; // nothing new: no designChanged, so listeners that republish settle
    if (findings.empty())
        m_external.erase(it);
    if (!findings.empty())
        m_external[source] = std::move(findings);
    scheduleChanged();
}

std::vector<core::Finding> DesignSession::externalFindings(const QString &source) const
{
    const auto it = m_external.find(source);
    return it == m_external.end() ? std::vector<core::Finding>{} : it->second;
}

std::vector<core::Finding> DesignSession::findingsFor(const QString &id) const
{
    std::vector<core::Finding> out;
    for (core::Finding &f : findings()) {
        if (f.elements.contains(id))
            out.push_back(std::move(f));
    }
    return out; // findings() is sorted most severe first
}

void DesignSession::scheduleChanged()
{
    if (m_changedPending)
        return;
    m_changedPending = true;
    QTimer::singleShot(0, this, [this] {
        m_changedPending = false;
        if (std::exchange(m_selectionDirty, false))
            Q_EMIT selectionChanged(m_selection);
        Q_EMIT designChanged();
    });
}

} // namespace converge::views
