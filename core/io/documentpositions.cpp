#include "documentpositions.h"

#include "../model/schema.h"

#include <optional>
#include <vector>

namespace converge::core::designdocument {

namespace {

// What a container is to load(): the root, an element, an array of elements, or anything else
// (a property's value, which the scan only steps over).
enum class Role { Other, Root, Element, Collection };

struct Frame
{
    Role role = Role::Other;
    bool object = false;
    std::optional<ElementKind> kind; // Element: its kind; Collection: its items' kind
    bool expectKey = false;          // objects: the next string is a member name
    QString key;                     // Root and Element: the member being read
    TextPosition start;              // Element: where its '{' is
    QString id;                      // Element: its "id" once read
};

// The element kind whose collection `key` is under an owner of `owner` (nullopt: top level).
std::optional<ElementKind> collectionKind(std::optional<ElementKind> owner, const QString &key)
{
    for (ElementKind kind : childKinds(owner))
        if (kindSpec(kind).collection == key)
            return kind;
    return std::nullopt;
}

int hexDigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char16_t unicodeEscape(QByteArrayView hex)
{
    int code = 0;
    for (const char c : hex)
        code = code * 16 + std::max(hexDigit(c), 0);
    return char16_t(code);
}

// A JSON string's value from the text between its quotes. \uXXXX escapes append UTF-16 code
// units, so a surrogate pair written as two escapes becomes one character, as in Qt's parser.
QString decode(QByteArrayView raw)
{
    if (!raw.contains('\\'))
        return QString::fromUtf8(raw);
    QString out;
    qsizetype run = 0;
    for (qsizetype i = 0; i < raw.size(); ++i) {
        if (raw[i] != '\\')
            continue;
        out += QString::fromUtf8(raw.sliced(run, i - run));
        const char e = i + 1 < raw.size() ? raw[i + 1] : '\\';
        static constexpr std::string_view from = "bfnrt", to = "\b\f\n\r\t";
        if (e == 'u' && i + 5 < raw.size()) {
            out += QChar(unicodeEscape(raw.sliced(i + 2, 4)));
            i += 5;
        } else {
            const auto k = from.find(e);
            out += QLatin1Char(k == std::string_view::npos ? e : to[k]);
            ++i;
        }
        run = i + 1;
    }
    return out + QString::fromUtf8(raw.sliced(run));
}

class Scanner
{
public:
    explicit Scanner(const QByteArray &json)
        : m_text(json)
    {
    }
    QHash<QString, TextPosition> run();

private:
    void lineEnd(qsizetype at);
    qsizetype string(qsizetype open);
    void openObject(qsizetype at);
    void openArray();
    void close();
    TextPosition positionOf(qsizetype at) const;

    QByteArrayView m_text;
    std::vector<Frame> m_stack;
    QHash<QString, TextPosition> m_positions;
    int m_line = 1;
    qsizetype m_lineStart = 0;
};

QHash<QString, TextPosition> Scanner::run()
{
    for (qsizetype i = 0; i < m_text.size(); ++i) {
        switch (m_text[i]) {
        case '\n':
        case '\r':
            lineEnd(i);
            break;
        case '"':
            i = string(i);
            break;
        case '{':
            openObject(i);
            break;
        case '[':
            openArray();
            break;
        case '}':
        case ']':
            close();
            break;
        case ',':
            if (!m_stack.empty() && m_stack.back().object)
                m_stack.back().expectKey = true;
            break;
        default:
            break;
        }
    }
    return std::move(m_positions);
}

// CR LF is one line end: the CR waits for its LF.
void Scanner::lineEnd(qsizetype at)
{
    if (m_text[at] == '\r' && at + 1 < m_text.size() && m_text[at + 1] == '\n')
        return;
    ++m_line;
    m_lineStart = at + 1;
}

// Steps over the string opening at `open` and returns the index of its closing quote. Decodes
// only what locates elements: member names of the root and of elements, and elements' ids.
qsizetype Scanner::string(qsizetype open)
{
    qsizetype close = open + 1;
    for (; close < m_text.size() && m_text[close] != '"'; ++close) {
        if (m_text[close] == '\\')
            ++close;
        else if (m_text[close] == '\n' || m_text[close] == '\r')
            lineEnd(close); // not strict JSON, but Qt's parser accepts it: still a line
    }
    if (m_stack.empty() || !m_stack.back().object)
        return close;
    Frame &top = m_stack.back();
    const QByteArrayView raw = m_text.sliced(open + 1, std::min(close, m_text.size()) - open - 1);
    if (top.expectKey) {
        top.expectKey = false;
        if (top.role != Role::Other)
            top.key = decode(raw);
    } else if (top.role == Role::Element && top.key == QLatin1String("id")) {
        top.id = decode(raw); // a repeated "id" member: the last one counts, as in Qt's parser
    }
    return close;
}

void Scanner::openObject(qsizetype at)
{
    Frame f;
    f.object = true;
    f.expectKey = true;
    if (m_stack.empty()) {
        f.role = Role::Root;
    } else if (m_stack.back().role == Role::Collection) {
        f.role = Role::Element;
        f.kind = m_stack.back().kind;
        f.start = positionOf(at);
    }
    m_stack.push_back(std::move(f));
}

void Scanner::openArray()
{
    Frame f;
    if (!m_stack.empty()) {
        const Frame &owner = m_stack.back();
        if (owner.role == Role::Root || owner.role == Role::Element) {
            f.kind = collectionKind(owner.kind, owner.key);
            f.role = f.kind ? Role::Collection : Role::Other;
        }
    }
    m_stack.push_back(std::move(f));
}

void Scanner::close()
{
    if (m_stack.empty())
        return;
    Frame &f = m_stack.back();
    // A duplicate id fails load(); the first counts here.
    if (f.role == Role::Element && !f.id.isEmpty() && !m_positions.contains(f.id))
        m_positions.insert(f.id, f.start);
    m_stack.pop_back();
}

TextPosition Scanner::positionOf(qsizetype at) const
{
    int column = 1;
    for (const char c : m_text.sliced(m_lineStart, at - m_lineStart)) {
        const auto b = static_cast<unsigned char>(c);
        column += (b & 0xC0) != 0x80; // one per UTF-8 lead byte...
        column += b >= 0xF0;          // ...and two for a 4-byte one (a UTF-16 surrogate pair)
    }
    return {m_line, column};
}

} // namespace

QHash<QString, TextPosition> elementPositions(const QByteArray &json)
{
    return Scanner(json).run();
}

} // namespace converge::core::designdocument
