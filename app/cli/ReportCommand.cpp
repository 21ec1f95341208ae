#include "ReportCommand.h"

#include "CliCommands.h"
#include "EvidenceExporter.h"
#include "UntrustedText.h"

#include <QCommandLineParser>
#include <QApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <cstring>
#include <exception>

namespace chainsight::cli {
namespace {

} // namespace

std::unique_ptr<QCoreApplication> createCliApplication(int &argc, char **argv)
{
    if (argc > 1 && std::strcmp(argv[1], "report") == 0) {
        const bool display = !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
        if (!display && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        return std::make_unique<QApplication>(argc, argv);
    }
    return std::make_unique<QCoreApplication>(argc, argv);
}

int runReportCommand(const QStringList &arguments)
{
    try {
        QCommandLineParser parser;
        parser.setApplicationDescription(QStringLiteral(
            "chainsight-cli report: write the evidence PDF and, next to it, evidence.json, findings.csv, simulation.csv, "
            "the SHA-256 manifest evidence.sha256 and, with --sign, the detached signature evidence.sig."));
        const QCommandLineOption help = helpOption();
        const QCommandLineOption workspace({QStringLiteral("w"), QStringLiteral("workspace")},
                                           QStringLiteral("The workspace file (*.chainsight)."), QStringLiteral("W"));
        const QCommandLineOption output(QStringLiteral("out"), QStringLiteral("The PDF to write; the bundle goes next to it."),
                                        QStringLiteral("evidence.pdf"));
        const QCommandLineOption policy(QStringLiteral("policy"),
                                        QStringLiteral("A Cedar policy whose text, SHA-256 and recorded simulation the report shows "
                                                       "(default: the latest simulation in the workspace)."),
                                        QStringLiteral("P.cedar"));
        const QCommandLineOption scope(QStringLiteral("scope"),
                                       QStringLiteral("all (default), chain (chains and their findings), identity (identity "
                                                      "findings), chain:KEY or identity:ID."),
                                       QStringLiteral("SCOPE"), QStringLiteral("all"));
        const QCommandLineOption sign(QStringLiteral("sign"), QStringLiteral("Sign the manifest with this Ed25519 or ECDSA P-256 "
                                                                             "private key (PEM, unencrypted)."),
                                      QStringLiteral("key.pem"));
        const QCommandLineOption reviewer(QStringLiteral("reviewer"), QStringLiteral("Who generates the report; default: the OS user."),
                                          QStringLiteral("NAME"));
        const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print what was written as JSON."));
        parser.addOptions({help, workspace, output, policy, scope, sign, reviewer, json});
        if (const auto done = parseSubcommand(parser, QStringLiteral("report"), arguments))
            return *done;
        if (parser.value(workspace).isEmpty() || parser.value(output).isEmpty()) {
            printError(QStringLiteral("report needs a workspace and an output: -w W --out evidence.pdf"));
            return ExitBadInput;
        }
        if (!qobject_cast<QApplication *>(QCoreApplication::instance())) {
            printError(QStringLiteral("report needs the GUI libraries (fonts, the graph scene), and this run has none"));
            return ExitInternalError;
        }
        QString error;
        const auto parsedScope = EvidenceScope::parse(parser.value(scope), &error);
        if (!parsedScope) {
            printError(error);
            return ExitBadInput;
        }
        EvidenceExportRequest request;
        request.workspacePath = parser.value(workspace);
        request.pdfPath = parser.value(output);
        request.options.scope = *parsedScope;
        request.options.policyPath = parser.value(policy);
        request.options.generatedBy = parser.value(reviewer);
        request.signingKeyPath = parser.value(sign);
        const EvidenceExportResult result = EvidenceExporter::run(request);
        if (!result.ok) {
            printError(visibleText(result.error));
            return ExitBadInput;
        }
        if (parser.isSet(json)) {
            out() << QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("folder"), result.folder},
                                                                 {QStringLiteral("files"), QJsonArray::fromStringList(result.files)},
                                                                 {QStringLiteral("chains"), result.chains},
                                                                 {QStringLiteral("findings"), result.findings},
                                                                 {QStringLiteral("reviews"), result.reviews},
                                                                 {QStringLiteral("signed_by"), result.signerFingerprint.isEmpty()
                                                                                                   ? QJsonValue()
                                                                                                   : QJsonValue(QString::fromLatin1(result.signerFingerprint))},
                                                                 {QStringLiteral("elapsed_ms"), result.elapsedMs}})
                                           .toJson(QJsonDocument::Indented));
        } else {
            out() << "wrote " << parser.value(output) << " and " << (result.files.size() - 1) << " bundle files in " << result.folder
                  << ": " << result.chains << " chains, " << result.findings << " findings, " << result.reviews << " reviews, "
                  << result.elapsedMs << " ms\n";
            if (!result.signerFingerprint.isEmpty())
                out() << "signed evidence.sha256 with key SHA256:" << result.signerFingerprint << '\n';
        }
        out().flush();
        return ExitOk;
    } catch (const std::exception &e) {
        printError(QStringLiteral("internal error: %1").arg(QString::fromUtf8(e.what())));
        return ExitInternalError;
    }
}

} // namespace chainsight::cli
