#pragma once

#include "rule.h"
#include "rulecontext.h"

#include <QHash>
#include <QSet>

namespace converge::core {

// Runs the rule catalog over a design: all of it on validate(), then, while attached, only the
// checks a change can affect. Each anchor element's checks record what they read (RuleContext);
// a change re-runs the anchors that read what changed, so results always equal a full run.
class ValidationEngine
{
public:
    explicit ValidationEngine(const std::vector<Rule> &rules);
    ~ValidationEngine();
    ValidationEngine(const ValidationEngine &) = delete;
    ValidationEngine &operator=(const ValidationEngine &) = delete;

    // Full validation of `design`. Kept current by its change notifications until detach()
    // (or destruction); the design must outlive the attachment.
    void attach(Design &design);
    void detach();
    // Full run without attaching. Incremental keeps what each check read, for update();
    // OneShot (the CLI) records nothing and is faster, and a later update() runs in full.
    enum class Mode { Incremental, OneShot };
    void validate(const Design &design, Mode mode = Mode::Incremental);
    // Re-validates after `changes` were applied to the design given to attach/validate.
    void update(const std::vector<Change> &changes);

    // Every finding, with accepted ones marked by their justification; sorted.
    std::vector<Finding> findings() const;
    std::size_t anchorsEvaluated() const { return m_evaluated; } // since the last validate/update

private:
    struct AnchorResult
    {
        std::vector<Finding> findings;
        QSet<QString> deps;
    };

    void evaluate(const Element &anchor);
    void evaluateInParallel(const std::vector<const Element *> &all);
    void forget(const QString &anchorId);
    void indexElement(const Element &e, QSet<QString> *invalidated); // null: full run
    void unindexElement(const QString &id, QSet<QString> &invalidated);
    void invalidate(const QString &key, QSet<QString> &dirty) const;

    std::vector<std::vector<const Rule *>> m_rulesByKind; // ElementKind -> rules anchored there
    const Design *m_design = nullptr;
    Design *m_attached = nullptr;
    int m_listener = 0;
    RuleIndexes m_indexes;
    QHash<QString, QStringList> m_refsOf;  // element -> ids it refers to
    QHash<QString, QStringList> m_addrsOf; // vNIC -> its addresses
    QHash<QString, AnchorResult> m_results;
    QHash<QString, QSet<QString>> m_dependents; // dependency key -> anchors that read it
    std::size_t m_evaluated = 0;
    Mode m_mode = Mode::Incremental;
};

} // namespace converge::core
