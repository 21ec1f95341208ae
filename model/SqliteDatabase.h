#pragma once

#include <QByteArray>
#include <QString>

#include <atomic>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace chainsight {

// Thrown inside the store only; every public Workspace call catches it and returns an error value.
class SqliteError final : public std::runtime_error
{
public:
    SqliteError(int code, const QString &message);
    int code() const { return m_code; }
    QString message() const { return m_message; }

private:
    int m_code;
    QString m_message;
};

class SqliteDatabase final
{
public:
    enum class OpenMode { ReadOnly, ReadWrite, ReadWriteCreate };

    // nullptr with *error set when the file cannot be opened in that mode.
    static std::unique_ptr<SqliteDatabase> open(const QString &path, OpenMode mode, QString *error);
    static std::unique_ptr<SqliteDatabase> openInMemory();

    ~SqliteDatabase();
    SqliteDatabase(const SqliteDatabase &) = delete;
    SqliteDatabase &operator=(const SqliteDatabase &) = delete;

    // Runs statements that take no values (schema, pragmas); throws SqliteError on failure.
    void execute(std::string_view sql);
    // Single integer of a pragma or aggregate query.
    qint64 queryInt64(std::string_view sql);
    QString queryText(std::string_view sql);

    qint64 lastInsertRowId() const;
    int changes() const;
    QString lastErrorMessage() const;

    // While set, long statements stop with SQLITE_INTERRUPT once *flag turns true.
    void setCancelFlag(const std::atomic_bool *flag);

    sqlite3 *handle() const { return m_db; }

private:
    explicit SqliteDatabase(sqlite3 *db);
    sqlite3 *m_db = nullptr;
    const std::atomic_bool *m_cancel = nullptr;
};

// A prepared statement; every value is bound, never spliced into SQL text.
class SqliteStatement final
{
public:
    SqliteStatement(SqliteDatabase &db, std::string_view sql);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    // Parameters are 1-based, as in SQLite.
    SqliteStatement &bind(int index, qint64 value);
    SqliteStatement &bind(int index, int value) { return bind(index, static_cast<qint64>(value)); }
    SqliteStatement &bind(int index, double value);
    SqliteStatement &bind(int index, const QString &value); // null QString binds NULL
    SqliteStatement &bindText(int index, std::string_view utf8);
    // No copy: the bytes must stay valid until the next step() or reset(). For bulk inserts.
    SqliteStatement &bindTextUntilStep(int index, std::string_view utf8);
    SqliteStatement &bindBlob(int index, QByteArrayView bytes);
    SqliteStatement &bindNull(int index);
    template<typename T>
    SqliteStatement &bind(int index, const std::optional<T> &value)
    {
        return value ? bind(index, *value) : bindNull(index);
    }

    // True while a row is available; throws SqliteError on failure.
    bool step();
    // For statements that return no rows.
    void run();
    // Ready to step again; bindings are cleared too.
    void reset();
    // Ready to step again, keeping the bindings: for bulk inserts that rebind every parameter.
    void rewind();

    bool isNull(int column) const;
    qint64 int64(int column) const;
    double real(int column) const;
    QString text(int column) const;
    // The column's UTF-8 bytes without a copy; valid until the next step, reset or column call.
    std::string_view textUtf8(int column) const;
    QByteArray blob(int column) const;
    // The column's bytes without a copy; valid until the next step, reset or column call.
    QByteArrayView blobView(int column) const;
    std::optional<qint64> optionalInt64(int column) const;

private:
    SqliteDatabase &m_db;
    sqlite3_stmt *m_statement = nullptr;
};

// BEGIN IMMEDIATE on construction; rolls back unless commit() was called.
class SqliteTransaction final
{
public:
    explicit SqliteTransaction(SqliteDatabase &db);
    ~SqliteTransaction();
    SqliteTransaction(const SqliteTransaction &) = delete;
    SqliteTransaction &operator=(const SqliteTransaction &) = delete;

    void commit();

private:
    SqliteDatabase &m_db;
    bool m_open = true;
};

// Escapes %, _ and the escape character itself for `LIKE ? ESCAPE '\'`.
QString escapeLikePattern(const QString &text);

} // namespace chainsight
