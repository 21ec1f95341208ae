#include "SqliteDatabase.h"

#include <QFile>
#include <QFileInfo>

#include <sqlite3.h>

#include <cerrno>
#include <cstring>

namespace chainsight {
namespace {

QString fromUtf8(const char *text)
{
    return text ? QString::fromUtf8(text) : QString();
}

// SQLite's own words, preceded for storage failures by what the user can act on (disk full, read-only, ...).
// SQLite does not always keep the OS error of a failed write, so callers pass errno as it was right after the call.
QString describeFailure(sqlite3 *db, int code, const QString &sqliteMessage, int errnoAfterCall)
{
    const int primary = code & 0xff;
    const bool storage = primary == SQLITE_IOERR || primary == SQLITE_FULL || primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY;
    const int recorded = db ? sqlite3_system_errno(db) : 0;
    const int osError = !storage ? 0 : recorded != 0 ? recorded : primary == SQLITE_CANTOPEN ? 0 : errnoAfterCall;
    QString plain;
    if (primary == SQLITE_FULL || osError == ENOSPC || osError == EDQUOT)
        plain = QStringLiteral("the disk is full");
    else if (osError == EFBIG)
        plain = QStringLiteral("the file would grow past this system's file size limit");
    else if (primary == SQLITE_READONLY || osError == EROFS)
        plain = QStringLiteral("the workspace is read-only: no permission to write it or its folder, or a read-only file system");
    else if ((primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN) && (osError == EACCES || osError == EPERM))
        plain = QStringLiteral("no permission to write the workspace or its folder");
    else if (primary == SQLITE_IOERR && osError != 0)
        plain = QStringLiteral("the disk could not be written: %1").arg(fromUtf8(std::strerror(osError)));
    return plain.isEmpty() ? sqliteMessage : plain + QStringLiteral("; SQLite: ") + sqliteMessage;
}

[[noreturn]] void fail(sqlite3 *db, int code, int errnoAfterCall)
{
    throw SqliteError(code, describeFailure(db, code, db ? fromUtf8(sqlite3_errmsg(db)) : fromUtf8(sqlite3_errstr(code)), errnoAfterCall));
}

// A workspace may come from someone else: no schema code with side effects, no writes that bypass SQLite's checks.
void harden(sqlite3 *db)
{
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
}

// Before the library's first use: no memory statistics, whose one global mutex every allocation of every
// connection takes (the analysis runs two connections on two cores and they queued on it).
void configureLibraryOnce()
{
    static const bool configured = [] {
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); // refused (harmlessly) if something initialised SQLite first
        return true;
    }();
    Q_UNUSED(configured);
}

sqlite3 *openConnection(const QByteArray &uri, int flags, int *rc)
{
    configureLibraryOnce();
    sqlite3 *db = nullptr;
    *rc = sqlite3_open_v2(uri.constData(), &db, flags, nullptr);
    if (db) {
        sqlite3_extended_result_codes(db, 1);
        harden(db);
    }
    return db;
}

int cancelProgressHandler(void *flag)
{
    return static_cast<const std::atomic_bool *>(flag)->load(std::memory_order_relaxed) ? 1 : 0;
}

} // namespace

SqliteError::SqliteError(int code, const QString &message)
    : std::runtime_error(message.toStdString())
    , m_code(code)
    , m_message(message)
{
}

SqliteDatabase::SqliteDatabase(sqlite3 *db)
    : m_db(db)
{
}

SqliteDatabase::~SqliteDatabase()
{
    sqlite3_close_v2(m_db);
}

std::unique_ptr<SqliteDatabase> SqliteDatabase::open(const QString &path, OpenMode mode, QString *error)
{
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
    switch (mode) {
    case OpenMode::ReadOnly:
        flags |= SQLITE_OPEN_READONLY;
        break;
    case OpenMode::ReadWrite:
        flags |= SQLITE_OPEN_READWRITE;
        break;
    case OpenMode::ReadWriteCreate:
        flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
        break;
    }
    // A file: URI keeps '?' and '#' in user paths from being read as URI syntax.
    const QByteArray uri = QByteArrayLiteral("file:") + QFile::encodeName(path).toPercentEncoding("/");
    int rc = SQLITE_OK;
    sqlite3 *db = openConnection(uri, flags, &rc);
    int errnoAfterOpen = errno;
    if (rc == SQLITE_OK && mode == OpenMode::ReadOnly && path != QLatin1String(":memory:")) {
        // A WAL workspace in a folder this user cannot write has no shared-memory file to read through. With no
        // pending write-ahead log the file alone is the whole workspace, and is read as immutable.
        const int probe = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr) & 0xff;
        if (probe == SQLITE_READONLY || probe == SQLITE_CANTOPEN) {
            const QFileInfo wal(path + QStringLiteral("-wal"));
            if (!wal.exists() || wal.size() == 0) {
                sqlite3_close_v2(db);
                db = openConnection(uri + "?immutable=1", flags, &rc);
                errnoAfterOpen = errno;
            } else {
                sqlite3_close_v2(db);
                if (error) {
                    *error = QStringLiteral("its folder is read-only and %1 holds changes that can only be read from a writable "
                                            "folder; copy both files to one").arg(wal.fileName());
                }
                return nullptr;
            }
        }
    }
    if (rc != SQLITE_OK) {
        if (error)
            *error = describeFailure(db, rc, db ? fromUtf8(sqlite3_errmsg(db)) : fromUtf8(sqlite3_errstr(rc)), errnoAfterOpen);
        sqlite3_close_v2(db);
        return nullptr;
    }
    sqlite3_busy_timeout(db, 5000);
    return std::unique_ptr<SqliteDatabase>(new SqliteDatabase(db));
}

std::unique_ptr<SqliteDatabase> SqliteDatabase::openInMemory()
{
    QString error;
    auto db = open(QStringLiteral(":memory:"), OpenMode::ReadWriteCreate, &error);
    if (!db)
        throw SqliteError(SQLITE_CANTOPEN, error);
    return db;
}

void SqliteDatabase::execute(std::string_view sql)
{
    const std::string text(sql);
    char *message = nullptr;
    const int rc = sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        const int errnoAfterCall = errno;
        const QString reason = describeFailure(m_db, rc, message ? fromUtf8(message) : fromUtf8(sqlite3_errstr(rc)), errnoAfterCall);
        sqlite3_free(message);
        throw SqliteError(rc, reason);
    }
}

qint64 SqliteDatabase::queryInt64(std::string_view sql)
{
    SqliteStatement statement(*this, sql);
    return statement.step() ? statement.int64(0) : 0;
}

QString SqliteDatabase::queryText(std::string_view sql)
{
    SqliteStatement statement(*this, sql);
    return statement.step() ? statement.text(0) : QString();
}

qint64 SqliteDatabase::lastInsertRowId() const
{
    return sqlite3_last_insert_rowid(m_db);
}

int SqliteDatabase::changes() const
{
    return sqlite3_changes(m_db);
}

QString SqliteDatabase::lastErrorMessage() const
{
    return fromUtf8(sqlite3_errmsg(m_db));
}

void SqliteDatabase::setCancelFlag(const std::atomic_bool *flag)
{
    m_cancel = flag;
    if (flag)
        sqlite3_progress_handler(m_db, 10000, &cancelProgressHandler, const_cast<std::atomic_bool *>(flag));
    else
        sqlite3_progress_handler(m_db, 0, nullptr, nullptr);
}

SqliteStatement::SqliteStatement(SqliteDatabase &db, std::string_view sql)
    : m_db(db)
{
    const int rc = sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &m_statement, nullptr);
    if (rc != SQLITE_OK)
        fail(db.handle(), rc, errno);
}

SqliteStatement::~SqliteStatement()
{
    sqlite3_finalize(m_statement);
}

SqliteStatement &SqliteStatement::bind(int index, qint64 value)
{
    const int rc = sqlite3_bind_int64(m_statement, index, value);
    if (rc != SQLITE_OK)
        fail(m_db.handle(), rc, errno);
    return *this;
}

SqliteStatement &SqliteStatement::bind(int index, double value)
{
    const int rc = sqlite3_bind_double(m_statement, index, value);
    if (rc != SQLITE_OK)
        fail(m_db.handle(), rc, errno);
    return *this;
}

SqliteStatement &SqliteStatement::bind(int index, const QString &value)
{
    if (value.isNull())
        return bindNull(index);
    const QByteArray utf8 = value.toUtf8();
    return bindText(index, std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size())));
}

SqliteStatement &SqliteStatement::bindText(int index, std::string_view utf8)
{
    const int rc = sqlite3_bind_text64(m_statement, index, utf8.data(), utf8.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (rc != SQLITE_OK)
        fail(m_db.handle(), rc, errno);
    return *this;
}

SqliteStatement &SqliteStatement::bindTextUntilStep(int index, std::string_view utf8)
{
    const int rc = sqlite3_bind_text64(m_statement, index, utf8.data(), utf8.size(), SQLITE_STATIC, SQLITE_UTF8);
    if (rc != SQLITE_OK)
        fail(m_db.handle(), rc, errno);
    return *this;
}

SqliteStatement &SqliteStatement::bindBlob(int index, QByteArrayView bytes)
{
    const int rc = sqlite3_bind_blob64(m_statement, index, bytes.data(), static_cast<sqlite3_uint64>(bytes.size()),
                                       SQLITE_TRANSIENT);
    if (rc != SQLITE_OK)
        fail(m_db.handle(), rc, errno);
    return *this;
}

SqliteStatement &SqliteStatement::bindNull(int index)
{
    const int rc = sqlite3_bind_null(m_statement, index);
    if (rc != SQLITE_OK)
        fail(m_db.handle(), rc, errno);
    return *this;
}

bool SqliteStatement::step()
{
    const int rc = sqlite3_step(m_statement);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    const int errnoAfterCall = errno;
    const QString message = describeFailure(m_db.handle(), rc, fromUtf8(sqlite3_errmsg(m_db.handle())), errnoAfterCall);
    sqlite3_reset(m_statement);
    throw SqliteError(rc, message);
}

void SqliteStatement::run()
{
    while (step()) {
    }
    reset();
}

void SqliteStatement::reset()
{
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
}

void SqliteStatement::rewind()
{
    sqlite3_reset(m_statement);
}

bool SqliteStatement::isNull(int column) const
{
    return sqlite3_column_type(m_statement, column) == SQLITE_NULL;
}

qint64 SqliteStatement::int64(int column) const
{
    return sqlite3_column_int64(m_statement, column);
}

double SqliteStatement::real(int column) const
{
    return sqlite3_column_double(m_statement, column);
}

QString SqliteStatement::text(int column) const
{
    const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_statement, column));
    if (!data)
        return QString();
    return QString::fromUtf8(data, sqlite3_column_bytes(m_statement, column));
}

std::string_view SqliteStatement::textUtf8(int column) const
{
    const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_statement, column));
    if (!data)
        return {};
    return {data, static_cast<std::size_t>(sqlite3_column_bytes(m_statement, column))};
}

QByteArray SqliteStatement::blob(int column) const
{
    const void *data = sqlite3_column_blob(m_statement, column);
    const int size = sqlite3_column_bytes(m_statement, column);
    return data ? QByteArray(static_cast<const char *>(data), size) : QByteArray();
}

QByteArrayView SqliteStatement::blobView(int column) const
{
    const void *data = sqlite3_column_blob(m_statement, column);
    const int size = sqlite3_column_bytes(m_statement, column);
    return data ? QByteArrayView(static_cast<const char *>(data), size) : QByteArrayView();
}

std::optional<qint64> SqliteStatement::optionalInt64(int column) const
{
    if (isNull(column))
        return std::nullopt;
    return int64(column);
}

SqliteTransaction::SqliteTransaction(SqliteDatabase &db)
    : m_db(db)
{
    m_db.execute("BEGIN IMMEDIATE");
}

SqliteTransaction::~SqliteTransaction()
{
    if (m_open) {
        try {
            m_db.execute("ROLLBACK");
        } catch (const SqliteError &) {
            // SQLite may already have rolled back on its own (e.g. after SQLITE_FULL); nothing left to undo.
        }
    }
}

void SqliteTransaction::commit()
{
    m_db.execute("COMMIT");
    m_open = false;
}

QString escapeLikePattern(const QString &text)
{
    QString escaped;
    escaped.reserve(text.size());
    for (const QChar c : text) {
        if (c == QLatin1Char('\\') || c == QLatin1Char('%') || c == QLatin1Char('_'))
            escaped += QLatin1Char('\\');
        escaped += c;
    }
    return escaped;
}

} // namespace chainsight
