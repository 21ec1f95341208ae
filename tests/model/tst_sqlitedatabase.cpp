#include "SqliteDatabase.h"

#include <QTest>

using namespace chainsight;

class TestSqliteDatabase : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void bindsEveryValueKind()
    {
        auto db = SqliteDatabase::openInMemory();
        db->execute("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)");
        SqliteStatement insert(*db, "INSERT INTO t VALUES (?, ?, ?, ?, ?)");
        insert.bind(1, qint64(9007199254740993))
            .bind(2, 2.5)
            .bind(3, QStringLiteral("O'Brien \"quoted\"; DROP TABLE t; --"))
            .bindBlob(4, QByteArrayView("\0\1\2", 3))
            .bind(5, QString());
        insert.run();
        SqliteStatement select(*db, "SELECT i, r, s, b, n FROM t");
        QVERIFY(select.step());
        QCOMPARE(select.int64(0), qint64(9007199254740993));
        QCOMPARE(select.real(1), 2.5);
        QCOMPARE(select.text(2), QStringLiteral("O'Brien \"quoted\"; DROP TABLE t; --"));
        QCOMPARE(select.blob(3), QByteArray("\0\1\2", 3));
        QVERIFY(select.isNull(4));
        QVERIFY(!select.step());
    }

    void invalidSqlThrowsWithMessage()
    {
        auto db = SqliteDatabase::openInMemory();
        try {
            SqliteStatement bad(*db, "SELEC nonsense");
            QFAIL("invalid SQL was accepted");
        } catch (const SqliteError &e) {
            QVERIFY2(e.message().contains(QLatin1String("syntax error")), qPrintable(e.message()));
        }
    }

    void transactionRollsBackUnlessCommitted()
    {
        auto db = SqliteDatabase::openInMemory();
        db->execute("CREATE TABLE t (x INTEGER)");
        {
            SqliteTransaction transaction(*db);
            db->execute("INSERT INTO t VALUES (1)");
        }
        QCOMPARE(db->queryInt64("SELECT count(*) FROM t"), 0);
        {
            SqliteTransaction transaction(*db);
            db->execute("INSERT INTO t VALUES (1)");
            transaction.commit();
        }
        QCOMPARE(db->queryInt64("SELECT count(*) FROM t"), 1);
    }

    void likePatternsAreEscaped_data()
    {
        QTest::addColumn<QString>("needle");
        QTest::addColumn<int>("matches");
        QTest::newRow("percent is literal") << QStringLiteral("100%") << 1;
        QTest::newRow("underscore is literal") << QStringLiteral("a_b") << 1;
        QTest::newRow("backslash is literal") << QStringLiteral("c\\d") << 1;
        QTest::newRow("plain") << QStringLiteral("zzz") << 0;
    }

    void likePatternsAreEscaped()
    {
        QFETCH(QString, needle);
        QFETCH(int, matches);
        auto db = SqliteDatabase::openInMemory();
        db->execute("CREATE TABLE t (s TEXT); INSERT INTO t VALUES ('100%'), ('1000'), ('a_b'), ('axb'), ('c\\d')");
        SqliteStatement query(*db, "SELECT count(*) FROM t WHERE s LIKE ? ESCAPE '\\'");
        query.bind(1, QLatin1Char('%') + escapeLikePattern(needle) + QLatin1Char('%'));
        QVERIFY(query.step());
        QCOMPARE(query.int64(0), qint64(matches));
    }

    void cancelFlagInterruptsLongStatements()
    {
        auto db = SqliteDatabase::openInMemory();
        std::atomic_bool cancel{true};
        db->setCancelFlag(&cancel);
        try {
            db->queryInt64("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 100000000) "
                           "SELECT count(*) FROM c");
            QFAIL("the statement was not interrupted");
        } catch (const SqliteError &e) {
            QCOMPARE(e.code() & 0xff, 9); // SQLITE_INTERRUPT
        }
        db->setCancelFlag(nullptr);
        QCOMPARE(db->queryInt64("SELECT 42"), 42);
    }
};

QTEST_GUILESS_MAIN(TestSqliteDatabase)
#include "tst_sqlitedatabase.moc"
