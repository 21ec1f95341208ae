#include "FindingsCommand.h"

#include "CliCommands.h"
#include "FindingsEngine.h"
#include "RevocationWorklist.h"
#include "SqliteDatabase.h"
#include "Workspace.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFileInfo>
#include <QSaveFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <exception>

namespace chainsight::cli {
namespace {

struct FindingsOptions
{
    QString workspace;
    bool json = false;
    QStringList rules;
    std::optional<FindingSeverity> failOn;
    QString revocationList; // .csv or .json
    std::optional<qint64> sinceMs; // evidence time filter, ms since the epoch
    std::optional<qint64> untilMs;
};

// Written atomically: a pipeline reading the file never sees half a worklist.
bool writeRevocationList(Workspace &workspace, const QList<Finding> &findings, const QString &path, QString *error)
{
    QList<RevocationEntry> entries;
    try {
        entries = revocationWorklist(workspace.database(), findings);
    } catch (const SqliteError &e) {
        *error = QStringLiteral("the revocation worklist could not be read: %1").arg(e.message());
        return false;
    }
    const bool json = path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    file.write(json ? revocationWorklistJson(entries) : revocationWorklistCsv(entries));
    if (!file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    err() << "wrote " << entries.size() << " credentials to revoke or rotate to " << path << Qt::endl;
    return true;
}

QJsonValue isoTime(std::optional<qint64> ms)
{
    if (!ms)
        return QJsonValue();
    return QDateTime::fromMSecsSinceEpoch(*ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QJsonObject findingJson(const Finding &finding)
{
    QJsonArray events;
    for (qint64 id : finding.evidence)
        events.append(id);
    return QJsonObject{
        {QStringLiteral("id"), finding.id},
        {QStringLiteral("rule"), finding.rule},
        {QStringLiteral("severity"), severityName(finding.severity)},
        {QStringLiteral("subject"), finding.subject},
        {QStringLiteral("chain"), finding.chainKey.isEmpty() ? QJsonValue() : QJsonValue(finding.chainKey)},
        {QStringLiteral("identity"), finding.identity.isEmpty() ? QJsonValue() : QJsonValue(finding.identity)},
        {QStringLiteral("events"), events},
        {QStringLiteral("explanation"), finding.explanation},
        {QStringLiteral("first_seen"), isoTime(finding.firstSeenMs)},
        {QStringLiteral("last_seen"), isoTime(finding.lastSeenMs)},
    };
}

// A finding is in [since, until] when its evidence time span overlaps it; one without times is in none.
bool inTimeRange(const Finding &finding, const FindingsOptions &options)
{
    if (!options.sinceMs && !options.untilMs)
        return true;
    if (!finding.firstSeenMs || !finding.lastSeenMs)
        return false;
    return !(options.sinceMs && *finding.lastSeenMs < *options.sinceMs) && !(options.untilMs && *finding.firstSeenMs > *options.untilMs);
}

int run(const FindingsOptions &options)
{
    QString error;
    auto workspace = Workspace::open(options.workspace, Workspace::OpenMode::OpenExisting, &error);
    if (!workspace) {
        printError(error);
        return ExitBadInput;
    }
    const FindingsEngine engine;
    auto result = engine.run(*workspace, options.rules, &error);
    if (!result) {
        printError(error);
        return ExitInternalError;
    }
    // The run stores every finding; --since and --until narrow what is printed, gated and exported.
    result->findings.removeIf([&options](const Finding &finding) { return !inTimeRange(finding, options); });
    if (options.json) {
        QJsonArray array;
        for (const Finding &finding : result->findings)
            array.append(findingJson(finding));
        out() << QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented));
    } else {
        for (const Finding &finding : result->findings)
            out() << severityName(finding.severity) << '\t' << finding.rule << '\t' << finding.subject << '\t'
                  << finding.title << '\n';
        out() << result->findings.size() << " findings in " << result->elapsedMs << " ms\n";
    }
    out().flush();
    if (!options.revocationList.isEmpty() && !writeRevocationList(*workspace, result->findings, options.revocationList, &error)) {
        printError(error);
        return ExitBadInput;
    }
    if (options.failOn) {
        for (const Finding &finding : result->findings) {
            if (finding.severity >= *options.failOn)
                return ExitGateTripped;
        }
    }
    return ExitOk;
}

} // namespace

int runFindingsCommand(const QStringList &arguments)
{
    try {
        QCommandLineParser parser;
        parser.setApplicationDescription(QStringLiteral("chainsight-cli findings: run the findings rules and print them"));
        const QCommandLineOption help = helpOption();
        const QCommandLineOption workspace({QStringLiteral("w"), QStringLiteral("workspace")},
                                           QStringLiteral("The workspace file (*.chainsight)."), QStringLiteral("W"));
        const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON instead of text."));
        const QCommandLineOption rule(QStringLiteral("rule"), QStringLiteral("Run only this rule (repeatable)."),
                                      QStringLiteral("R"));
        const QCommandLineOption failOn(QStringLiteral("fail-on"),
                                        QStringLiteral("Exit 1 when a finding at or above this severity exists "
                                                       "(low, medium, high, critical)."),
                                        QStringLiteral("SEVERITY"));
        const QCommandLineOption revocationList(QStringLiteral("revocation-list"),
                                                QStringLiteral("Write the credentials behind stale-secret, shared-credential, "
                                                               "unverified-token and shadow-agent findings to FILE (.csv or .json)."),
                                                QStringLiteral("FILE"));
        const QCommandLineOption since(QStringLiteral("since"),
                                       QStringLiteral("Only findings with evidence at or after this time (ISO 8601, UTC "
                                                      "unless it names an offset)."),
                                       QStringLiteral("TIME"));
        const QCommandLineOption until(QStringLiteral("until"),
                                       QStringLiteral("Only findings with evidence at or before this time (ISO 8601)."),
                                       QStringLiteral("TIME"));
        parser.addOptions({help, workspace, json, rule, failOn, revocationList, since, until});
        if (const auto done = parseSubcommand(parser, QStringLiteral("findings"), arguments))
            return *done;
        FindingsOptions options;
        options.workspace = parser.value(workspace);
        if (options.workspace.isEmpty()) {
            printError(QStringLiteral("findings needs a workspace: -w W"));
            return ExitBadInput;
        }
        options.json = parser.isSet(json);
        options.rules = parser.values(rule);
        const FindingsEngine engine;
        for (const QString &id : std::as_const(options.rules)) {
            if (!engine.ruleIds().contains(id)) {
                printError(QStringLiteral("unknown rule \"%1\" (rules: %2)").arg(id, engine.ruleIds().join(QStringLiteral(", "))));
                return ExitBadInput;
            }
        }
        options.revocationList = parser.value(revocationList);
        if (parser.isSet(revocationList)) {
            const QString suffix = QFileInfo(options.revocationList).suffix().toLower();
            if (suffix != QLatin1String("csv") && suffix != QLatin1String("json")) {
                printError(QStringLiteral("--revocation-list writes .csv or .json, not \"%1\"").arg(options.revocationList));
                return ExitBadInput;
            }
        }
        for (const auto &[option, target] : {std::pair{&since, &options.sinceMs}, std::pair{&until, &options.untilMs}}) {
            if (!parser.isSet(*option))
                continue;
            QDateTime time = QDateTime::fromString(parser.value(*option), Qt::ISODateWithMs);
            if (!time.isValid())
                time = QDateTime::fromString(parser.value(*option), Qt::ISODate);
            if (!time.isValid()) {
                printError(QStringLiteral("--%1 takes an ISO 8601 time such as 2026-03-01T00:00:00Z, not \"%2\"")
                               .arg(option->names().constFirst(), parser.value(*option)));
                return ExitBadInput;
            }
            if (time.timeSpec() == Qt::LocalTime)
                time.setTimeSpec(Qt::UTC);
            *target = time.toMSecsSinceEpoch();
        }
        if (parser.isSet(failOn)) {
            options.failOn = severityFromName(parser.value(failOn));
            if (!options.failOn) {
                printError(QStringLiteral("--fail-on takes low, medium, high or critical, not \"%1\"").arg(parser.value(failOn)));
                return ExitBadInput;
            }
        }
        return run(options);
    } catch (const std::exception &e) {
        printError(QStringLiteral("internal error: %1").arg(QString::fromUtf8(e.what())));
        return ExitInternalError;
    }
}

} // namespace chainsight::cli
