// Strings from outside in a log line (core/util/logtext.h): nothing a peer sends can end a line,
// forge one, or write megabytes.
#include "core/util/logtext.h"

#include <gtest/gtest.h>

using converge::core::logText;

TEST(LogText, ControlCharactersAreEscapedSoNoLineCanBeForged)
{
    const QString forged =
        QStringLiteral("br0\n2026-12-07T10:00:00Z converged: transaction 42 confirmed");
    const QString line = logText(forged);
    EXPECT_FALSE(line.contains(u'\n'));
    EXPECT_EQ(line,
              QStringLiteral("br0\\n2026-12-07T10:00:00Z converged: transaction 42 confirmed"));
    EXPECT_EQ(logText(QStringLiteral("a\rb\tc")), QStringLiteral("a\\rb\\tc"));
    EXPECT_EQ(logText(QString(QStringLiteral("a")) + QChar(u'\0') + QStringLiteral("b")),
              QStringLiteral("a\\0b"));
    EXPECT_EQ(logText(QString(QChar(0x1b)) + QStringLiteral("[2J")), QStringLiteral("\\x1b[2J"));
    EXPECT_EQ(logText(QString(QChar(0x2028))), QStringLiteral("\\x2028"));
    // A backslash is doubled, so an escape in the log is never what the peer typed.
    EXPECT_EQ(logText(QStringLiteral("a\\nb")), QStringLiteral("a\\\\nb"));
    EXPECT_EQ(logText(QStringLiteral("plain name é")), QStringLiteral("plain name é"));
}

TEST(LogText, LongTextIsCappedAndCounted)
{
    const QString big(8 * 1024 * 1024, u'x');
    const QString line = logText(big, 200);
    EXPECT_LT(line.size(), 240);
    EXPECT_TRUE(line.endsWith(QStringLiteral("... (8388408 more)")))
        << line.right(30).toStdString();
    EXPECT_EQ(logText(QStringLiteral("short"), 200), QStringLiteral("short"));
}
