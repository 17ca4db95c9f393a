#include "logtext.h"

namespace converge::core {

QString logText(const QString &text, qsizetype maxChars)
{
    const qsizetype kept = std::min(text.size(), std::max<qsizetype>(maxChars, 0));
    QString out;
    out.reserve(kept + 16);
    for (qsizetype i = 0; i < kept; ++i) {
        const QChar c = text[i];
        switch (c.unicode()) {
        case u'\n':
            out += QLatin1String("\\n");
            break;
        case u'\r':
            out += QLatin1String("\\r");
            break;
        case u'\t':
            out += QLatin1String("\\t");
            break;
        case u'\0':
            out += QLatin1String("\\0");
            break;
        case u'\\':
            out += QLatin1String("\\\\");
            break;
        default:
            // C0 and C1 controls, and the line and paragraph separators some viewers break on.
            if (c.unicode() < 0x20 || (c.unicode() >= 0x7f && c.unicode() < 0xa0) ||
                c.unicode() == 0x2028 || c.unicode() == 0x2029)
                out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
            else
                out += c;
        }
    }
    if (kept < text.size())
        out += QStringLiteral("... (%1 more)").arg(text.size() - kept);
    return out;
}

} // namespace converge::core
