#include "AgentInventoryModel.h"
#include "IdentityListModel.h"
#include "SourceListModel.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace chainsight;

namespace {

AgentSummary agent(const QString &id, const QString &role, const QString &owner, const QStringList &intents)
{
    AgentSummary summary;
    summary.id = id;
    summary.name = id.toUpper();
    summary.role = role;
    summary.owner = owner;
    summary.purpose = QStringLiteral("purpose of ") + id;
    summary.intents = intents;
    summary.credentials.push_back(CredentialRecord{QStringLiteral("oauth-client"), id + QStringLiteral("-client")});
    return summary;
}

QList<AgentSummary> sampleAgents()
{
    return {agent(QStringLiteral("zeta"), QStringLiteral("worker"), QStringLiteral("ana@x"), {QStringLiteral("crm.read")}),
            agent(QStringLiteral("alpha"), QStringLiteral("supervisor"), QString(), {QStringLiteral("mail.send")}),
            agent(QStringLiteral("mid"), QStringLiteral("sub-agent"), QStringLiteral("raj@x"), {QStringLiteral("crm.read"), QStringLiteral("kb.search")})};
}

} // namespace

class TestItemModels : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void inventoryModelPassesTester()
    {
        AgentInventoryModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setAgents(sampleAgents());
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(AgentInventoryModel::ColumnCount));
        model.setAgents({});
        QCOMPARE(model.rowCount(), 0);
    }

    void ownerlessAgentsStandOut()
    {
        AgentInventoryModel model;
        model.setAgents(sampleAgents());
        const QModelIndex owner = model.index(1, AgentInventoryModel::OwnerColumn);
        QCOMPARE(owner.data().toString(), AgentInventoryModel::noOwnerText());
        QCOMPARE(owner.data(AgentInventoryModel::HasOwnerRole).toBool(), false);
        QCOMPARE(model.index(0, AgentInventoryModel::OwnerColumn).data().toString(), QStringLiteral("ana@x"));
    }

    void proxyFiltersAndSorts_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<bool>("onlyWithoutOwner");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("everything, sorted by id") << QString() << false
                                                  << QStringList{QStringLiteral("alpha"), QStringLiteral("mid"), QStringLiteral("zeta")};
        QTest::newRow("intent") << QStringLiteral("crm.read") << false << QStringList{QStringLiteral("mid"), QStringLiteral("zeta")};
        QTest::newRow("two words must both match") << QStringLiteral("crm KB") << false << QStringList{QStringLiteral("mid")};
        QTest::newRow("no owner by words") << QStringLiteral("no owner") << false << QStringList{QStringLiteral("alpha")};
        QTest::newRow("only without owner") << QString() << true << QStringList{QStringLiteral("alpha")};
        QTest::newRow("credential id") << QStringLiteral("zeta-client") << false << QStringList{QStringLiteral("zeta")};
        QTest::newRow("nothing") << QStringLiteral("nomatch") << false << QStringList{};
    }

    void proxyFiltersAndSorts()
    {
        QFETCH(QString, filter);
        QFETCH(bool, onlyWithoutOwner);
        QFETCH(QStringList, expected);
        AgentInventoryModel model;
        AgentFilterProxyModel proxy;
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        model.setAgents(sampleAgents());
        proxy.sort(AgentInventoryModel::IdColumn);
        proxy.setFilterText(filter);
        proxy.setOnlyWithoutOwner(onlyWithoutOwner);
        QStringList ids;
        for (int row = 0; row < proxy.rowCount(); ++row)
            ids.push_back(proxy.index(row, 0).data(AgentInventoryModel::AgentIdRole).toString());
        QCOMPARE(ids, expected);
    }

    void sourceAndCredentialModelsPassTester()
    {
        SourceListModel sources;
        QAbstractItemModelTester sourceTester(&sources, QAbstractItemModelTester::FailureReportingMode::QtTest);
        SourceInfo source;
        source.path = QStringLiteral("/data/inventory.json");
        source.sha256 = QByteArray(64, 'a');
        source.format = QStringLiteral("inventory-json");
        source.records = 12;
        source.errors = 3;
        sources.setSources({source});
        QCOMPARE(sources.index(0, SourceListModel::FileColumn).data().toString(), QStringLiteral("inventory.json"));
        QCOMPARE(sources.index(0, SourceListModel::ErrorsColumn).data().toLongLong(), 3);
        QVERIFY(sources.index(0, 0).data(SourceListModel::HasErrorsRole).toBool());

        AgentCredentialsModel credentials;
        QAbstractItemModelTester credentialTester(&credentials, QAbstractItemModelTester::FailureReportingMode::QtTest);
        CredentialRecord key{QStringLiteral("api-key"), QStringLiteral("ak_1"), {}, QStringLiteral("2025-01-01T00:00:00Z")};
        key.expiresNever = true;
        credentials.setCredentials({key});
        QCOMPARE(credentials.rowCount(), 1);
        QCOMPARE(credentials.index(0, AgentCredentialsModel::RotatedColumn).data().toString(), QStringLiteral("never"));
        QCOMPARE(credentials.index(0, AgentCredentialsModel::ExpiresColumn).data().toString(), QStringLiteral("never"));
    }

    void identityModelFiltersByKindAndText()
    {
        IdentityListModel model;
        IdentityFilterProxyModel proxy;
        QAbstractItemModelTester sourceTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        IdentitySummary agent{QStringLiteral("agent"), QStringLiteral("care-supervisor")};
        agent.aliases = {QStringLiteral("otel-agent:care-supervisor"), QStringLiteral("oauth-client:0oa8care")};
        agent.protocols = {QStringLiteral("oauth"), QStringLiteral("otlp")};
        agent.events = 12;
        agent.firstSeenMs = 1772870400000;
        agent.lastSeenMs = 1772874000000;
        IdentitySummary shadow{QStringLiteral("shadow"), QStringLiteral("quick-helper-bot")};
        shadow.aliases = {QStringLiteral("otel-agent:quick-helper-bot")};
        shadow.protocols = {QStringLiteral("otlp")};
        IdentitySummary human{QStringLiteral("human"), QStringLiteral("alice@x")};
        model.setIdentities({agent, shadow, human});
        QCOMPARE(proxy.rowCount(), 3);
        QCOMPARE(model.index(0, IdentityListModel::ProtocolsColumn).data().toString(), QStringLiteral("oauth, otlp"));
        QVERIFY(model.index(0, IdentityListModel::EventsColumn).data(Qt::ToolTipRole).toString().contains(QLatin1String("2026-03-07T08:00:00")));
        proxy.setKind(QStringLiteral("shadow"));
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, 0).data(IdentityListModel::IdentityIdRole).toString(), QStringLiteral("quick-helper-bot"));
        proxy.setKind(QString());
        proxy.setFilterText(QStringLiteral("0oa8care"));
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, 0).data(IdentityListModel::IdentityIdRole).toString(), QStringLiteral("care-supervisor"));
    }
};

QTEST_GUILESS_MAIN(TestItemModels)
#include "tst_itemmodels.moc"
