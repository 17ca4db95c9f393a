#include "validationengine.h"

#include "core/logging.h"

#include <QElapsedTimer>

#include "../model/schema.h"

#include <QJsonArray>

#include <algorithm>
#include <thread>

namespace converge::core {

ValidationEngine::ValidationEngine(const std::vector<Rule> &rules)
    : m_rulesByKind(allElementKinds.size())
{
    for (const Rule &rule : rules)
        m_rulesByKind[std::size_t(rule.anchor)].push_back(&rule);
}

ValidationEngine::~ValidationEngine()
{
    detach();
}

void ValidationEngine::attach(Design &design)
{
    detach();
    m_attached = &design;
    m_listener =
        design.addListener([this](const std::vector<Change> &changes) { update(changes); });
    validate(design);
}

void ValidationEngine::detach()
{
    if (m_attached)
        m_attached->removeListener(m_listener);
    m_attached = nullptr;
}

void ValidationEngine::validate(const Design &design, Mode mode)
{
    m_design = &design;
    m_mode = mode;
    m_indexes = {};
    m_refsOf.clear();
    m_addrsOf.clear();
    m_results.clear();
    m_dependents.clear();
    m_evaluated = 0;
    QElapsedTimer timer;
    timer.start();
    const auto all = design.allElements();
    for (const Element *e : all)
        indexElement(*e, nullptr);
    if (mode == Mode::OneShot)
        evaluateInParallel(all);
    else
        for (const Element *e : all)
            evaluate(*e);
    qCDebug(lcValidation) << "validated" << all.size() << "elements"
                          << (mode == Mode::OneShot ? "in one shot" : "recording dependencies")
                          << "in" << timer.elapsed() << "ms";
}

void ValidationEngine::evaluateInParallel(const std::vector<const Element *> &all)
{
    // Nothing is recorded in a one-shot run, so checks only read shared state: split the
    // anchors over the cores and merge the findings.
    const unsigned workers = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
    std::vector<std::vector<std::pair<QString, AnchorResult>>> parts(workers);
    std::vector<std::size_t> counts(workers, 0);
    const auto work = [&](unsigned w) {
        for (std::size_t i = w; i < all.size(); i += workers) {
            const Element &anchor = *all[i];
            const auto &rules = m_rulesByKind[std::size_t(anchor.kind)];
            if (rules.empty())
                continue;
            ++counts[w];
            AnchorResult result;
            RuleContext ctx(*m_design, m_indexes, nullptr);
            for (const Rule *rule : rules) {
                FindingSink sink(rule->info, anchor, result.findings);
                rule->check(anchor, ctx, sink);
            }
            parts[w].emplace_back(anchor.id, std::move(result));
        }
    };
    std::vector<std::thread> threads;
    for (unsigned w = 1; w < workers; ++w)
        threads.emplace_back(work, w);
    work(0);
    for (std::thread &t : threads)
        t.join();
    for (unsigned w = 0; w < workers; ++w) {
        m_evaluated += counts[w];
        for (auto &[id, result] : parts[w])
            m_results.insert(id, std::move(result));
    }
}

void ValidationEngine::indexElement(const Element &e, QSet<QString> *invalidated)
{
    QStringList refs = referencedIds(e.kind, e.props);
    refs.removeDuplicates();
    for (const QString &target : refs) {
        m_indexes.referrers[target].insert(e.id, &e);
        if (invalidated)
            invalidated->insert(RuleContext::referrersKey(target));
    }
    const bool tracked = m_mode == Mode::Incremental; // one-shot runs never unindex
    if (tracked && !refs.isEmpty())
        m_refsOf.insert(e.id, refs);
    QStringList addrs = heldAddresses(e);
    addrs.removeDuplicates();
    for (const QString &a : addrs) {
        m_indexes.byAddress[a].insert(e.id, &e);
        if (invalidated)
            invalidated->insert(RuleContext::addressKey(a));
    }
    if (tracked && !addrs.isEmpty())
        m_addrsOf.insert(e.id, addrs);
}

void ValidationEngine::unindexElement(const QString &id, QSet<QString> &invalidated)
{
    const auto drop = [&](QHash<QString, RuleIndexes::Members> &index, const QString &key) {
        auto it = index.find(key);
        if (it != index.end() && (it->remove(id), it->isEmpty()))
            index.erase(it);
    };
    for (const QString &target : m_refsOf.take(id)) {
        drop(m_indexes.referrers, target);
        invalidated.insert(RuleContext::referrersKey(target));
    }
    for (const QString &a : m_addrsOf.take(id)) {
        drop(m_indexes.byAddress, a);
        invalidated.insert(RuleContext::addressKey(a));
    }
}

void ValidationEngine::evaluate(const Element &anchor)
{
    const auto &rules = m_rulesByKind[std::size_t(anchor.kind)];
    if (rules.empty())
        return;
    ++m_evaluated;
    AnchorResult result;
    RuleContext ctx(*m_design, m_indexes, m_mode == Mode::Incremental ? &result.deps : nullptr);
    for (const Rule *rule : rules) {
        FindingSink sink(rule->info, anchor, result.findings);
        rule->check(anchor, ctx, sink);
    }
    for (const QString &dep : std::as_const(result.deps))
        m_dependents[dep].insert(anchor.id);
    m_results.insert(anchor.id, std::move(result));
}

void ValidationEngine::forget(const QString &anchorId)
{
    auto it = m_results.find(anchorId);
    if (it == m_results.end())
        return;
    for (const QString &dep : std::as_const(it->deps)) {
        auto d = m_dependents.find(dep);
        if (d != m_dependents.end() && (d->remove(anchorId), d->isEmpty()))
            m_dependents.erase(d);
    }
    m_results.erase(it);
}

void ValidationEngine::invalidate(const QString &key, QSet<QString> &dirty) const
{
    auto it = m_dependents.constFind(key);
    if (it != m_dependents.constEnd())
        dirty.unite(*it);
}

void ValidationEngine::update(const std::vector<Change> &changes)
{
    if (!m_design)
        return;
    if (m_mode == Mode::OneShot)
        return validate(*m_design, Mode::Incremental); // nothing recorded to go by
    m_evaluated = 0;
    QSet<QString> keys;
    QSet<QString> dirty;
    for (const Change &c : changes) {
        if (c.id.isEmpty())
            continue; // the design's own name/description: no rule reads it
        keys.insert(RuleContext::elementKey(c.id));
        unindexElement(c.id, keys);
        if (c.type != Change::Type::PropertyChanged) {
            keys.insert(RuleContext::childrenKey(c.parent, c.kind));
            keys.insert(RuleContext::kindKey(c.kind));
        }
        if (const Element *e = m_design->find(c.id))
            indexElement(*e, &keys);
        dirty.insert(c.id);
    }
    for (const QString &key : std::as_const(keys))
        invalidate(key, dirty);
    for (const QString &id : std::as_const(dirty))
        forget(id);
    for (const QString &id : std::as_const(dirty)) {
        if (const Element *e = m_design->find(id))
            evaluate(*e);
    }
}

std::vector<Finding> ValidationEngine::findings() const
{
    // Accepted findings: a Suppression names the rule and exactly the finding's elements.
    QHash<QString, QString> accepted;
    const auto keyOf = [](const QString &rule, QStringList ids) -> QString {
        ids.sort();
        return rule + QLatin1Char('|') + ids.join(QLatin1Char(','));
    };
    if (m_design) {
        for (const Element *s : m_design->elements(ElementKind::Suppression)) {
            QStringList ids;
            for (const QJsonValue v : s->value(key::elements).toArray())
                ids << v.toString();
            accepted.insert(keyOf(s->value(key::rule).toString(), ids),
                            s->value(key::justification).toString());
        }
    }
    std::vector<Finding> out;
    for (const AnchorResult &r : m_results) {
        for (Finding f : r.findings) {
            f.justification = accepted.value(keyOf(f.ruleId, f.elements));
            out.push_back(std::move(f));
        }
    }
    sortFindings(out);
    return out;
}

} // namespace converge::core
