#include "alerts.h"

#include <QSet>

#include <algorithm>
#include <array>
#include <cmath>

namespace converge::core::metering {

namespace {

using namespace Qt::StringLiterals;

constexpr std::array kKindNames{"threshold", "rising", "unreachable"};

QString kindText(AlertKind kind)
{
    return QLatin1String(kKindNames[size_t(kind)]);
}

// Why a name in a rule cannot be part of a series key: the same characters SeriesKey::parse
// refuses ('|', control and format characters), so a selector can match only real keys.
QString nameProblem(const QString &text)
{
    if (text.size() > 255)
        return u"is longer than 255 characters"_s;
    for (const QChar c : text) {
        if (c == u'|' || c.category() == QChar::Other_Control ||
            c.category() == QChar::Other_Format)
            return u"has a forbidden character (U+%1)"_s.arg(c.unicode(), 4, 16, QLatin1Char('0'));
    }
    return {};
}

bool isRuleId(const QString &id)
{
    if (id.isEmpty() || id.size() > 64)
        return false;
    return std::ranges::all_of(id, [](QChar c) {
        return (c.unicode() < 128 && c.isLetterOrNumber()) || c == u'_' || c == u'.' || c == u'-';
    });
}

// Reads one rule's fields; every error names the rule (by name, else id) and the field.
class RuleReader
{
public:
    explicit RuleReader(const QJsonObject &o)
        : m_o(o)
    {
    }

    QString where() const
    {
        const QString name = m_o.value("name"_L1).toString();
        const QString id = m_o.value("id"_L1).toString();
        if (!name.isEmpty())
            return u"alert rule \"%1\""_s.arg(name.left(80));
        return id.isEmpty() ? u"alert rule"_s : u"alert rule %1"_s.arg(id.left(64));
    }
    Error error(const QString &field, const QString &what) const
    {
        return Error{Error::Code::InvalidInput, u"%1: \"%2\" %3"_s.arg(where(), field, what)};
    }
    bool has(QLatin1StringView field) const { return m_o.contains(field); }

    Result<QString> string(QLatin1StringView field, const QString &absent) const
    {
        const QJsonValue v = m_o.value(field);
        if (v.isUndefined())
            return absent;
        if (!v.isString())
            return std::unexpected(error(field, u"must be a string"_s));
        return v.toString();
    }
    Result<double> number(QLatin1StringView field, double absent) const
    {
        const QJsonValue v = m_o.value(field);
        if (v.isUndefined())
            return absent;
        if (!v.isDouble() || !std::isfinite(v.toDouble()))
            return std::unexpected(error(field, u"must be a number"_s));
        return v.toDouble();
    }
    Result<qint64> duration(QLatin1StringView field) const
    {
        const QJsonValue v = m_o.value(field);
        if (v.isUndefined())
            return 0;
        const double d = v.toDouble(-1);
        if (!v.isDouble() || d < 0 || d > double(AlertRule::kMaxDurationMs) || d != std::floor(d))
            return std::unexpected(
                error(field, u"must be whole milliseconds from 0 to %1 (7 days)"_s.arg(
                                 AlertRule::kMaxDurationMs)));
        return qint64(d);
    }

private:
    const QJsonObject &m_o;
};

Result<AlertKind> readKind(const RuleReader &r)
{
    const auto text = r.string("kind"_L1, u"threshold"_s);
    if (!text)
        return std::unexpected(text.error());
    for (size_t i = 0; i < kKindNames.size(); ++i) {
        if (*text == QLatin1String(kKindNames[i]))
            return AlertKind(i);
    }
    return std::unexpected(r.error(
        "kind"_L1, u"is \"%1\"; expected threshold, rising or unreachable"_s.arg(text->left(40))));
}

// The keys each kind reads; any other key is refused so a typo is not silently ignored.
QStringList allowedKeys(AlertKind kind)
{
    QStringList keys{u"id"_s, u"name"_s, u"kind"_s, u"host"_s, u"forMs"_s};
    if (kind == AlertKind::Unreachable)
        return keys;
    keys << u"entity"_s << u"metric"_s << u"clearForMs"_s;
    if (kind == AlertKind::Threshold)
        keys << u"condition"_s << u"threshold"_s << u"clearThreshold"_s;
    return keys;
}

Result<void> readNames(const RuleReader &r, const QJsonObject &o, AlertRule &rule)
{
    if (!o.value("id"_L1).isString() || !isRuleId(o.value("id"_L1).toString()))
        return std::unexpected(
            r.error("id"_L1, u"must be 1 to 64 letters, digits, '_', '.' or '-'"_s));
    rule.id = o.value("id"_L1).toString();
    const auto name = r.string("name"_L1, QString());
    if (!name)
        return std::unexpected(name.error());
    if (name->trimmed().isEmpty() || !nameProblem(*name).isEmpty())
        return std::unexpected(
            r.error("name"_L1, name->isEmpty() ? u"is missing or empty"_s : nameProblem(*name)));
    rule.name = *name;
    return {};
}

Result<QString> readPattern(const RuleReader &r, QLatin1StringView field)
{
    const auto text = r.string(field, u"*"_s);
    if (!text)
        return text;
    QString why = nameProblem(*text);
    const qsizetype star = text->indexOf(u'*');
    const bool starOk =
        star < 0 || *text == "*"_L1 || (star == text->size() - 1 && text->endsWith("/*"_L1));
    if (why.isEmpty() && !starOk)
        why = u"may use '*' only alone or as a trailing \"/*\" (\"if/*\")"_s;
    if (why.isEmpty() && field == "host"_L1 && text->isEmpty())
        why = u"is empty; use \"*\" for every host"_s;
    if (!why.isEmpty())
        return std::unexpected(r.error(field, why));
    return text;
}

Result<void> readSelector(const RuleReader &r, AlertRule &rule)
{
    const auto host = readPattern(r, "host"_L1);
    if (!host)
        return std::unexpected(host.error());
    if (host->endsWith("/*"_L1))
        return std::unexpected(r.error("host"_L1, u"is an exact host name or \"*\""_s));
    rule.selector.host = *host;
    if (rule.kind == AlertKind::Unreachable)
        return {};
    const auto entity = readPattern(r, "entity"_L1);
    if (!entity)
        return std::unexpected(entity.error());
    rule.selector.entity = *entity;
    const auto metric = r.string("metric"_L1, QString());
    if (!metric)
        return std::unexpected(metric.error());
    if (!metricInfo(*metric))
        return std::unexpected(r.error(
            "metric"_L1, metric->isEmpty()
                             ? u"is missing"_s
                             : u"\"%1\" is not one Converge meters"_s.arg(metric->left(80))));
    const bool counts = metric->contains("_errors_"_L1) || metric->contains("_drops_"_L1);
    if (rule.kind == AlertKind::Rising && !counts)
        return std::unexpected(r.error(
            "metric"_L1,
            u"\"%1\" is not an errors or drops metric (a rising rule watches one)"_s.arg(*metric)));
    rule.selector.metric = *metric;
    return {};
}

Result<void> readCondition(const RuleReader &r, AlertRule &rule)
{
    const auto condition = r.string("condition"_L1, u"above"_s);
    if (!condition)
        return std::unexpected(condition.error());
    if (*condition != "above"_L1 && *condition != "below"_L1)
        return std::unexpected(r.error(
            "condition"_L1, u"is \"%1\"; expected above or below"_s.arg(condition->left(40))));
    rule.comparison = *condition == "above"_L1 ? Comparison::Above : Comparison::Below;
    if (!r.has("threshold"_L1))
        return std::unexpected(r.error("threshold"_L1, u"is missing"_s));
    const auto threshold = r.number("threshold"_L1, 0);
    if (!threshold)
        return std::unexpected(threshold.error());
    const auto clear = r.number("clearThreshold"_L1, *threshold);
    if (!clear)
        return std::unexpected(clear.error());
    const bool above = rule.comparison == Comparison::Above;
    if (above ? *clear > *threshold : *clear < *threshold)
        return std::unexpected(
            r.error("clearThreshold"_L1,
                    u"%1 is %2 the threshold %3: the alert would clear while raised"_s.arg(*clear)
                        .arg(above ? u"above"_s : u"below"_s)
                        .arg(*threshold)));
    rule.threshold = *threshold;
    rule.clearThreshold = *clear;
    return {};
}

Result<void> readTimes(const RuleReader &r, AlertRule &rule)
{
    const auto forMs = r.duration("forMs"_L1);
    if (!forMs)
        return std::unexpected(forMs.error());
    if (rule.kind == AlertKind::Unreachable && *forMs == 0)
        return std::unexpected(
            r.error("forMs"_L1, u"must be above 0: how long a host may stay silent"_s));
    const auto clearForMs = r.duration("clearForMs"_L1);
    if (!clearForMs)
        return std::unexpected(clearForMs.error());
    rule.forMs = *forMs;
    rule.clearForMs = *clearForMs;
    return {};
}

QString unitSuffix(const QString &unit)
{
    static const QHash<QString, QString> suffixes = {
        {u"percent"_s, u"%"_s},
        {u"cores"_s, u"cores"_s},
        {u"bytes"_s, u"B"_s},
        {u"bytes_per_second"_s, u"B/s"_s},
        {u"packets_per_second"_s, u"packets/s"_s},
        {u"errors_per_second"_s, u"errors/s"_s},
        {u"operations_per_second"_s, u"operations/s"_s},
    };
    return suffixes.value(unit, unit);
}

// A value as a person reads it: "93.4 %", "12.5 MiB/s"; exact values lose a trailing ".0".
QString formatValue(double value, const QString &metric, bool exact)
{
    const MetricInfo *info = metricInfo(metric);
    QString suffix = info ? unitSuffix(info->unit) : QString();
    if (suffix.startsWith(u'B')) {
        static const std::array prefixes{"", "Ki", "Mi", "Gi", "Ti", "Pi"};
        size_t i = 0;
        while (std::abs(value) >= 1024 && i + 1 < prefixes.size()) {
            value /= 1024;
            ++i;
        }
        suffix.prepend(QLatin1String(prefixes[i]));
    }
    QString text = QString::number(value, 'f', 1);
    if (exact && text.endsWith(".0"_L1))
        text.chop(2);
    return suffix.isEmpty() ? text : text + u' ' + suffix;
}

QString thresholdReason(const AlertRule &rule, double value, bool raising)
{
    const bool above = rule.comparison == Comparison::Above;
    const bool greater = raising == above;
    const double limit = raising ? rule.threshold : rule.clearThreshold;
    const qint64 forMs = raising ? rule.forMs : rule.clearForMs;
    const QString op = greater ? u">"_s : (rule.kind == AlertKind::Rising ? u"="_s : u"<"_s);
    QString reason =
        u"%1 %2 %3 %4"_s.arg(rule.selector.metric, formatValue(value, rule.selector.metric, false),
                             op, formatValue(limit, rule.selector.metric, true));
    if (forMs > 0)
        reason += u" for "_s + formatDuration(forMs);
    return reason;
}

bool raiseHolds(const AlertRule &rule, double v)
{
    return rule.comparison == Comparison::Above ? v > rule.threshold : v < rule.threshold;
}

// Past the clear threshold; a rising rule clears on no errors at all (0 is its threshold).
bool clearHolds(const AlertRule &rule, double v)
{
    if (rule.kind == AlertKind::Rising)
        return v <= 0;
    return rule.comparison == Comparison::Above ? v < rule.clearThreshold : v > rule.clearThreshold;
}

bool isInterface(const QString &entity)
{
    return entity.startsWith("if/"_L1) || entity.startsWith("vnic/"_L1);
}

} // namespace

bool SeriesSelector::matchesHost(const QString &name) const
{
    return host == "*"_L1 || host == name;
}

bool SeriesSelector::matches(const SeriesKey &key) const
{
    if (key.metric != metric || !matchesHost(key.host))
        return false;
    if (entity == "*"_L1 || entity == key.entity)
        return true;
    // "if/*" matches "if/eth0" but not "if/" alone or "iface".
    return entity.endsWith("/*"_L1) && key.entity.size() >= entity.size() &&
           key.entity.startsWith(QStringView(entity).chopped(1));
}

QJsonObject AlertRule::toJson() const
{
    QJsonObject o{{u"id"_s, id},
                  {u"name"_s, name},
                  {u"kind"_s, kindText(kind)},
                  {u"host"_s, selector.host},
                  {u"forMs"_s, forMs}};
    if (kind == AlertKind::Unreachable)
        return o;
    o.insert(u"entity"_s, selector.entity);
    o.insert(u"metric"_s, selector.metric);
    o.insert(u"clearForMs"_s, clearForMs);
    if (kind == AlertKind::Threshold) {
        o.insert(u"condition"_s, comparison == Comparison::Above ? u"above"_s : u"below"_s);
        o.insert(u"threshold"_s, threshold);
        o.insert(u"clearThreshold"_s, clearThreshold);
    }
    return o;
}

Result<AlertRule> AlertRule::fromJson(const QJsonObject &object)
{
    const RuleReader r(object);
    AlertRule rule;
    if (auto ok = readNames(r, object, rule); !ok)
        return std::unexpected(ok.error());
    const auto kind = readKind(r);
    if (!kind)
        return std::unexpected(kind.error());
    rule.kind = *kind;
    const QStringList allowed = allowedKeys(rule.kind);
    for (const QString &key : object.keys()) {
        if (!allowed.contains(key))
            return std::unexpected(
                r.error(key.left(40), u"is not a key of a %1 rule"_s.arg(kindText(rule.kind))));
    }
    for (auto read : {readSelector, readTimes}) {
        if (auto ok = read(r, rule); !ok)
            return std::unexpected(ok.error());
    }
    if (rule.kind == AlertKind::Threshold) {
        if (auto ok = readCondition(r, rule); !ok)
            return std::unexpected(ok.error());
    }
    return rule;
}

QJsonArray alertRulesToJson(const std::vector<AlertRule> &rules)
{
    QJsonArray array;
    for (const AlertRule &rule : rules)
        array.append(rule.toJson());
    return array;
}

Result<std::vector<AlertRule>> alertRulesFromJson(const QJsonArray &array)
{
    if (array.size() > kMaxAlertRules)
        return invalid(
            u"alert rules: %1 rules, at most %2"_s.arg(array.size()).arg(kMaxAlertRules));
    std::vector<AlertRule> rules;
    QSet<QString> ids;
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (!array.at(i).isObject())
            return invalid(u"alert rules[%1]: expected an object"_s.arg(i));
        auto rule = AlertRule::fromJson(array.at(i).toObject());
        if (!rule)
            return invalid(u"alert rules[%1]: %2"_s.arg(i).arg(rule.error().message));
        if (ids.contains(rule->id))
            return invalid(
                u"alert rules[%1]: alert rule \"%2\": \"id\" %3 is already used"_s.arg(i).arg(
                    rule->name, rule->id));
        ids.insert(rule->id);
        rules.push_back(std::move(*rule));
    }
    return rules;
}

QString formatDuration(qint64 ms)
{
    const qint64 s = ms / 1000;
    if (ms % 1000 != 0 || s == 0)
        return u"%1 ms"_s.arg(ms);
    if (s < 120 && s % 60 != 0)
        return u"%1 s"_s.arg(s);
    const qint64 h = s / 3600, min = (s % 3600) / 60, sec = s % 60;
    QStringList parts;
    if (h > 0)
        parts << u"%1 h"_s.arg(h);
    if (min > 0)
        parts << u"%1 min"_s.arg(min);
    if (sec > 0)
        parts << u"%1 s"_s.arg(sec);
    return parts.join(u' ');
}

// ---- evaluation ----

AlertEvaluator::AlertEvaluator(std::vector<AlertRule> rules)
    : m_rules(std::move(rules))
{
}

std::vector<AlertEvent> AlertEvaluator::feed(const SampleBatch &batch, qint64 receivedMs)
{
    std::vector<AlertEvent> events;
    if (m_firstTickMs < 0)
        m_firstTickMs = receivedMs;
    QSet<QString> hosts;
    for (const SeriesSamples &series : batch.series) {
        if (!series.samples.empty())
            hosts.insert(series.key.host);
        feedSeries(series, events);
    }
    for (const QString &host : std::as_const(hosts))
        hearHost(host, receivedMs, events);
    return events;
}

void AlertEvaluator::feedSeries(const SeriesSamples &series, std::vector<AlertEvent> &events)
{
    QString text; // the key's text, made once and only for a series a rule watches
    for (int r = 0; r < int(m_rules.size()); ++r) {
        if (m_rules[size_t(r)].kind == AlertKind::Unreachable ||
            !m_rules[size_t(r)].selector.matches(series.key))
            continue;
        if (text.isEmpty())
            text = series.key.toString();
        const StateKey sk{r, text};
        for (const Sample &sample : series.samples)
            feedSample(sk, series.key, sample, events);
    }
}

// The condition's start is where the sample's span starts: a 5-minute average above 90 % is
// five minutes above 90 %, while a gauge (span 0) starts its wait at its own time.
void AlertEvaluator::feedSample(const StateKey &sk, const SeriesKey &key, const Sample &sample,
                                std::vector<AlertEvent> &events)
{
    const AlertRule &rule = m_rules[size_t(sk.first)];
    auto it = m_states.find(sk);
    if (it != m_states.end()) {
        if (sample.tMs <= it->second.lastMs)
            return; // seen already: a back-fill overlapping what came live
        it->second.lastMs = sample.tMs;
    }
    const bool open = it != m_states.end() && it->second.open;
    if (!(open ? clearHolds(rule, sample.value) : raiseHolds(rule, sample.value))) {
        if (it != m_states.end() && !open)
            m_states.erase(it); // the raise condition broke: wait again from scratch
        else if (open)
            it->second.pendingSinceMs = -1; // not yet past the clear threshold
        return;
    }
    if (it == m_states.end()) {
        if (qsizetype(m_states.size()) >= kMaxTracked) {
            ++m_dropped;
            return;
        }
        it = m_states.emplace(sk, State{-1, sample.tMs, false}).first;
    }
    if (it->second.pendingSinceMs < 0)
        it->second.pendingSinceMs = sample.tMs - std::max(sample.spanMs, 0);
    if (sample.tMs - it->second.pendingSinceMs < (open ? rule.clearForMs : rule.forMs))
        return;
    if (open)
        closeAlert(sk, key, sample, events);
    else
        openAlert(sk, key, sample, events);
}

void AlertEvaluator::openAlert(const StateKey &sk, const SeriesKey &key, const Sample &sample,
                               std::vector<AlertEvent> &events)
{
    const AlertRule &rule = m_rules[size_t(sk.first)];
    State &state = m_states[sk];
    state.open = true;
    state.pendingSinceMs = -1;
    AlertEvent e{AlertEvent::Type::Raised,
                 rule.id,
                 key,
                 sample.value,
                 sample.tMs,
                 thresholdReason(rule, sample.value, true)};
    m_open[sk] = OpenAlert{rule.id, key, sample.tMs, sample.value, e.reason};
    events.push_back(std::move(e));
}

void AlertEvaluator::closeAlert(const StateKey &sk, const SeriesKey &key, const Sample &sample,
                                std::vector<AlertEvent> &events)
{
    const AlertRule &rule = m_rules[size_t(sk.first)];
    m_open.erase(sk);
    m_states.erase(sk);
    events.push_back({AlertEvent::Type::Cleared, rule.id, key, sample.value, sample.tMs,
                      thresholdReason(rule, sample.value, false)});
}

void AlertEvaluator::hearHost(const QString &host, qint64 receivedMs,
                              std::vector<AlertEvent> &events)
{
    for (int r = 0; r < int(m_rules.size()); ++r) {
        const AlertRule &rule = m_rules[size_t(r)];
        if (rule.kind != AlertKind::Unreachable || !rule.selector.matchesHost(host))
            continue;
        const HostKey hk{r, host};
        auto it = m_silences.find(hk);
        if (it == m_silences.end()) {
            if (qsizetype(m_silences.size()) >= kMaxTracked) {
                ++m_dropped;
                continue;
            }
            it = m_silences.emplace(hk, Silence{receivedMs, false}).first;
        }
        if (it->second.open) {
            const qint64 silentMs = receivedMs - it->second.lastHeardMs;
            const StateKey sk{r, SeriesKey{host, {}, {}}.toString()};
            m_open.erase(sk);
            events.push_back({AlertEvent::Type::Cleared, rule.id, SeriesKey{host, {}, {}},
                              double(silentMs) / 1000, receivedMs,
                              u"samples from %1 again after %2"_s.arg(
                                  host, formatDuration(silentMs / 1000 * 1000))});
        }
        it->second = Silence{receivedMs, false};
    }
}

// A rule naming one host watches it from the evaluator's first tick, even if it never sent a
// sample; "*" watches every host that has sent one.
void AlertEvaluator::watchHosts(qint64 nowMs)
{
    if (m_firstTickMs < 0)
        m_firstTickMs = nowMs;
    for (int r = 0; r < int(m_rules.size()); ++r) {
        const AlertRule &rule = m_rules[size_t(r)];
        if (rule.kind == AlertKind::Unreachable && rule.selector.host != "*"_L1)
            m_silences.try_emplace(HostKey{r, rule.selector.host}, Silence{m_firstTickMs, false});
    }
}

// A series that stopped while its raise condition was pending (a deleted interface) would hold
// its state forever; past forMs and a grace period its wait is forgotten.
void AlertEvaluator::forgetStale(qint64 nowMs)
{
    std::erase_if(m_states, [&](const auto &entry) {
        const auto &[sk, state] = entry;
        return !state.open &&
               state.lastMs < nowMs - m_rules[size_t(sk.first)].forMs - kStaleGraceMs;
    });
}

std::vector<AlertEvent> AlertEvaluator::tick(qint64 nowMs)
{
    watchHosts(nowMs);
    forgetStale(nowMs);
    std::vector<AlertEvent> events;
    for (auto &[hk, silence] : m_silences) {
        const AlertRule &rule = m_rules[size_t(hk.first)];
        const qint64 silentMs = nowMs - silence.lastHeardMs;
        if (silence.open || silentMs < rule.forMs)
            continue;
        silence.open = true;
        const SeriesKey key{hk.second, {}, {}};
        AlertEvent e{
            AlertEvent::Type::Raised,
            rule.id,
            key,
            double(silentMs) / 1000,
            nowMs,
            u"no samples from %1 for %2"_s.arg(hk.second, formatDuration(silentMs / 1000 * 1000))};
        m_open[StateKey{hk.first, key.toString()}] =
            OpenAlert{rule.id, key, nowMs, e.value, e.reason};
        events.push_back(std::move(e));
    }
    return events;
}

namespace {

// A map keyed by (rule index, ...) with the indexes of the new rule list; entries of rules that
// are gone are left out.
template<typename Map> Map remapped(Map &map, const std::vector<int> &to)
{
    Map out;
    for (auto &[key, value] : map) {
        if (const int r = to[size_t(key.first)]; r >= 0)
            out.emplace(typename Map::key_type{r, key.second}, std::move(value));
    }
    return out;
}

} // namespace

std::vector<AlertEvent> AlertEvaluator::setRules(std::vector<AlertRule> rules, qint64 nowMs)
{
    std::vector<int> to(m_rules.size(), -1);
    for (size_t i = 0; i < m_rules.size(); ++i) {
        const auto same = std::ranges::find(rules, m_rules[i]);
        if (same != rules.end())
            to[i] = int(same - rules.begin());
    }
    std::vector<AlertEvent> events;
    for (const auto &[sk, alert] : m_open) {
        if (to[size_t(sk.first)] < 0)
            events.push_back({AlertEvent::Type::Cleared, alert.ruleId, alert.key, alert.value,
                              nowMs, u"the rule was removed or changed"_s});
    }
    m_states = remapped(m_states, to);
    m_silences = remapped(m_silences, to);
    m_open = remapped(m_open, to);
    m_rules = std::move(rules);
    return events;
}

std::vector<AlertEvent> AlertEvaluator::forgetHost(const QString &host, qint64 nowMs)
{
    std::vector<AlertEvent> events;
    std::erase_if(m_open, [&](const auto &entry) {
        const OpenAlert &alert = entry.second;
        if (alert.key.host != host)
            return false;
        events.push_back({AlertEvent::Type::Cleared, alert.ruleId, alert.key, alert.value, nowMs,
                          u"%1 is no longer watched"_s.arg(host)});
        return true;
    });
    std::erase_if(m_states,
                  [&](const auto &entry) { return entry.first.second.startsWith(host + u'|'); });
    std::erase_if(m_silences, [&](const auto &entry) { return entry.first.second == host; });
    return events;
}

std::vector<OpenAlert> AlertEvaluator::openAlerts() const
{
    std::vector<OpenAlert> list;
    list.reserve(m_open.size());
    for (const auto &[key, alert] : m_open)
        list.push_back(alert);
    std::ranges::stable_sort(list, {}, &OpenAlert::raisedMs);
    return list;
}

QHash<QString, int> AlertEvaluator::openPerHost() const
{
    QHash<QString, int> counts;
    for (const auto &[key, alert] : m_open)
        ++counts[alert.key.host];
    return counts;
}

std::map<std::pair<QString, QString>, int> AlertEvaluator::openPerInterface() const
{
    std::map<std::pair<QString, QString>, int> counts;
    for (const auto &[key, alert] : m_open) {
        if (isInterface(alert.key.entity))
            ++counts[{alert.key.host, alert.key.entity}];
    }
    return counts;
}

} // namespace converge::core::metering
