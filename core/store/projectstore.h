#pragma once

#include "../model/design.h"

#include <QDateTime>

#include <functional>
#include <memory>

struct sqlite3;

namespace converge::core {

struct HistoryEntry
{
    qint64 seq = 0;
    QDateTime at;
    QString author;
    QString description;
    Edit edit;
};

// The project store: one SQLite file (WAL) holding a design and its edit history. Every
// recorded edit is one transaction that updates the elements and appends to the history, so a
// killed process loses at most the edit it was writing.
class ProjectStore
{
public:
    static constexpr auto fileSuffix = ".converge.db";
    static constexpr int currentStoreVersion = 1;

    // Creates a new store holding `design`; refuses to overwrite an existing file.
    static Result<ProjectStore> create(const QString &path, const Design &design);
    static Result<ProjectStore> open(const QString &path);

    ProjectStore(ProjectStore &&) noexcept;
    ProjectStore &operator=(ProjectStore &&) noexcept;
    ~ProjectStore();

    const QString &path() const { return m_path; }
    Result<Design> loadDesign() const;
    // Records an edit the caller has applied to its design (or its inverse, for an undo).
    Result<void> recordEdit(const Edit &edit, const QString &author = {});
    // Replaces the whole design (import), recorded in history as one entry.
    Result<void> replaceDesign(const Design &design, const QString &description);
    Result<std::vector<HistoryEntry>> history() const;

private:
    explicit ProjectStore(QString path);
    Result<void> exec(const char *sql) const;
    Result<void> migrate();
    Result<void> applyOp(const Op &op);
    Result<void> writeInfo(const QJsonObject &info);
    Result<void> appendHistory(const QString &description, const QByteArray &edit,
                               const QString &author);
    Result<void> inTransaction(const std::function<Result<void>()> &work);
    std::unexpected<Error> sqlError(const QString &what) const;

    QString m_path;
    struct Closer
    {
        void operator()(sqlite3 *db) const;
    };
    std::unique_ptr<sqlite3, Closer> m_db;
};

} // namespace converge::core
