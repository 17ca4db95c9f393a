#include "projectstore.h"

#include "statement.h"

#include "../model/schema.h"

#include <QJsonDocument>

// The design and its edit history: the meta, elements and history tables.

namespace converge::core {

using sql::compact;
using sql::Statement;

Result<void> ProjectStore::writeInfo(const QJsonObject &info)
{
    Statement put(m_db.get(), "INSERT OR REPLACE INTO meta(key, value) VALUES('designInfo', ?1)");
    put.bind(1, compact(info));
    if (put.step() != SQLITE_DONE)
        return sqlError(QStringLiteral("write design information"));
    return {};
}

Result<void> ProjectStore::appendHistory(const QString &description, const QByteArray &edit,
                                         const QString &author)
{
    Statement put(m_db.get(),
                  "INSERT INTO history(at, author, description, edit) VALUES(?1, ?2, ?3, ?4)");
    put.bind(1, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    put.bind(2, author);
    put.bind(3, description);
    put.bind(4, edit);
    if (put.step() != SQLITE_DONE)
        return sqlError(QStringLiteral("append history"));
    return {};
}

Result<void> ProjectStore::applyOp(const Op &op)
{
    if (op.type == Op::Type::Add) {
        Statement put(
            m_db.get(),
            "INSERT INTO elements(id, seq, kind, parent, props) VALUES(?1, ?2, ?3, ?4, ?5)");
        put.bind(1, op.element.id);
        put.bind(2, op.element.seq);
        put.bind(3, kindName(op.element.kind));
        put.bind(4, op.element.parent);
        put.bind(5, compact(op.element.props));
        return put.step() == SQLITE_DONE ? Result<void>{} : sqlError(QStringLiteral("add element"));
    }
    if (op.type == Op::Type::Remove) {
        Statement del(m_db.get(), "DELETE FROM elements WHERE id = ?1");
        del.bind(1, op.element.id);
        return del.step() == SQLITE_DONE ? Result<void>{}
                                         : sqlError(QStringLiteral("remove element"));
    }
    return applySet(op);
}

// A Set op: one key of an element's properties, or of the design's information (an empty id).
Result<void> ProjectStore::applySet(const Op &op)
{
    const bool isInfo = op.id.isEmpty();
    Statement get(m_db.get(), isInfo ? "SELECT value FROM meta WHERE key = 'designInfo'"
                                     : "SELECT props FROM elements WHERE id = ?1");
    if (!isInfo)
        get.bind(1, op.id);
    if (get.step() != SQLITE_ROW)
        return fail(Error::Code::NotFound, QStringLiteral("%1: no element %2").arg(m_path, op.id));
    QJsonObject props = QJsonDocument::fromJson(get.bytes(0)).object();
    if (op.after.isUndefined())
        props.remove(op.key);
    else
        props.insert(op.key, op.after);
    if (isInfo)
        return writeInfo(props);
    Statement put(m_db.get(), "UPDATE elements SET props = ?2 WHERE id = ?1");
    put.bind(1, op.id);
    put.bind(2, compact(props));
    return put.step() == SQLITE_DONE ? Result<void>{} : sqlError(QStringLiteral("update element"));
}

Result<void> ProjectStore::recordEdit(const Edit &edit, const QString &author)
{
    return inTransaction([&]() -> Result<void> {
        for (const Op &op : edit.ops)
            if (auto ok = applyOp(op); !ok)
                return ok;
        return appendHistory(edit.description, compact(edit.toJson()), author);
    });
}

Result<void> ProjectStore::replaceDesign(const Design &design, const QString &description)
{
    return inTransaction([&]() -> Result<void> {
        if (auto ok = exec("DELETE FROM elements"); !ok)
            return ok;
        if (auto ok = writeInfo(design.info()); !ok)
            return ok;
        for (const Element *e : design.allElements())
            if (auto ok = applyOp({Op::Type::Add, *e, {}, {}, {}, {}}); !ok)
                return ok;
        const QJsonObject record{{QStringLiteral("description"), description},
                                 {QStringLiteral("replace"), true},
                                 {QStringLiteral("elements"), double(design.size())}};
        return appendHistory(description, compact(record), {});
    });
}

Result<Design> ProjectStore::loadDesign() const
{
    Design design;
    Statement info(m_db.get(), "SELECT value FROM meta WHERE key = 'designInfo'");
    if (info.step() == SQLITE_ROW)
        design.setInfo(QJsonDocument::fromJson(info.bytes(0)).object());
    Statement rows(m_db.get(), "SELECT id, seq, kind, parent, props FROM elements ORDER BY seq");
    if (!rows.ok())
        return sqlError(QStringLiteral("read elements"));
    int rc;
    while ((rc = rows.step()) == SQLITE_ROW) {
        const auto kind = kindFromName(rows.text(2));
        QJsonParseError parseError;
        const QJsonDocument props = QJsonDocument::fromJson(rows.bytes(4), &parseError);
        if (!kind || !props.isObject())
            return fail(Error::Code::Store,
                        QStringLiteral("%1: element %2 is damaged").arg(m_path, rows.text(0)));
        design.insert(Element{rows.text(0), *kind, rows.text(3), rows.int64(1), props.object()});
    }
    if (rc != SQLITE_DONE)
        return sqlError(QStringLiteral("read elements"));
    return design;
}

Result<std::vector<HistoryEntry>> ProjectStore::history() const
{
    std::vector<HistoryEntry> out;
    Statement rows(m_db.get(),
                   "SELECT seq, at, author, description, edit FROM history ORDER BY seq");
    while (rows.step() == SQLITE_ROW) {
        HistoryEntry h{rows.int64(0),
                       QDateTime::fromString(rows.text(1), Qt::ISODateWithMs),
                       rows.text(2),
                       rows.text(3),
                       {}};
        if (auto edit = Edit::fromJson(QJsonDocument::fromJson(rows.bytes(4)).object()))
            h.edit = *edit;
        out.push_back(std::move(h));
    }
    return out;
}

} // namespace converge::core
