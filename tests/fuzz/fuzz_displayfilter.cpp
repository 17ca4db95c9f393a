// DisplayFilter::compile on arbitrary text (issue 16, "Views": the display filter), and each
// filter that compiles run on the dissector fixtures' summaries, with their frames and without.
// Checked: an error says the column, inside the text (or just after it); a compiled filter keeps
// its text, and its negation, when that compiles, shows exactly the packets it hides.
#include "fuzzchecks.h"

#include "captureframes.h"
#include "collectors/capture/displayfilter.h"

#include <QRegularExpression>

using namespace converge;
using namespace converge::collectors;
using fuzz::require;

namespace {

struct Packet
{
    QByteArray frame;
    PacketSummary summary;
};

const std::vector<Packet> &packets()
{
    static const std::vector<Packet> all = [] {
        std::vector<Packet> out;
        for (const capturetest::Fixture &f : capturetest::fixtures())
            out.push_back({f.frame, dissectSummary(std::span(
                                        reinterpret_cast<const quint8 *>(f.frame.constData()),
                                        size_t(f.frame.size())))});
        return out;
    }();
    return all;
}

std::span<const quint8> bytes(const QByteArray &b)
{
    return {reinterpret_cast<const quint8 *>(b.constData()), size_t(b.size())};
}

void checkError(const QString &text, const QString &message)
{
    static const QRegularExpression column(QStringLiteral("^column (\\d+): \\S"));
    const auto match = column.match(message);
    require(match.hasMatch(), "an error starts with its column", message);
    const qint64 at = match.captured(1).toLongLong();
    require(at >= 1 && at <= qint64(text.size()) + 1, "the column is inside the text",
            message + QStringLiteral(" / %1 characters").arg(text.size()));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(fuzz::bytesOf(data, size));
    const auto filter = DisplayFilter::compile(text);
    if (!filter) {
        checkError(text, filter.error().message);
        return 0;
    }
    require(filter->text() == text, "a filter keeps its text");
    const auto negated = DisplayFilter::compile(QStringLiteral("!(") + text + QLatin1Char(')'));
    for (const Packet &p : packets()) {
        const bool shown = filter->matches(p.summary, bytes(p.frame));
        (void)filter->matches(p.summary, {});
        if (negated && !filter->isEmpty())
            require(negated->matches(p.summary, bytes(p.frame)) == !shown,
                    "the negation shows what the filter hides", text);
    }
    return 0;
}
