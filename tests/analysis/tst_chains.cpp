#include "ChainBuilder.h"
#include "ChainJson.h"
#include "ChainStore.h"
#include "FindingsEngine.h"
#include "IdentityGraph.h"
#include "ImportRunner.h"
#include "RevocationWorklist.h"
#include "SqliteDatabase.h"
#include "Workspace.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <limits>
#include <memory>

using namespace chainsight;

// Chains, intent retention, the identity graph and the revocation worklist.
class ChainsTest final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void awsActionsMapToToolNames_data();
    void awsActionsMapToToolNames();
    void retentionPerHopOnAKnownTree();
    void chainJsonHasTheDocumentedFields();
    void inventoryImportedAfterTheTracesResolvesTheShadows();
    void outsideIntentMatchesGeneratorTruth();
    void unknownOriginatorsMatchLostOriginatorTruth();
    void deepDelegationChainsExceedTheRootsLimit();
    void chainsAreStoredWithTheAnalysisRun();
    void eventChainIndexTakesAnyId();
    void storedChainSetRoundTrips();
    void analysisIndexesDoNotChangeTheChains();
    void damagedChainSetIsRejected();
    void storedChainsAreReadUntilTheNextImport();
    void identityGraphAggregatesHopsAndCalls();
    void revocationWorklistCoversEveryCredentialFinding();
    void revocationCsvIsSafeForSpreadsheets();

private:
    std::unique_ptr<Workspace> importInto(const QString &name, const QStringList &paths, const QString &jwks = {});

    QTemporaryDir m_dir;
    bool m_haveWorld = false;
    QString m_worldPath;
    QHash<QString, QSet<QString>> m_truth;
    QHash<QString, int> m_maxDepth; // agent -> max_delegation_depth
    ChainSet m_worldChains;
};

std::unique_ptr<Workspace> ChainsTest::importInto(const QString &name, const QStringList &paths, const QString &jwks)
{
    const QString path = m_dir.filePath(name);
    ImportOptions options;
    options.jwksPath = jwks;
    const std::atomic_bool cancel{false};
    const ImportResult imported = ImportRunner::run(path, paths, options, {}, cancel);
    if (imported.status != ImportResult::Status::Committed)
        return nullptr;
    QString error;
    return Workspace::open(path, Workspace::OpenMode::OpenExisting, &error);
}

void ChainsTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString generator = QStringLiteral(CHAINSIGHT_SHARED_DIR "/bench/gen_enterprise.py");
    const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
    if (!QFile::exists(generator) || python.isEmpty())
        return; // the world-based tests skip themselves
    const QString worldDir = m_dir.filePath(QStringLiteral("world"));
    QProcess process;
    process.start(python, {generator, QStringLiteral("--out"), worldDir, QStringLiteral("--agents"), QStringLiteral("40"),
                           QStringLiteral("--events"), QStringLiteral("3000"), QStringLiteral("--anomaly-rate"),
                           QStringLiteral("0.1"), QStringLiteral("--seed"), QStringLiteral("2")});
    QVERIFY(process.waitForFinished(120000));
    QCOMPARE(process.exitCode(), 0);
    QFile truthFile(worldDir + QStringLiteral("/truth.json"));
    QVERIFY(truthFile.open(QIODevice::ReadOnly));
    const QJsonArray anomalies = QJsonDocument::fromJson(truthFile.readAll()).object().value(QStringLiteral("anomalies")).toArray();
    for (const QJsonValue &anomaly : anomalies)
        m_truth[anomaly[QStringLiteral("rule")].toString()].insert(anomaly[QStringLiteral("subject")].toString());
    QFile inventory(worldDir + QStringLiteral("/inventory.json"));
    QVERIFY(inventory.open(QIODevice::ReadOnly));
    for (const QJsonValue &agent : QJsonDocument::fromJson(inventory.readAll()).object().value(QStringLiteral("agents")).toArray())
        m_maxDepth.insert(agent[QStringLiteral("id")].toString(), agent[QStringLiteral("max_delegation_depth")].toInt(99));

    auto workspace = importInto(QStringLiteral("world.chainsight"), {worldDir}, worldDir + QStringLiteral("/jwks.json"));
    QVERIFY(workspace);
    m_worldPath = workspace->path();
    QString error;
    auto chains = ChainBuilder::build(*workspace, &error);
    QVERIFY2(chains, qPrintable(error));
    m_worldChains = std::move(*chains);
    m_haveWorld = true;
}

void ChainsTest::awsActionsMapToToolNames_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("tool");
    QTest::newRow("s3") << QStringLiteral("s3:GetObject") << QStringLiteral("s3.get_object");
    QTest::newRow("dynamodb") << QStringLiteral("dynamodb:Query") << QStringLiteral("dynamodb.query");
    QTest::newRow("bedrock-runtime") << QStringLiteral("bedrock-runtime:Converse") << QStringLiteral("bedrock.converse");
    QTest::newRow("no service") << QStringLiteral("Converse") << QStringLiteral("Converse");
}

void ChainsTest::awsActionsMapToToolNames()
{
    QFETCH(QString, action);
    QFETCH(QString, tool);
    QCOMPARE(ChainBuilder::toolNameForAwsAction(action), tool);
}

void ChainsTest::retentionPerHopOnAKnownTree()
{
    // alice -> sup {a,b,c} -> worker {a,b} -> sub {b,x}; five calls, three inside the narrowed intent.
    auto workspace = importInto(QStringLiteral("retention.chainsight"),
                                {QFINDTESTDATA("../data/chains/inventory.json"), QFINDTESTDATA("../data/chains/retention-trace.json")});
    QVERIFY(workspace);
    QString error;
    const auto chains = ChainBuilder::build(*workspace, &error);
    QVERIFY2(chains, qPrintable(error));
    QCOMPARE(chains->chains.size(), 1);
    const Chain &chain = chains->chains.constFirst();
    QCOMPARE(chain.key, QStringLiteral("0af7651916cd43dd8448eb211c80319c"));
    QCOMPARE(chain.originator, QStringLiteral("alice@example.test"));
    QCOMPARE(chain.root, QStringLiteral("sup"));
    QCOMPARE(chain.depth, 2);
    QCOMPARE(chain.hops.size(), 3);
    QCOMPARE(chain.hops[0].delegator, QStringLiteral("alice@example.test"));
    QCOMPARE(chain.hops[0].delegate, QStringLiteral("sup"));
    QCOMPARE(chain.hops[0].actionCount, 5);
    QCOMPARE(chain.hops[0].retention, 0.6);
    QCOMPARE(chain.hops[1].delegate, QStringLiteral("worker"));
    QCOMPARE(chain.hops[1].parentHop, 0);
    QCOMPARE(chain.hops[1].actionCount, 4);
    QCOMPARE(chain.hops[1].retention, 0.5);
    QCOMPARE(chain.hops[2].delegate, QStringLiteral("sub"));
    QCOMPARE(chain.hops[2].level, 2);
    QCOMPARE(chain.hops[2].retention, 0.5);
    QCOMPARE(chain.retention, 0.6);

    QStringList verdicts;
    for (const ChainAction &action : chain.actions)
        verdicts << action.actor + QLatin1Char(':') + action.tool + (action.withinIntent ? QStringLiteral("=in") : QStringLiteral("=out"));
    QCOMPARE(verdicts, (QStringList{QStringLiteral("sup:a.read=in"), QStringLiteral("worker:b.write=in"),
                                    QStringLiteral("worker:c.send=out"), QStringLiteral("sub:b.write=in"),
                                    QStringLiteral("sub:x.delete=out")}));
    // x.delete is declared by the sub-agent but was never part of what alice's request covered.
    QCOMPARE(chain.actions[4].intentAtActor, QStringList{QStringLiteral("b.write")});
    QCOMPARE(chain.actions[4].path, (QStringList{QStringLiteral("sup"), QStringLiteral("worker"), QStringLiteral("sub")}));
    QCOMPARE(chain.actions[4].depth, 2);
    for (const ChainAction &action : chain.actions)
        QCOMPARE(chains->chainOfEvent.value(action.eventId, -1), 0);
}

void ChainsTest::chainJsonHasTheDocumentedFields()
{
    auto workspace = importInto(QStringLiteral("json.chainsight"),
                                {QFINDTESTDATA("../data/chains/inventory.json"), QFINDTESTDATA("../data/chains/retention-trace.json")});
    QVERIFY(workspace);
    QString error;
    const auto chains = ChainBuilder::build(*workspace, &error);
    QVERIFY(chains);
    const QJsonObject json = chainToJson(chains->chains.constFirst());
    for (const char *key : {"id", "originator", "root_agent", "depth", "retention", "hops", "actions"})
        QVERIFY2(json.contains(QLatin1String(key)), key);
    const QJsonObject hop = json.value(QStringLiteral("hops")).toArray().at(1).toObject();
    for (const char *key : {"from", "to", "protocol", "scopes", "link", "confidence", "time"})
        QVERIFY2(hop.contains(QLatin1String(key)), key);
    QCOMPARE(hop.value(QStringLiteral("from")).toString(), QStringLiteral("sup"));
    QCOMPARE(hop.value(QStringLiteral("link")).toString(), QStringLiteral("explicit"));
    QCOMPARE(hop.value(QStringLiteral("time")).toString(), QStringLiteral("2026-03-07T08:00:00.002Z"));
    const QJsonObject action = json.value(QStringLiteral("actions")).toArray().at(2).toObject();
    for (const char *key : {"event", "actor", "action", "resource", "time", "within_intent"})
        QVERIFY2(action.contains(QLatin1String(key)), key);
    QCOMPARE(action.value(QStringLiteral("within_intent")).toBool(), false);
}

void ChainsTest::inventoryImportedAfterTheTracesResolvesTheShadows()
{
    // Traces first: nobody is known yet, every agent is a shadow.
    auto workspace = importInto(QStringLiteral("late-inventory.chainsight"), {QFINDTESTDATA("../data/chains/retention-trace.json")});
    QVERIFY(workspace);
    QString error;
    auto identities = workspace->identities(&error);
    QVERIFY(identities);
    int shadows = 0;
    for (const IdentitySummary &identity : *identities)
        shadows += identity.kind == QLatin1String("shadow") ? 1 : 0;
    QCOMPARE(shadows, 3);
    const QString path = workspace->path();
    workspace.reset();

    const std::atomic_bool cancel{false};
    const ImportResult imported = ImportRunner::run(path, {QFINDTESTDATA("../data/chains/inventory.json")}, {}, {}, cancel);
    QCOMPARE(imported.status, ImportResult::Status::Committed);
    QVERIFY(imported.files.constFirst().diagnostics.constFirst().message.contains(QStringLiteral("3 shadow identities")));
    workspace = Workspace::open(path, Workspace::OpenMode::OpenExisting, &error);
    QVERIFY(workspace);
    identities = workspace->identities(&error);
    QVERIFY(identities);
    for (const IdentitySummary &identity : *identities)
        QVERIFY2(identity.kind != QLatin1String("shadow"), qPrintable(identity.id));
    const auto chains = ChainBuilder::build(*workspace, &error);
    QVERIFY(chains);
    QCOMPARE(chains->chains.constFirst().rootKind, ChainPartyKind::Agent);
    QCOMPARE(chains->chains.constFirst().retention, 0.6);
}

void ChainsTest::outsideIntentMatchesGeneratorTruth()
{
    if (!m_haveWorld)
        QSKIP("the generated world is not available");
    QSet<QString> outside;
    QSet<QString> shadowActors;
    for (const Chain &chain : std::as_const(m_worldChains.chains)) {
        for (const ChainAction &action : chain.actions) {
            if (action.withinIntent)
                continue;
            if (action.actorKind == ChainPartyKind::Shadow)
                shadowActors.insert(action.actor);
            else
                outside.insert(action.actor + QLatin1Char(':') + action.tool);
        }
    }
    QCOMPARE(outside, m_truth.value(QStringLiteral("intent-drift")));
    QVERIFY(shadowActors.subtract(m_truth.value(QStringLiteral("shadow-agent"))).isEmpty());
}

void ChainsTest::unknownOriginatorsMatchLostOriginatorTruth()
{
    if (!m_haveWorld)
        QSKIP("the generated world is not available");
    QSet<QString> unknown;
    for (const Chain &chain : std::as_const(m_worldChains.chains)) {
        if (chain.originator.isEmpty())
            unknown.insert(chain.key);
    }
    QCOMPARE(unknown, m_truth.value(QStringLiteral("lost-originator")));
}

void ChainsTest::deepDelegationChainsExceedTheRootsLimit()
{
    if (!m_haveWorld)
        QSKIP("the generated world is not available");
    QSet<QString> deep;
    for (const Chain &chain : std::as_const(m_worldChains.chains)) {
        if (m_maxDepth.contains(chain.root) && chain.depth > m_maxDepth.value(chain.root))
            deep.insert(chain.key);
    }
    // A cycle also makes a chain deep; the generator lists it under delegation-cycle only.
    const QSet<QString> truth = m_truth.value(QStringLiteral("deep-delegation"));
    QVERIFY(!truth.isEmpty());
    QVERIFY2(QSet<QString>(truth).subtract(deep).isEmpty(), "a deep-delegation trace was not deeper than its root allows");
}

void ChainsTest::chainsAreStoredWithTheAnalysisRun()
{
    if (!m_haveWorld)
        QSKIP("the generated world is not available");
    QString error;
    auto workspace = Workspace::open(m_worldPath, Workspace::OpenMode::OpenExisting, &error);
    QVERIFY(workspace);
    const auto run = FindingsEngine().run(*workspace, {}, &error);
    QVERIFY2(run, qPrintable(error));
    QCOMPARE(run->chainCount, qint64(m_worldChains.chains.size()));
    SqliteStatement count(workspace->database(), "SELECT count(*), count(DISTINCT analysis_run_id) FROM chains");
    QVERIFY(count.step());
    QCOMPARE(count.int64(0), qint64(m_worldChains.chains.size()));
    QCOMPARE(count.int64(1), 1);
    // A second run replaces the chains rather than adding to them.
    QVERIFY(FindingsEngine().run(*workspace, {}, &error));
    count.rewind();
    QVERIFY(count.step());
    QCOMPARE(count.int64(0), qint64(m_worldChains.chains.size()));
}

void ChainsTest::analysisIndexesDoNotChangeTheChains()
{
    // The world's chains were built before any analysis; the indexes an analysis adds (and the queries that use
    // them) must not change a single hop, scope or action.
    if (!m_haveWorld)
        QSKIP("the generated world is not available");
    QString error;
    auto workspace = Workspace::open(m_worldPath, Workspace::OpenMode::OpenExisting, &error);
    QVERIFY(workspace);
    QVERIFY2(FindingsEngine().run(*workspace, {}, &error), qPrintable(error));
    QVERIFY(workspace->database().queryInt64("SELECT count(*) FROM sqlite_master WHERE name = 'events_by_session_grant'") == 1);
    const ChainSet rebuilt = ChainBuilder::build(workspace->database());
    QCOMPARE(rebuilt.chains.size(), m_worldChains.chains.size());
    for (qsizetype i = 0; i < rebuilt.chains.size(); ++i)
        QVERIFY2(rebuilt.chains[i] == m_worldChains.chains[i], qPrintable(rebuilt.chains[i].key));
}

void ChainsTest::eventChainIndexTakesAnyId()
{
    EventChainIndex flat;
    flat.reserve(10);
    flat.insert(3, 0);
    flat.insert(10, 2);
    flat.insert(3, 1); // replaces
    flat.insert(std::numeric_limits<qint64>::max(), 4); // far past the flat part
    flat.insert(-5, 5);
    flat.insert(11, 6); // just past it
    QCOMPARE(flat.size(), 5);
    QCOMPARE(flat.value(3), 1);
    QCOMPARE(flat.value(10), 2);
    QCOMPARE(flat.value(4), -1);
    QCOMPARE(flat.value(4, -2), -2);
    QCOMPARE(flat.value(std::numeric_limits<qint64>::max()), 4);
    QCOMPARE(flat.value(-5), 5);
    QCOMPARE(flat.value(11), 6);
    QCOMPARE(flat.value(std::numeric_limits<qint64>::min()), -1);

    // The same entries without a flat part are the same index, and both list them in event order.
    EventChainIndex hashed;
    for (const auto &[event, chain] : QList<std::pair<qint64, int>>{{11, 6}, {-5, 5}, {3, 1}, {std::numeric_limits<qint64>::max(), 4}, {10, 2}})
        hashed.insert(event, chain);
    QVERIFY(hashed == flat);
    QList<qint64> order;
    flat.forEach([&order](qint64 event, int) { order.append(event); });
    QCOMPARE(order, (QList<qint64>{-5, 3, 10, 11, std::numeric_limits<qint64>::max()}));
    hashed.insert(12, 0);
    QVERIFY(!(hashed == flat));
}

void ChainsTest::storedChainSetRoundTrips()
{
    // Awkward values the generated world may not have: negative times, unverified tokens, shared and empty lists.
    ChainSet set;
    Chain chain;
    chain.key = QStringLiteral("trace-😀");
    chain.originator = QStringLiteral("alice");
    chain.rootKind = ChainPartyKind::Shadow;
    chain.retention = 1.0 / 3.0;
    chain.firstTimeMs = -86400000LL * 365;
    chain.lastTimeMs = std::numeric_limits<qint64>::max();
    chain.rootScopes = {QStringLiteral("crm:read"), QString()};
    ChainHop hop;
    hop.delegator = QStringLiteral("quote\" \\ nl\n");
    hop.parentHop = -1;
    hop.confidence = 0.35;
    chain.hops = {hop, hop};
    ChainAction action;
    action.actor = QStringLiteral("worker");
    action.hop = -1;
    action.path = {QStringLiteral("root"), QStringLiteral("worker")};
    action.tokenVerified = false;
    ChainAction second = action;
    second.path.append(QStringLiteral("root")); // a cycle: the same string twice in one list
    second.tokenVerified = true;
    second.eventId = std::numeric_limits<qint64>::min();
    chain.actions = {action, second, ChainAction{}};
    set.indexByKey.insert(chain.key, 0);
    set.chains = {chain, Chain{}};
    set.indexByKey.insert(QString(), 1);
    set.chainOfEvent.insert(7, 1);
    QList<ChainSet> samples{ChainSet{}, set};
    if (m_haveWorld)
        samples.append(m_worldChains);
    for (const ChainSet &sample : std::as_const(samples)) {
        const QByteArray bytes = ChainStore::serialize(sample);
        const auto read = ChainStore::deserialize(bytes);
        QVERIFY(read);
        QVERIFY(*read == sample);
        // Without the event index (as a replay reads them) the chains are the same and the index is empty.
        auto withoutIndex = ChainStore::deserialize(bytes, false);
        QVERIFY(withoutIndex);
        QVERIFY(withoutIndex->chainOfEvent.isEmpty());
        withoutIndex->chainOfEvent = sample.chainOfEvent;
        QVERIFY(*withoutIndex == sample);
    }
}

void ChainsTest::damagedChainSetIsRejected()
{
    ChainSet set;
    Chain chain;
    chain.key = QStringLiteral("k");
    chain.actions = {ChainAction{}};
    chain.actions.first().path = {QStringLiteral("a"), QStringLiteral("b")};
    chain.hops = {ChainHop{}};
    set.chains = {chain};
    set.indexByKey.insert(chain.key, 0);
    set.chainOfEvent.insert(1, 0);
    const QByteArray bytes = ChainStore::serialize(set);
    // Every truncation is refused (never a read past the end: the suite runs under ASan).
    for (qsizetype size = 0; size < bytes.size(); ++size)
        QVERIFY2(!ChainStore::deserialize(QByteArrayView(bytes).first(size)), qPrintable(QString::number(size)));
    // Trailing bytes, another format version and a chain index out of range are refused too.
    QVERIFY(!ChainStore::deserialize(QByteArray(bytes + QByteArray(1, char(0)))));
    QByteArray otherVersion = bytes;
    otherVersion[4] = char(0x7f);
    QVERIFY(!ChainStore::deserialize(otherVersion));
    // A share that is not a number is damage too (it would not compare equal to itself after a round trip).
    ChainSet notANumber = set;
    notANumber.chains.first().retention = std::numeric_limits<double>::quiet_NaN();
    QVERIFY(!ChainStore::deserialize(ChainStore::serialize(notANumber)));
    // Any single flipped byte either reads as some chain set or is refused; it never crashes.
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        QByteArray flipped = bytes;
        flipped[i] = char(flipped[i] ^ 0xff);
        (void)ChainStore::deserialize(flipped);
    }
}

void ChainsTest::storedChainsAreReadUntilTheNextImport()
{
    auto workspace = importInto(QStringLiteral("stored-chains.chainsight"), {QFINDTESTDATA("../data/chains/retention-trace.json")});
    QVERIFY(workspace);
    QString error;
    QVERIFY(!ChainStore::loadFresh(workspace->database())); // no analysis yet
    const auto analysed = FindingsEngine().run(*workspace, {}, &error);
    QVERIFY2(analysed, qPrintable(error));
    const auto stored = ChainStore::loadFresh(workspace->database());
    QVERIFY(stored);
    QVERIFY(*stored == ChainBuilder::build(workspace->database()));
    QCOMPARE(stored->chains.constFirst().rootKind, ChainPartyKind::Shadow);
    // The run hands over the very chains it stored, and they stay current until the next import.
    QVERIFY(analysed->chains);
    QVERIFY(*analysed->chains == *stored);
    QVERIFY(ChainStore::isStoredFresh(workspace->database(), analysed->runId));
    QVERIFY(!ChainStore::isStoredFresh(workspace->database(), analysed->runId + 1));

    // An import after the analysis makes the stored set stale: the chains are built again, from the new data.
    const QString path = workspace->path();
    workspace.reset();
    const std::atomic_bool cancel{false};
    QCOMPARE(ImportRunner::run(path, {QFINDTESTDATA("../data/chains/inventory.json")}, {}, {}, cancel).status,
             ImportResult::Status::Committed);
    workspace = Workspace::open(path, Workspace::OpenMode::OpenExisting, &error);
    QVERIFY(workspace);
    QVERIFY(!ChainStore::loadFresh(workspace->database()));
    QVERIFY(!ChainStore::isStoredFresh(workspace->database(), analysed->runId));
    const auto current = ChainStore::chainsOf(*workspace, &error);
    QVERIFY2(current, qPrintable(error));
    QCOMPARE(current->chains.constFirst().rootKind, ChainPartyKind::Agent);

    // A damaged stored set is not trusted either.
    QVERIFY2(FindingsEngine().run(*workspace, {}, &error), qPrintable(error));
    QVERIFY(ChainStore::loadFresh(workspace->database()));
    workspace->database().execute("UPDATE chain_sets SET data = substr(data, 1, length(data) / 2)");
    QVERIFY(!ChainStore::loadFresh(workspace->database()));
    QVERIFY(*ChainStore::chainsOf(*workspace, &error) == ChainBuilder::build(workspace->database()));
}

void ChainsTest::identityGraphAggregatesHopsAndCalls()
{
    if (!m_haveWorld)
        QSKIP("the generated world is not available");
    const IdentityGraph graph = IdentityGraph::fromChains(m_worldChains);
    QVERIFY(!graph.nodes.isEmpty());
    qint64 calls = 0;
    qint64 actions = 0;
    for (const Chain &chain : std::as_const(m_worldChains.chains))
        actions += chain.actions.size();
    for (const IdentityGraphEdge &edge : graph.edges) {
        const ChainPartyKind source = graph.nodes.at(edge.source).kind;
        const ChainPartyKind target = graph.nodes.at(edge.target).kind;
        QVERIFY(source != ChainPartyKind::Tool);
        if (edge.kind == IdentityGraphEdgeKind::Calls) {
            QCOMPARE(target, ChainPartyKind::Tool);
            calls += edge.count;
        } else {
            QVERIFY(target != ChainPartyKind::Human);
        }
        QVERIFY(edge.count > 0);
        QVERIFY(edge.retention >= 0.0 && edge.retention <= 1.0);
        QVERIFY(!edge.chainKeys.isEmpty());
    }
    QCOMPARE(calls, actions);
    QVERIFY(graph.nodeIndex.contains(QStringLiteral("unknown-originator")));
}

void ChainsTest::revocationWorklistCoversEveryCredentialFinding()
{
    if (!m_haveWorld)
        QSKIP("the generated world is not available");
    QString error;
    auto workspace = Workspace::open(m_worldPath, Workspace::OpenMode::OpenExisting, &error);
    QVERIFY(workspace);
    const auto run = FindingsEngine().run(*workspace, {}, &error);
    QVERIFY(run);
    const QList<RevocationEntry> entries = revocationWorklist(workspace->database(), run->findings);
    QSet<qint64> covered;
    for (const RevocationEntry &entry : entries) {
        QVERIFY(revocationRules().contains(entry.rule));
        QVERIFY2(!entry.credentialId.isEmpty(), qPrintable(entry.rule));
        QVERIFY(!entry.credentialType.isEmpty());
        covered.insert(entry.findingId);
        if (entry.rule == QLatin1String("shared-credential")) {
            QCOMPARE(entry.credentialType, QStringLiteral("aws-role"));
            QCOMPARE(entry.issuer, QStringLiteral("aws:111122223333"));
            QVERIFY(entry.lastSeenMs > 0);
        }
    }
    qsizetype expected = 0;
    for (const Finding &finding : run->findings) {
        if (revocationRules().contains(finding.rule)) {
            ++expected;
            QVERIFY2(covered.contains(finding.id), qPrintable(finding.rule + QLatin1Char(' ') + finding.subject));
        }
    }
    QVERIFY(expected > 0);
    const QJsonArray json = QJsonDocument::fromJson(revocationWorklistJson(entries)).array();
    QCOMPARE(json.size(), entries.size());
}

void ChainsTest::revocationCsvIsSafeForSpreadsheets()
{
    RevocationEntry entry;
    entry.credentialType = QStringLiteral("api-key");
    entry.credentialId = QStringLiteral("=HYPERLINK(\"http://x\")");
    entry.reason = QStringLiteral("line one, with a comma\nline two");
    entry.rule = QStringLiteral("stale-secret");
    const QByteArray csv = revocationWorklistCsv({entry});
    const QList<QByteArray> lines = csv.split('\n');
    QVERIFY(lines.first().startsWith("credential_type,credential_id,issuer,identity,identity_owner,last_seen,finding,rule,severity,reason"));
    QVERIFY(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""));
    QVERIFY(csv.contains("\"line one, with a comma\nline two\""));
}

QTEST_GUILESS_MAIN(ChainsTest)
#include "tst_chains.moc"
