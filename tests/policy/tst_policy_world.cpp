#include "FindingsEngine.h"
#include "ImportRunner.h"
#include "SqliteDatabase.h"
#include "PolicyResources.h"
#include "PolicySimulator.h"
#include "ReplayCorpus.h"
#include "ReplaySource.h"
#include "SimulationStore.h"
#include "Workspace.h"

#include "cedar/PolicyParser.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

#include <atomic>

using namespace chainsight;

// The acceptance tests of policy replay on a generated enterprise, and `chainsight-cli simulate` itself.
class PolicyWorldTest final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void intentPolicyDeniesExactlyDriftAndShadows();
    void noOriginatorPolicyDeniesExactlyLostOriginatorChains();
    void storedRunRoundTrip();
    void toolArgumentsReachTheReplay();
    void onePassLoadMatchesTheBuiltCorpus();
    void cli_data();
    void cli();
    void cliJson();
    void cliJUnit();

private:
    QString writePolicy(const QString &name, const QStringList &starterIds);
    std::shared_ptr<const cedar::PolicySet> starter(const QStringList &ids);
    struct CliRun
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };
    CliRun runCli(const QStringList &arguments);

    QTemporaryDir m_dir;
    QString m_workspacePath;
    QHash<QString, QSet<QString>> m_truth; // rule -> subjects
    std::shared_ptr<const ReplayCorpus> m_corpus;
    QSet<QString> m_shadows;
};

QString PolicyWorldTest::writePolicy(const QString &name, const QStringList &starterIds)
{
    const QList<StarterPolicy> library = starterPolicies();
    QString text;
    for (const QString &id : starterIds) {
        const StarterPolicy *policy = findStarterPolicy(library, id);
        if (!policy)
            return {};
        text += policy->text + QLatin1Char('\n');
    }
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write(text.toUtf8());
    return path;
}

std::shared_ptr<const cedar::PolicySet> PolicyWorldTest::starter(const QStringList &ids)
{
    const QList<StarterPolicy> library = starterPolicies();
    QString text;
    for (const QString &id : ids) {
        const StarterPolicy *policy = findStarterPolicy(library, id);
        if (!policy)
            return nullptr;
        text += policy->text + QLatin1Char('\n');
    }
    const QByteArray utf8 = text.toUtf8();
    auto parsed = cedar::PolicyParser::parse(std::string_view(utf8.constData(), size_t(utf8.size())));
    if (!parsed.ok())
        return nullptr;
    return std::make_shared<const cedar::PolicySet>(std::move(parsed.policySet));
}

PolicyWorldTest::CliRun PolicyWorldTest::runCli(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(CHAINSIGHT_CLI), QStringList{QStringLiteral("simulate")} + arguments);
    CliRun run;
    if (!process.waitForFinished(120000))
        return run;
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

void PolicyWorldTest::initTestCase()
{
    const QString generator = QStringLiteral(CHAINSIGHT_SHARED_DIR "/bench/gen_enterprise.py");
    if (!QFile::exists(generator))
        QSKIP("gen_enterprise.py is not available");
    const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
    if (python.isEmpty())
        QSKIP("python3 is not available");
    QVERIFY(m_dir.isValid());
    const QString worldDir = m_dir.filePath(QStringLiteral("world"));
    QProcess process;
    process.start(python, {generator, QStringLiteral("--out"), worldDir, QStringLiteral("--agents"), QStringLiteral("40"),
                           QStringLiteral("--events"), QStringLiteral("3000"), QStringLiteral("--anomaly-rate"),
                           QStringLiteral("0.1"), QStringLiteral("--seed"), QStringLiteral("1")});
    QVERIFY(process.waitForFinished(120000));
    QCOMPARE(process.exitCode(), 0);

    QFile truthFile(worldDir + QStringLiteral("/truth.json"));
    QVERIFY(truthFile.open(QIODevice::ReadOnly));
    const QJsonArray anomalies = QJsonDocument::fromJson(truthFile.readAll()).object().value(QStringLiteral("anomalies")).toArray();
    for (const QJsonValue &anomaly : anomalies)
        m_truth[anomaly[QStringLiteral("rule")].toString()].insert(anomaly[QStringLiteral("subject")].toString());
    QVERIFY(!m_truth.value(QStringLiteral("intent-drift")).isEmpty());
    QVERIFY(!m_truth.value(QStringLiteral("lost-originator")).isEmpty());
    QVERIFY(!m_truth.value(QStringLiteral("shadow-agent")).isEmpty());

    m_workspacePath = m_dir.filePath(QStringLiteral("world.chainsight"));
    ImportOptions options;
    options.jwksPath = worldDir + QStringLiteral("/jwks.json");
    const std::atomic_bool cancel{false};
    QCOMPARE(ImportRunner::run(m_workspacePath, {worldDir}, options, {}, cancel).status, ImportResult::Status::Committed);

    QString error;
    auto workspace = Workspace::open(m_workspacePath, Workspace::OpenMode::OpenExisting, &error);
    QVERIFY2(workspace, qPrintable(error));
    const auto source = ReplaySource::load(*workspace, &error);
    QVERIFY2(source, qPrintable(error));
    m_corpus = ReplayCorpus::build(*source);
    QVERIFY(m_corpus->size() > 100);
    m_shadows = QSet<QString>(source->inventory.shadowByAlias.keyBegin(), source->inventory.shadowByAlias.keyEnd());
    QCOMPARE(m_shadows, m_truth.value(QStringLiteral("shadow-agent")));
}

void PolicyWorldTest::intentPolicyDeniesExactlyDriftAndShadows()
{
    const auto policies = starter({QStringLiteral("baseline-permit"), QStringLiteral("forbid-outside-intent")});
    QVERIFY(policies);
    const SimulationResult result = PolicySimulator::run(m_corpus, policies);
    QVERIFY(result.failure.isEmpty());
    const QSet<QString> drift = m_truth.value(QStringLiteral("intent-drift"));
    QSet<QString> deniedPairs;
    QSet<QString> deniedShadows;
    QSet<QString> actingShadows;
    for (size_t row = 0; row < result.size(); ++row) {
        const ReplayAction &a = result.action(row);
        const bool denied = result.decisions[row].decision == PolicyDecision::Deny;
        const QString actor = QString::fromStdString(a.principal->id);
        const QString pair = actor + QLatin1Char(':') + QString::fromStdString(a.action->id);
        if (a.principal->type->name == "Shadow") {
            // Shadows declare no intent: every one of their actions is denied.
            actingShadows.insert(actor);
            QVERIFY2(denied, qPrintable(pair));
            deniedShadows.insert(actor);
            continue;
        }
        // Everything else is denied exactly when it is an intent-drift pair of the truth.
        QVERIFY2(denied == drift.contains(pair), qPrintable(pair + (denied ? QStringLiteral(" denied") : QStringLiteral(" allowed"))));
        if (denied)
            deniedPairs.insert(pair);
    }
    QCOMPARE(deniedPairs, drift);
    QCOMPARE(actingShadows, m_shadows);
    QCOMPARE(deniedShadows, m_shadows);
}

void PolicyWorldTest::noOriginatorPolicyDeniesExactlyLostOriginatorChains()
{
    const auto policies = starter({QStringLiteral("baseline-permit"), QStringLiteral("forbid-without-originator")});
    QVERIFY(policies);
    const SimulationResult result = PolicySimulator::run(m_corpus, policies);
    const QSet<QString> lost = m_truth.value(QStringLiteral("lost-originator"));
    QSet<QString> chainsWithActions;
    QSet<QString> deniedChains;
    for (size_t row = 0; row < result.size(); ++row) {
        const QString chain = m_corpus->chains()[result.action(row).chain].key;
        chainsWithActions.insert(chain);
        const bool denied = result.decisions[row].decision == PolicyDecision::Deny;
        QVERIFY2(denied == lost.contains(chain), qPrintable(chain));
        if (denied)
            deniedChains.insert(chain);
    }
    // Every lost-originator chain that acted at all is denied, and nothing else is.
    QCOMPARE(deniedChains, QSet<QString>(lost).intersect(chainsWithActions));
    QVERIFY(deniedChains.size() >= lost.size() - 1);
}

void PolicyWorldTest::storedRunRoundTrip()
{
    QString error;
    auto workspace = Workspace::open(m_workspacePath, Workspace::OpenMode::OpenExisting, &error);
    QVERIFY2(workspace, qPrintable(error));
    SimulationStore store(*workspace);
    const QString text = QStringLiteral("@id(\"all\") permit (principal, action, resource);\n"
                                        "@id(\"no-shadow\") forbid (principal is Shadow, action, resource);\n"
                                        "@id(\"reads\") permit (principal, action in Action::\"read\", resource) when { context.nope };\n");
    const auto version = store.saveVersion(QStringLiteral("p.cedar"), text, QStringLiteral("first"), QStringLiteral("tester"), &error);
    QVERIFY2(version, qPrintable(error));
    QCOMPARE(version->sha256, QString::fromLatin1(QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex()));
    // The same text and note again is the same version; another note is a new one.
    QCOMPARE(store.saveVersion(QStringLiteral("p.cedar"), text, QStringLiteral("first"), {}, &error)->id, version->id);
    const auto second = store.saveVersion(QStringLiteral("p.cedar"), text, QStringLiteral("second"), {}, &error);
    QVERIFY(second && second->id != version->id);
    QCOMPARE(store.versions(&error)->front().note, QStringLiteral("second"));

    const QByteArray utf8 = text.toUtf8();
    auto parsed = cedar::PolicyParser::parse(std::string_view(utf8.constData(), size_t(utf8.size())));
    QVERIFY(parsed.ok());
    SimulationOptions options;
    options.filter.chainKey = m_corpus->chains()[m_corpus->action(0).chain].key;
    auto policies = std::make_shared<const cedar::PolicySet>(std::move(parsed.policySet));
    const SimulationResult all = PolicySimulator::run(m_corpus, policies);
    const SimulationResult filtered = PolicySimulator::run(m_corpus, policies, options);
    QVERIFY(filtered.size() > 0 && filtered.size() < all.size());

    const auto runId = store.saveRun(all, version->id, std::nullopt, std::nullopt, SimulationStore::nowUtc(), &error);
    QVERIFY2(runId, qPrintable(error));
    const auto diffRun = store.saveRun(filtered, second->id, version->id, *runId, SimulationStore::nowUtc(), &error);
    QVERIFY2(diffRun, qPrintable(error));
    const auto runs = store.runs(&error);
    QVERIFY(runs && runs->size() >= 2);
    const SimulationRunInfo &latest = runs->front();
    QCOMPARE(latest.id, *diffRun);
    QCOMPARE(latest.baselineRunId, runId);
    QCOMPARE(latest.baselinePolicyVersionId, std::optional<qint64>(version->id));
    QCOMPARE(latest.filter.chainKey, options.filter.chainKey);
    QCOMPARE(latest.requestCount, qint64(filtered.size()));

    const auto decisions = store.decisions(*runId, &error);
    QVERIFY2(decisions, qPrintable(error));
    QCOMPARE(decisions->size(), qsizetype(all.size()));
    qint64 denied = 0;
    for (const StoredDecision &d : *decisions) {
        QVERIFY(!d.determining.isEmpty());
        if (d.decision == PolicyDecision::Deny) {
            ++denied;
            QCOMPARE(d.determining, QStringList{QStringLiteral("no-shadow")});
            QVERIFY2(d.explanation.contains(QStringLiteral("principal is Shadow")) || d.explanation.contains(QStringLiteral("forbid")),
                     qPrintable(d.explanation));
        } else {
            QVERIFY(d.explanation.isEmpty());
        }
        // The reads permit errs on every read: context.nope does not exist.
        if (!d.errors.isEmpty())
            QVERIFY(d.errors.front().startsWith(QStringLiteral("reads: ")));
    }
    QCOMPARE(denied, all.denyCount);

    // A cancelled store leaves no run behind.
    const std::atomic_bool cancel{true};
    QVERIFY(!store.saveRun(all, version->id, std::nullopt, std::nullopt, SimulationStore::nowUtc(), &error, {}, &cancel));
    QCOMPARE(store.runs(&error)->size(), runs->size());
}

void PolicyWorldTest::toolArgumentsReachTheReplay()
{
    // The importer files a span's gen_ai.tool.call.arguments where the replay reads them: context.input.
    const QString path = m_dir.filePath(QStringLiteral("tool-arguments.chainsight"));
    const std::atomic_bool cancel{false};
    QCOMPARE(ImportRunner::run(path, {QFINDTESTDATA("../data/policy/tool-arguments.json")}, {}, {}, cancel).status,
             ImportResult::Status::Committed);
    QString error;
    auto workspace = Workspace::open(path, Workspace::OpenMode::OpenExisting, &error);
    QVERIFY2(workspace, qPrintable(error));
    const auto checkReplay = [&workspace] {
        QString loadError;
        const auto source = ReplaySource::load(*workspace, &loadError);
        QVERIFY2(source, qPrintable(loadError));
        QCOMPARE(source->toolArguments.size(), 1);
        QCOMPARE(source->toolArguments.cbegin().value(), QStringLiteral("{\"amount\":1200,\"to\":\"acct-9\"}"));
        const auto corpus = ReplayCorpus::build(*source);
        auto parsed = cedar::PolicyParser::parse(
            "@id(\"big-refund\") forbid (principal, action, resource) when { context has input && context.input.amount > 1000 };\n"
            "permit (principal, action, resource);");
        QVERIFY(parsed.ok());
        const SimulationResult result =
            PolicySimulator::run(corpus, std::make_shared<const cedar::PolicySet>(std::move(parsed.policySet)));
        QCOMPARE(result.size(), size_t(2));
        QCOMPARE(result.denyCount, qint64(1)); // the refund of 1200; the CRM read records no arguments
    };
    checkReplay();
    if (QTest::currentTestFailed())
        return;

    // A workspace imported before the table existed gets it filled from the events when it is upgraded.
    workspace->database().execute("DROP TABLE tool_arguments; ALTER TABLE chains ADD COLUMN hops TEXT; PRAGMA user_version = 4");
    workspace.reset();
    workspace = Workspace::open(path, Workspace::OpenMode::OpenExisting, &error);
    QVERIFY2(workspace, qPrintable(error));
    QCOMPARE(workspace->database().queryInt64("SELECT count(*) FROM tool_arguments"), 1);
    checkReplay();
}

// ReplayCorpus::load makes the requests while it decodes the stored chains, one at a time; it must give the
// corpus that building from the whole set gives, with a stored set and without one (built from the events).
void PolicyWorldTest::onePassLoadMatchesTheBuiltCorpus()
{
    QString error;
    auto workspace = Workspace::open(m_workspacePath, Workspace::OpenMode::OpenExisting, &error);
    QVERIFY2(workspace, qPrintable(error));
    const auto compare = [this](const ReplayCorpus &loaded) {
        QCOMPARE(loaded.size(), m_corpus->size());
        QCOMPARE(loaded.partitionCount(), m_corpus->partitionCount());
        for (size_t i = 0; i < loaded.size(); ++i) {
            const ReplayAction &a = loaded.action(i);
            const ReplayAction &b = m_corpus->action(i);
            QCOMPARE(a.eventId, b.eventId);
            QCOMPARE(a.principal, b.principal);
            QCOMPARE(a.action, b.action);
            QCOMPARE(a.resource, b.resource);
            QVERIFY2(loaded.context(i) == m_corpus->context(i), qPrintable(QString::number(a.eventId)));
            QCOMPARE(loaded.partitionOriginator(a.partition), m_corpus->partitionOriginator(b.partition));
        }
    };

    SqliteDatabase &db = workspace->database();
    db.execute("DELETE FROM chain_sets");
    ReplaySource source;
    const auto built = ReplayCorpus::load(db, &source);
    QVERIFY(!source.chains.chains.isEmpty()); // no stored set: the chains were built from the events
    compare(*built);
    if (QTest::currentTestFailed())
        return;

    QVERIFY2(FindingsEngine().run(*workspace, {}, &error), qPrintable(error));
    QCOMPARE(db.queryInt64("SELECT count(*) FROM chain_sets"), 1);
    ReplaySource streamedSource;
    const auto streamed = ReplayCorpus::load(db, &streamedSource);
    QVERIFY(streamedSource.chains.chains.isEmpty()); // the stored set was read a chain at a time, never held
    QCOMPARE(streamedSource.inventory.shadowByAlias.size(), qsizetype(m_shadows.size()));
    compare(*streamed);
    if (QTest::currentTestFailed())
        return;

    // A damaged stored set is not half-used: the corpus is built from the events instead.
    db.execute("UPDATE chain_sets SET data = substr(data, 1, length(data) - 5)");
    ReplaySource damagedSource;
    const auto rebuilt = ReplayCorpus::load(db, &damagedSource);
    QVERIFY(!damagedSource.chains.chains.isEmpty());
    compare(*rebuilt);
}

void PolicyWorldTest::cli_data()
{
    QTest::addColumn<QStringList>("arguments"); // %W workspace, %I intent policy, %O originator policy, %B bad policy
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("stdoutContains");
    QTest::addColumn<QString>("stderrContains");
    const QString w = QStringLiteral("%W");
    QTest::newRow("summary") << QStringList{QStringLiteral("-w"), w, QStringLiteral("--policy"), QStringLiteral("%I")} << 0
                             << QStringLiteral("forbid forbid-outside-intent: denies or errs on") << QString();
    QTest::newRow("deny gate") << QStringList{QStringLiteral("-w"), w, QStringLiteral("--policy"), QStringLiteral("%I"),
                                              QStringLiteral("--fail-on-deny")}
                               << 1 << QString() << QStringLiteral("would be denied");
    QTest::newRow("flip gate") << QStringList{QStringLiteral("-w"), w, QStringLiteral("--policy"), QStringLiteral("%I"),
                                              QStringLiteral("--baseline"), QStringLiteral("%O"), QStringLiteral("--fail-on-flip")}
                               << 1 << QStringLiteral("flips: ") << QStringLiteral("flip against the baseline");
    QTest::newRow("no flips against itself")
        << QStringList{QStringLiteral("-w"), w, QStringLiteral("--policy"), QStringLiteral("%I"), QStringLiteral("--baseline"),
                       QStringLiteral("%I"), QStringLiteral("--fail-on-flip")}
        << 0 << QStringLiteral("flips: 0") << QString();
    QTest::newRow("flip gate needs a baseline")
        << QStringList{QStringLiteral("-w"), w, QStringLiteral("--policy"), QStringLiteral("%I"), QStringLiteral("--fail-on-flip")}
        << 2 << QString() << QStringLiteral("--fail-on-flip needs a --baseline");
    QTest::newRow("syntax error") << QStringList{QStringLiteral("-w"), w, QStringLiteral("--policy"), QStringLiteral("%B")} << 2
                                  << QString() << QStringLiteral("bad.cedar:2:");
    QTest::newRow("bad time") << QStringList{QStringLiteral("-w"), w, QStringLiteral("--policy"), QStringLiteral("%I"),
                                             QStringLiteral("--from"), QStringLiteral("yesterday")}
                              << 2 << QString() << QStringLiteral("--from takes an RFC 3339 time");
    QTest::newRow("empty range") << QStringList{QStringLiteral("-w"), w, QStringLiteral("--policy"), QStringLiteral("%I"),
                                                QStringLiteral("--from"), QStringLiteral("2030-01-01"), QStringLiteral("--to"),
                                                QStringLiteral("2030-01-02")}
                                 << 0 << QStringLiteral("replayed 0 actions") << QString();
    QTest::newRow("no workspace") << QStringList{QStringLiteral("-w"), QStringLiteral("%D/missing.chainsight"),
                                                 QStringLiteral("--policy"), QStringLiteral("%I")}
                                  << 2 << QString() << QStringLiteral("error");
    QTest::newRow("no policy") << QStringList{QStringLiteral("-w"), w} << 2 << QString() << QStringLiteral("--policy");
    QTest::newRow("unreadable policy") << QStringList{QStringLiteral("-w"), w, QStringLiteral("--policy"), QStringLiteral("%D/none.cedar")}
                                       << 2 << QString() << QStringLiteral("none.cedar: error: cannot read");
    QTest::newRow("schema warnings do not stop a replay")
        << QStringList{QStringLiteral("-w"), w, QStringLiteral("--policy"), QStringLiteral("%U")} << 0
        << QStringLiteral("replayed") << QStringLiteral("has no attribute `dpth`");
}

void PolicyWorldTest::cli()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, stdoutContains);
    QFETCH(QString, stderrContains);
    const QString intent = writePolicy(QStringLiteral("intent.cedar"), {QStringLiteral("baseline-permit"), QStringLiteral("forbid-outside-intent")});
    const QString originator =
        writePolicy(QStringLiteral("originator.cedar"), {QStringLiteral("baseline-permit"), QStringLiteral("forbid-without-originator")});
    QVERIFY(!intent.isEmpty() && !originator.isEmpty());
    const QString bad = m_dir.filePath(QStringLiteral("bad.cedar"));
    QFile badFile(bad);
    QVERIFY(badFile.open(QIODevice::WriteOnly));
    badFile.write("permit (principal, action, resource)\nwhen { context.delegation.depth >> 1 };\n");
    badFile.close();
    const QString undeclared = m_dir.filePath(QStringLiteral("undeclared.cedar"));
    QFile undeclaredFile(undeclared);
    QVERIFY(undeclaredFile.open(QIODevice::WriteOnly));
    undeclaredFile.write("permit (principal, action, resource) when { context.delegation.dpth < 9 || true };\n");
    undeclaredFile.close();
    for (QString &argument : arguments) {
        argument.replace(QStringLiteral("%W"), m_workspacePath).replace(QStringLiteral("%I"), intent);
        argument.replace(QStringLiteral("%O"), originator).replace(QStringLiteral("%B"), bad);
        argument.replace(QStringLiteral("%U"), undeclared).replace(QStringLiteral("%D"), m_dir.path());
    }
    const CliRun run = runCli(arguments);
    QVERIFY2(run.exitCode == exitCode, qPrintable(QStringLiteral("exit %1\n%2\n%3").arg(run.exitCode).arg(QString::fromUtf8(run.out), QString::fromUtf8(run.err))));
    QVERIFY2(QString::fromUtf8(run.out).contains(stdoutContains), run.out.constData());
    QVERIFY2(QString::fromUtf8(run.err).contains(stderrContains), run.err.constData());
}

void PolicyWorldTest::cliJson()
{
    const QString intent = writePolicy(QStringLiteral("intent.cedar"), {QStringLiteral("baseline-permit"), QStringLiteral("forbid-outside-intent")});
    const QString originator =
        writePolicy(QStringLiteral("originator.cedar"), {QStringLiteral("baseline-permit"), QStringLiteral("forbid-without-originator")});
    const CliRun run = runCli({QStringLiteral("-w"), m_workspacePath, QStringLiteral("--policy"), intent, QStringLiteral("--baseline"),
                               originator, QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    QJsonParseError error;
    const QJsonObject json = QJsonDocument::fromJson(run.out, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    const QJsonObject summary = json.value(QStringLiteral("summary")).toObject();
    const QJsonArray results = json.value(QStringLiteral("results")).toArray();
    QCOMPARE(qsizetype(summary.value(QStringLiteral("actions")).toInteger()), results.size());
    QCOMPARE(results.size(), qsizetype(m_corpus->size()));
    QVERIFY(summary.value(QStringLiteral("run")).toInteger() > 0);
    qint64 denied = 0;
    qint64 flips = 0;
    for (const QJsonValue &value : results) {
        const QJsonObject result = value.toObject();
        QVERIFY(result.value(QStringLiteral("principal")).toString().contains(QStringLiteral("::\"")));
        QVERIFY(result.value(QStringLiteral("action")).toString().startsWith(QStringLiteral("Action::\"")));
        QVERIFY(result.value(QStringLiteral("time")).toString().endsWith(QLatin1Char('Z')));
        denied += result.value(QStringLiteral("decision")).toString() == QStringLiteral("deny") ? 1 : 0;
        flips += result.value(QStringLiteral("decision")) != result.value(QStringLiteral("baseline")) ? 1 : 0;
    }
    QCOMPARE(denied, summary.value(QStringLiteral("deny")).toInteger());
    QCOMPARE(flips, summary.value(QStringLiteral("flips")).toInteger());
    QVERIFY(!summary.value(QStringLiteral("flips_by_policy")).toArray().isEmpty());
}

void PolicyWorldTest::cliJUnit()
{
    const QString intent = writePolicy(QStringLiteral("intent.cedar"), {QStringLiteral("baseline-permit"), QStringLiteral("forbid-outside-intent"),
                                                                       QStringLiteral("forbid-shadow")});
    const QString junit = m_dir.filePath(QStringLiteral("out.xml"));
    const CliRun run = runCli({QStringLiteral("-w"), m_workspacePath, QStringLiteral("--policy"), intent, QStringLiteral("--junit"), junit});
    QCOMPARE(run.exitCode, 0);
    QFile file(junit);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&file);
    QStringList cases;
    QStringList failed;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement() && xml.name() == QLatin1String("testcase"))
            cases.append(xml.attributes().value(QLatin1String("name")).toString());
        if (xml.isStartElement() && xml.name() == QLatin1String("failure"))
            failed.append(cases.back());
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QCOMPARE(cases, (QStringList{QStringLiteral("baseline-permit"), QStringLiteral("forbid-outside-intent"), QStringLiteral("forbid-shadow")}));
    QCOMPARE(failed, (QStringList{QStringLiteral("forbid-outside-intent"), QStringLiteral("forbid-shadow")}));
}

QTEST_GUILESS_MAIN(PolicyWorldTest)
#include "tst_policy_world.moc"
