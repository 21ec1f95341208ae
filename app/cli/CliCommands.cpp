#include "CliCommands.h"

#include "DemoData.h"
#include "ImportRunner.h"
#include "Workspace.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <atomic>
#include <optional>

namespace chainsight::cli {

// One stream per standard channel for the whole program: a stream per file would buffer separately.
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

QCommandLineOption helpOption()
{
    return QCommandLineOption({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
}

std::optional<int> parseSubcommand(QCommandLineParser &parser, const QString &command, const QStringList &arguments,
                                   bool takesPositionals)
{
    if (!parser.parse(QStringList{QStringLiteral("chainsight-cli ") + command} + arguments)) {
        printError(parser.errorText());
        return ExitBadInput;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        out().flush();
        return ExitOk;
    }
    if (!takesPositionals && !parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("unexpected argument \"%1\"").arg(parser.positionalArguments().constFirst()));
        return ExitBadInput;
    }
    return std::nullopt;
}

namespace {

// The import, info, agents, identities and demo commands: help after their options, positionals allowed.
std::optional<int> parse(QCommandLineParser &parser, const QString &command, const QStringList &arguments)
{
    parser.setApplicationDescription(QStringLiteral("chainsight-cli %1").arg(command));
    parser.addOption(helpOption());
    return parseSubcommand(parser, command, arguments, true);
}

QCommandLineOption workspaceOption()
{
    return QCommandLineOption({QStringLiteral("w"), QStringLiteral("workspace")},
                              QStringLiteral("The workspace file (*.chainsight)."), QStringLiteral("W"));
}

QCommandLineOption jsonOption()
{
    return QCommandLineOption(QStringLiteral("json"), QStringLiteral("Print JSON instead of text."));
}

QString outcomeName(FileImportResult::Outcome outcome)
{
    switch (outcome) {
    case FileImportResult::Outcome::Imported:
        return QStringLiteral("imported");
    case FileImportResult::Outcome::AlreadyImported:
        return QStringLiteral("already-imported");
    case FileImportResult::Outcome::Rejected:
        return QStringLiteral("rejected");
    }
    return {};
}

QString statusName(ImportResult::Status status)
{
    switch (status) {
    case ImportResult::Status::Committed:
        return QStringLiteral("committed");
    case ImportResult::Status::Aborted:
        return QStringLiteral("aborted");
    case ImportResult::Status::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

QJsonObject diagnosticJson(const Diagnostic &diagnostic)
{
    return QJsonObject{{QStringLiteral("file"), diagnostic.file},
                       {QStringLiteral("line"), diagnostic.position.line},
                       {QStringLiteral("column"), diagnostic.position.column},
                       {QStringLiteral("severity"), severityName(diagnostic.severity)},
                       {QStringLiteral("message"), diagnostic.message}};
}

QJsonObject importJson(const ImportResult &result)
{
    QJsonArray files;
    for (const FileImportResult &file : result.files) {
        QJsonArray diagnostics;
        for (const Diagnostic &diagnostic : file.diagnostics)
            diagnostics.push_back(diagnosticJson(diagnostic));
        QJsonObject object{{QStringLiteral("path"), file.path},
                           {QStringLiteral("format"), file.format},
                           {QStringLiteral("sha256"), QString::fromLatin1(file.sha256)},
                           {QStringLiteral("size"), file.size},
                           {QStringLiteral("records"), file.records},
                           {QStringLiteral("errors"), file.errorCount()},
                           {QStringLiteral("warnings"), file.warningCount()},
                           {QStringLiteral("outcome"), outcomeName(file.outcome)},
                           {QStringLiteral("diagnostics"), diagnostics}};
        if (!file.alreadyImportedAs.isEmpty())
            object.insert(QStringLiteral("already_imported_as"), file.alreadyImportedAs);
        files.push_back(object);
    }
    QJsonObject object{{QStringLiteral("status"), statusName(result.status)},
                       {QStringLiteral("files"), files},
                       {QStringLiteral("skipped"), QJsonArray::fromStringList(result.skipped)}};
    if (!result.failure.isEmpty())
        object.insert(QStringLiteral("failure"), result.failure);
    return object;
}

void printImportText(const ImportResult &result)
{
    for (const FileImportResult &file : result.files) {
        for (const Diagnostic &diagnostic : file.diagnostics)
            err() << diagnostic.toString() << '\n';
    }
    err().flush();
    if (result.status != ImportResult::Status::Committed) {
        printError(result.failure);
        return;
    }
    for (const QString &path : result.skipped)
        out() << QStringLiteral("skipped %1: not a format Chainsight imports\n").arg(path);
    for (const FileImportResult &file : result.files) {
        switch (file.outcome) {
        case FileImportResult::Outcome::Imported:
            out() << QStringLiteral("imported %1 (%2): %3 records").arg(file.path, file.format).arg(file.records);
            if (file.errorCount() > 0)
                out() << QStringLiteral(", %1 bad records skipped").arg(file.errorCount());
            if (file.warningCount() > 0)
                out() << QStringLiteral(", %1 warnings").arg(file.warningCount());
            out() << '\n';
            break;
        case FileImportResult::Outcome::AlreadyImported:
            out() << QStringLiteral("skipped %1: already imported (same SHA-256 as %2)\n").arg(file.path, file.alreadyImportedAs);
            break;
        case FileImportResult::Outcome::Rejected:
            break;
        }
    }
    out().flush();
}

std::unique_ptr<Workspace> openWorkspace(const QString &path, Workspace::OpenMode mode)
{
    if (path.isEmpty()) {
        printError(QStringLiteral("no workspace given; use -w W.chainsight"));
        return nullptr;
    }
    QString error;
    auto workspace = Workspace::open(path, mode, &error);
    if (!workspace)
        printError(error);
    return workspace;
}

void printJson(const QJsonObject &object)
{
    out() << QJsonDocument(object).toJson(QJsonDocument::Indented);
    out().flush();
}

} // namespace

int runImport(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption workspace = workspaceOption();
    const QCommandLineOption format(QStringLiteral("format"),
                                    QStringLiteral("Read every file as this format instead of sniffing it."),
                                    QStringLiteral("F"));
    const QCommandLineOption strict(QStringLiteral("strict"),
                                    QStringLiteral("Abort the whole import, writing nothing, on any bad record."));
    const QCommandLineOption jwks(QStringLiteral("jwks"), QStringLiteral("JWKS file for verifying JWT signatures."),
                                  QStringLiteral("JWKS"));
    const QCommandLineOption json = jsonOption();
    parser.addOptions({workspace, format, strict, jwks, json});
    parser.addPositionalArgument(QStringLiteral("files"), QStringLiteral("Files to import; a folder imports every recognised file below it."),
                                 QStringLiteral("FILE|DIR..."));
    if (const auto exit = parse(parser, QStringLiteral("import"), arguments))
        return *exit;
    if (!parser.isSet(workspace)) {
        printError(QStringLiteral("no workspace given; use -w W.chainsight"));
        return ExitBadInput;
    }
    if (parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("no files to import"));
        return ExitBadInput;
    }
    ImportOptions options;
    options.format = parser.value(format);
    options.strict = parser.isSet(strict);
    options.jwksPath = parser.value(jwks);

    auto target = openWorkspace(parser.value(workspace), Workspace::OpenMode::CreateIfMissing);
    if (!target)
        return ExitBadInput;
    const std::atomic_bool notCancelled{false};
    const ImportResult result = ImportRunner::run(*target, parser.positionalArguments(), options, {}, notCancelled);
    if (parser.isSet(json)) {
        printJson(importJson(result));
        for (const FileImportResult &file : result.files) {
            for (const Diagnostic &diagnostic : file.diagnostics)
                err() << diagnostic.toString() << '\n';
        }
        err().flush();
    } else {
        printImportText(result);
    }
    if (result.status == ImportResult::Status::Committed)
        return ExitOk;
    return result.failure.startsWith(QLatin1String("the workspace could not be written"))
                   || result.failure.startsWith(QLatin1String("internal error"))
               ? ExitInternalError
               : ExitBadInput;
}

int runInfo(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption workspace = workspaceOption();
    const QCommandLineOption json = jsonOption();
    const QCommandLineOption check(QStringLiteral("check"),
                                   QStringLiteral("Also check every page of the workspace, the event tables included (seconds on "
                                                  "millions of events; an open checks the small tables only). Exit 2 when damaged."));
    parser.addOptions({workspace, json, check});
    if (const auto exit = parse(parser, QStringLiteral("info"), arguments))
        return *exit;
    auto opened = openWorkspace(parser.value(workspace), Workspace::OpenMode::ReadOnly);
    if (!opened)
        return ExitBadInput;
    QString error;
    QString integrity;
    if (parser.isSet(check)) {
        integrity = opened->checkIntegrity(&error);
        if (integrity.isEmpty()) {
            printError(error);
            return ExitInternalError;
        }
        if (integrity != QLatin1String("ok")) {
            printError(QStringLiteral("%1: the workspace is damaged (integrity check: %2)").arg(opened->path(), integrity.left(2000)));
            return ExitBadInput;
        }
    }
    const auto info = opened->info(&error);
    if (!info) {
        printError(error);
        return ExitInternalError;
    }
    if (parser.isSet(json)) {
        QJsonArray sources;
        for (const SourceInfo &source : info->sources) {
            sources.push_back(QJsonObject{{QStringLiteral("path"), source.path},
                                          {QStringLiteral("sha256"), QString::fromLatin1(source.sha256)},
                                          {QStringLiteral("format"), source.format},
                                          {QStringLiteral("size"), source.size},
                                          {QStringLiteral("imported_at"), source.importedAt},
                                          {QStringLiteral("records"), source.records},
                                          {QStringLiteral("errors"), source.errors},
                                          {QStringLiteral("warnings"), source.warnings}});
        }
        const WorkspaceCounts &c = info->counts;
        QJsonObject document{{QStringLiteral("schema_version"), info->schemaVersion},
                             {QStringLiteral("sources"), sources},
                             {QStringLiteral("counts"),
                              QJsonObject{{QStringLiteral("humans"), c.humans},
                                          {QStringLiteral("agents"), c.agents},
                                          {QStringLiteral("tools"), c.tools},
                                          {QStringLiteral("shadows"), c.shadows},
                                          {QStringLiteral("credentials"), c.credentials},
                                          {QStringLiteral("aliases"), c.aliases},
                                          {QStringLiteral("events"), c.events},
                                          {QStringLiteral("edges"), c.edges},
                                          {QStringLiteral("findings"), c.findings}}}};
        if (!integrity.isEmpty())
            document.insert(QStringLiteral("integrity"), integrity);
        printJson(document);
        return ExitOk;
    }
    out() << QStringLiteral("Workspace %1 (schema %2)\n").arg(opened->path()).arg(info->schemaVersion);
    out() << QStringLiteral("Sources: %1\n").arg(info->sources.size());
    for (const SourceInfo &source : info->sources) {
        out() << QStringLiteral("  %1\n    %2, %3 records, %4 errors, sha256 %5\n")
                     .arg(source.path, source.format)
                     .arg(source.records)
                     .arg(source.errors)
                     .arg(QString::fromLatin1(source.sha256));
    }
    const WorkspaceCounts &c = info->counts;
    out() << QStringLiteral("Humans %1, agents %2, tools %3, shadow identities %4\n")
                 .arg(c.humans).arg(c.agents).arg(c.tools).arg(c.shadows);
    out() << QStringLiteral("Credentials %1, aliases %2, events %3, delegation edges %4, findings %5\n")
                 .arg(c.credentials).arg(c.aliases).arg(c.events).arg(c.edges).arg(c.findings);
    if (!integrity.isEmpty())
        out() << QStringLiteral("Integrity: %1 (every page checked)\n").arg(integrity);
    out().flush();
    return ExitOk;
}

int runAgents(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption workspace = workspaceOption();
    const QCommandLineOption json = jsonOption();
    const QCommandLineOption noOwner(QStringLiteral("no-owner"), QStringLiteral("Only agents nobody answers for."));
    parser.addOptions({workspace, json, noOwner});
    if (const auto exit = parse(parser, QStringLiteral("agents"), arguments))
        return *exit;
    auto opened = openWorkspace(parser.value(workspace), Workspace::OpenMode::ReadOnly);
    if (!opened)
        return ExitBadInput;
    QString error;
    const auto agents = opened->agents(&error);
    if (!agents) {
        printError(error);
        return ExitInternalError;
    }
    QJsonArray array;
    for (const AgentSummary &agent : *agents) {
        if (parser.isSet(noOwner) && !agent.owner.isEmpty())
            continue;
        if (parser.isSet(json)) {
            QJsonArray credentials;
            for (const CredentialRecord &credential : agent.credentials)
                credentials.push_back(QJsonObject{{QStringLiteral("type"), credential.type},
                                                  {QStringLiteral("id"), credential.id},
                                                  {QStringLiteral("scopes"), QJsonArray::fromStringList(credential.scopes)}});
            QJsonObject object{{QStringLiteral("id"), agent.id},
                               {QStringLiteral("name"), agent.name},
                               {QStringLiteral("role"), agent.role},
                               {QStringLiteral("owner"), agent.owner.isEmpty() ? QJsonValue() : QJsonValue(agent.owner)},
                               {QStringLiteral("purpose"), agent.purpose},
                               {QStringLiteral("intents"), QJsonArray::fromStringList(agent.intents)},
                               {QStringLiteral("may_delegate_to"), QJsonArray::fromStringList(agent.mayDelegateTo)},
                               {QStringLiteral("credentials"), credentials}};
            if (agent.maxDelegationDepth)
                object.insert(QStringLiteral("max_delegation_depth"), *agent.maxDelegationDepth);
            array.push_back(object);
        } else {
            out() << QStringLiteral("%1  [%2]  owner: %3\n    %4\n    intents: %5; credentials: %6\n")
                         .arg(agent.id, agent.role.isEmpty() ? QStringLiteral("no role") : agent.role,
                              agent.owner.isEmpty() ? QStringLiteral("NO OWNER") : agent.owner, agent.purpose,
                              agent.intents.join(QStringLiteral(", ")))
                         .arg(agent.credentials.size());
        }
    }
    if (parser.isSet(json))
        printJson(QJsonObject{{QStringLiteral("agents"), array}});
    out().flush();
    return ExitOk;
}

int runIdentities(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption workspace = workspaceOption();
    const QCommandLineOption json = jsonOption();
    const QCommandLineOption kind(QStringLiteral("kind"), QStringLiteral("Only identities of this kind: agent, shadow, human, tool."),
                                  QStringLiteral("KIND"));
    parser.addOptions({workspace, json, kind});
    if (const auto exit = parse(parser, QStringLiteral("identities"), arguments))
        return *exit;
    static const QStringList kinds = {QStringLiteral("agent"), QStringLiteral("shadow"), QStringLiteral("human"), QStringLiteral("tool")};
    if (parser.isSet(kind) && !kinds.contains(parser.value(kind))) {
        printError(QStringLiteral("--kind must be one of %1").arg(kinds.join(QStringLiteral(", "))));
        return ExitBadInput;
    }
    auto opened = openWorkspace(parser.value(workspace), Workspace::OpenMode::ReadOnly);
    if (!opened)
        return ExitBadInput;
    QString error;
    const auto identities = opened->identities(&error);
    if (!identities) {
        printError(error);
        return ExitInternalError;
    }
    QJsonArray array;
    for (const IdentitySummary &identity : *identities) {
        if (parser.isSet(kind) && identity.kind != parser.value(kind))
            continue;
        if (parser.isSet(json)) {
            QJsonObject object{{QStringLiteral("kind"), identity.kind},
                               {QStringLiteral("id"), identity.id},
                               {QStringLiteral("aliases"), QJsonArray::fromStringList(identity.aliases)},
                               {QStringLiteral("protocols"), QJsonArray::fromStringList(identity.protocols)},
                               {QStringLiteral("events"), identity.events}};
            if (!identity.owner.isEmpty())
                object.insert(QStringLiteral("owner"), identity.owner);
            if (identity.firstSeenMs)
                object.insert(QStringLiteral("first_seen_ms"), *identity.firstSeenMs);
            if (identity.lastSeenMs)
                object.insert(QStringLiteral("last_seen_ms"), *identity.lastSeenMs);
            array.push_back(object);
        } else {
            out() << QStringLiteral("%1  [%2]  seen in: %3 (%4 events)\n    aliases: %5\n")
                         .arg(identity.id, identity.kind,
                              identity.protocols.isEmpty() ? QStringLiteral("no log") : identity.protocols.join(QStringLiteral(", ")))
                         .arg(identity.events)
                         .arg(identity.aliases.join(QStringLiteral(", ")));
        }
    }
    if (parser.isSet(json))
        printJson(QJsonObject{{QStringLiteral("identities"), array}});
    out().flush();
    return ExitOk;
}

int runDemo(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption outDir(QStringLiteral("out"), QStringLiteral("Folder for the demo inputs and workspace."),
                                    QStringLiteral("DIR"));
    parser.addOption(outDir);
    if (const auto exit = parse(parser, QStringLiteral("demo"), arguments))
        return *exit;
    if (!parser.isSet(outDir)) {
        printError(QStringLiteral("no output folder given; use --out DIR"));
        return ExitBadInput;
    }
    QString error;
    const auto workspace = DemoData::buildWorkspace(parser.value(outDir), &error);
    if (!workspace) {
        printError(error);
        return ExitBadInput;
    }
    for (const QString &name : DemoData::inputFileNames())
        out() << QStringLiteral("wrote %1/%2\n").arg(parser.value(outDir), name);
    out() << QStringLiteral("wrote %1\n").arg(*workspace);
    out().flush();
    return ExitOk;
}

} // namespace chainsight::cli
