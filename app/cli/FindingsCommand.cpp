#include "FindingsCommand.h"

#include "CliCommands.h"
#include "FindingsEngine.h"
#include "RevocationWorklist.h"
#include "SqliteDatabase.h"
#include "Workspace.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QSaveFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <exception>

namespace chainsight::cli {
namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

void printError(const QString &message)
{
    err() << "chainsight-cli: error: " << message << Qt::endl;
}

struct FindingsOptions
{
    QString workspace;
    bool json = false;
    QStringList rules;
    std::optional<FindingSeverity> failOn;
    QString revocationList; // .csv or .json
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
    };
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
    const auto result = engine.run(*workspace, options.rules, &error);
    if (!result) {
        printError(error);
        return ExitInternalError;
    }
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
        const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
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
        parser.addOptions({help, workspace, json, rule, failOn, revocationList});
        if (!parser.parse(QStringList{QStringLiteral("chainsight-cli findings")} + arguments)) {
            printError(parser.errorText());
            return ExitBadInput;
        }
        if (parser.isSet(help)) {
            out() << parser.helpText();
            out().flush();
            return ExitOk;
        }
        if (!parser.positionalArguments().isEmpty()) {
            printError(QStringLiteral("unexpected argument \"%1\"").arg(parser.positionalArguments().constFirst()));
            return ExitBadInput;
        }
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
