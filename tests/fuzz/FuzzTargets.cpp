#include "FuzzTargets.h"

#include "ChainStore.h"
#include "ImportRunner.h"
#include "Sha256.h"
#include "SourceImporter.h"
#include "SqliteDatabase.h"
#include "Workspace.h"

#ifdef CHAINSIGHT_HAVE_CEDAR
#include "cedar/Authorizer.h"
#include "cedar/EntityStore.h"
#include "cedar/Explanation.h"
#include "cedar/PolicyFormatter.h"
#include "cedar/PolicyParser.h"
#include "cedar/Schema.h"
#include "cedar/ValueJson.h"
#endif
#ifdef CHAINSIGHT_HAVE_JOSE
#include "jose/JsonWebKeySet.h"
#include "jose/TokenCaptureCheck.h"
#endif

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace chainsight::fuzz {
namespace {

// One folder per process for the files the importers and the workspace opener read.
const QTemporaryDir &scratch()
{
    static const QTemporaryDir directory(QDir::tempPath() + QStringLiteral("/chainsight-fuzz-XXXXXX"));
    return directory;
}

QString writeScratchFile(const QString &name, QByteArrayView bytes)
{
    const QString path = scratch().filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(bytes.data(), bytes.size()) != bytes.size())
        failFuzzCheck("scratch", QStringLiteral("cannot write %1").arg(path));
    return path;
}

// gzip framing (not raw zlib), as CloudTrail delivers its files.
QByteArray gzipCompress(QByteArrayView bytes)
{
    z_stream stream{};
    if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        failFuzzCheck("gzip", QStringLiteral("deflateInit2 failed"));
    QByteArray out(static_cast<qsizetype>(deflateBound(&stream, static_cast<uLong>(bytes.size()))) + 32, Qt::Uninitialized);
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(bytes.data()));
    stream.avail_in = static_cast<uInt>(bytes.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&stream, Z_FINISH);
    out.resize(static_cast<qsizetype>(stream.total_out));
    deflateEnd(&stream);
    if (rc != Z_STREAM_END)
        failFuzzCheck("gzip", QStringLiteral("deflate did not finish"));
    return out;
}

// The importers' view of one file: diagnostics kept, progress and cancel inert, the digest checked.
class FuzzImportContext final : public ImportContext
{
public:
    FuzzImportContext(QString path, WorkspaceWriter &writer, const ImportOptions &options, qint64 sourceId, Sha256Stream *digest)
        : m_path(std::move(path))
        , m_writer(writer)
        , m_options(options)
        , m_sourceId(sourceId)
        , m_digest(digest)
    {
    }

    QString path() const override { return m_path; }
    qint64 sourceId() const override { return m_sourceId; }
    const ImportOptions &options() const override { return m_options; }
    WorkspaceWriter &writer() override { return m_writer; }
    Sha256Stream *contentDigest() override { return m_digest; }
    bool isCancelled() const override { return false; }
    void reportProgress(qint64, qint64) override {}
    void report(Diagnostic diagnostic) override { m_diagnostics.push_back(std::move(diagnostic)); }

    const Diagnostics &diagnostics() const { return m_diagnostics; }

private:
    QString m_path;
    WorkspaceWriter &m_writer;
    const ImportOptions &m_options;
    qint64 m_sourceId;
    Sha256Stream *m_digest;
    Diagnostics m_diagnostics;
};

// A workspace that already knows the inventory fixture, so log records correlate to agents as in real use.
Workspace &importWorkspace()
{
    static const std::unique_ptr<Workspace> workspace = [] {
        QString error;
        auto opened = Workspace::open(scratch().filePath(QStringLiteral("imports.chainsight")),
                                      Workspace::OpenMode::CreateIfMissing, &error);
        if (!opened)
            failFuzzCheck("setup", error);
        const QString inventory = QStringLiteral(CHAINSIGHT_FUZZ_DATA_DIR "/inventory.json");
        std::atomic_bool cancel{false};
        const ImportResult result = ImportRunner::run(*opened, {inventory}, {}, {}, cancel);
        if (result.status != ImportResult::Status::Committed)
            failFuzzCheck("setup", QStringLiteral("the inventory fixture did not import: %1").arg(result.failure));
        return opened;
    }();
    return *workspace;
}

// Every importer's sniff sees every input: sniffing runs on each file of a dropped folder.
void sniffWithEveryImporter(const QString &fileName, QByteArrayView bytes)
{
    const SniffSample sample{fileName, bytes.first(std::min<qsizetype>(bytes.size(), 64 * 1024)).toByteArray()};
    for (const auto &importer : sourceImporters()) {
        const int score = importer->sniff(sample);
        if (score < 0 || score > 100)
            failFuzzCheck("sniff", QStringLiteral("%1 sniffed a confidence of %2").arg(importer->format()).arg(score));
    }
}

// Runs one importer over the file inside a transaction that is never committed, and checks its promises.
void importFile(const char *target, const QString &format, const QString &path, qint64 fileSize, const ImportOptions &options = {})
{
    const SourceImporter *importer = importerForFormat(format);
    if (!importer)
        failFuzzCheck(target, QStringLiteral("no importer for %1").arg(format));
    try {
        WorkspaceWriter writer(importWorkspace());
        SourceInfo source;
        source.path = path;
        source.size = fileSize;
        source.sha256 = QByteArrayLiteral("pending:fuzz");
        source.headSha256 = QByteArrayLiteral("fuzz");
        source.format = format;
        source.importedAt = QStringLiteral("2026-01-01T00:00:00.000Z");
        const qint64 sourceId = writer.addSource(source);
        Sha256Stream digest;
        FuzzImportContext context(path, writer, options, sourceId, importer->digestsWhileReading() ? &digest : nullptr);
        const qint64 records = importer->import(context);

        qint64 errors = 0;
        for (const Diagnostic &diagnostic : context.diagnostics()) {
            if (diagnostic.message.trimmed().isEmpty())
                failFuzzCheck(target, QStringLiteral("a diagnostic without a message: %1").arg(diagnostic.toString()));
            if (diagnostic.position.line < 0 || diagnostic.position.column < 0
                || (diagnostic.position.column > 0 && diagnostic.position.line == 0))
                failFuzzCheck(target, QStringLiteral("a diagnostic at an impossible place: %1").arg(diagnostic.toString()));
            errors += diagnostic.severity == Severity::Error ? 1 : 0;
        }
        if (records < -1)
            failFuzzCheck(target, QStringLiteral("%1 records").arg(records));
        if (records == -1 && errors == 0)
            failFuzzCheck(target, QStringLiteral("the file was refused without an error saying why"));
        if (records >= 0 && importer->digestsWhileReading() && digest.bytes() != fileSize) {
            failFuzzCheck(target, QStringLiteral("the importer hashed %1 of the file's %2 bytes; the import would be refused "
                                                 "as a file that changed while it was read")
                                      .arg(digest.bytes())
                                      .arg(fileSize));
        }
        if (records >= 0) {
            writer.setSourceDigest(sourceId, QByteArrayLiteral("fuzz:") + QByteArray::number(sourceId));
            writer.finishSource(sourceId, records, context.diagnostics());
        }
        // The writer is destroyed without commit(): the workspace stays as it was for the next input.
    } catch (const SqliteError &e) {
        failFuzzCheck(target, QStringLiteral("a store error escaped the importer: %1").arg(e.message()));
    } catch (const std::exception &e) {
        failFuzzCheck(target, QStringLiteral("an exception escaped the importer: %1").arg(QString::fromUtf8(e.what())));
    }
}

void importBytes(const char *target, const QString &format, const QString &fileName, QByteArrayView input,
                 const ImportOptions &options = {})
{
    sniffWithEveryImporter(fileName, input);
    importFile(target, format, writeScratchFile(fileName, input), input.size(), options);
}

void fuzzInventoryJson(QByteArrayView input)
{
    importBytes("inventory_json", QStringLiteral("inventory-json"), QStringLiteral("inventory.json"), input);
}

void fuzzInventoryCsv(QByteArrayView input)
{
    importBytes("inventory_csv", QStringLiteral("inventory-csv"), QStringLiteral("inventory.csv"), input);
}

void fuzzOtlpJson(QByteArrayView input)
{
    importBytes("otlp_json", QStringLiteral("otlp-json"), QStringLiteral("traces.json"), input);
}

void fuzzOtlpNdjson(QByteArrayView input)
{
    importBytes("otlp_ndjson", QStringLiteral("otlp-json"), QStringLiteral("traces.jsonl"), input);
}

void fuzzOtelSdkJson(QByteArrayView input)
{
    importBytes("otel_sdk_json", QStringLiteral("otel-sdk-json"), QStringLiteral("spans.json"), input);
}

void fuzzLangfuseTrace(QByteArrayView input)
{
    importBytes("langfuse_trace", QStringLiteral("langfuse-trace"), QStringLiteral("trace.json"), input);
}

void fuzzKeycloakEvents(QByteArrayView input)
{
    importBytes("keycloak_events", QStringLiteral("keycloak-events"), QStringLiteral("events.jsonl"), input);
}

void fuzzOktaSystemLog(QByteArrayView input)
{
    importBytes("okta_systemlog", QStringLiteral("okta-systemlog"), QStringLiteral("systemlog.jsonl"), input);
}

void fuzzEntraSignInLogs(QByteArrayView input)
{
    importBytes("entra_signinlogs", QStringLiteral("entra-signinlogs"), QStringLiteral("signinlogs.jsonl"), input);
}

void fuzzMcpLog(QByteArrayView input)
{
    importBytes("mcp_log", QStringLiteral("mcp-log"), QStringLiteral("session.jsonl"), input);
}

// The first byte picks how the rest reaches the importer: as it is, gzip-compressed, or compressed and cut off,
// so the fuzzer mutates the JSON inside an archive instead of the archive's bytes.
void fuzzCloudTrail(QByteArrayView input)
{
    if (input.isEmpty())
        return;
    const int mode = static_cast<unsigned char>(input.front()) % 3;
    const QByteArrayView body = input.sliced(1);
    if (mode == 0) {
        importBytes("cloudtrail", QStringLiteral("cloudtrail"), QStringLiteral("cloudtrail.json"), body);
        return;
    }
    QByteArray compressed = gzipCompress(body);
    if (mode == 2)
        compressed.chop(std::min<qsizetype>(compressed.size() / 2, 1 + static_cast<qsizetype>(body.size() % 7)));
    importBytes("cloudtrail", QStringLiteral("cloudtrail"), QStringLiteral("cloudtrail.json.gz"), compressed);
}

#ifdef CHAINSIGHT_HAVE_JOSE
const QString &jwksFixture()
{
    static const QString path = QStringLiteral(CHAINSIGHT_FUZZ_DATA_DIR "/jwks.json");
    return path;
}

void fuzzJwtCaptures(QByteArrayView input)
{
    ImportOptions options;
    options.jwksPath = jwksFixture();
    importBytes("jwt_captures", QStringLiteral("jwt-captures"), QStringLiteral("captures.jsonl"), input, options);
}

std::shared_ptr<const jose::JsonWebKeySet> fixtureKeys()
{
    static const auto keys = [] {
        auto loaded = jose::JsonWebKeySet::fromFile(QFile::encodeName(jwksFixture()).toStdString());
        if (!loaded)
            failFuzzCheck("dpop", QString::fromStdString(loaded.message()));
        return std::make_shared<const jose::JsonWebKeySet>(std::move(loaded).value());
    }();
    return keys;
}

// Lines: access token, DPoP proof, method, URL, time (seconds). The checks that make an audit trust a
// capture must hold whatever the bytes: a proof is good once only, and nothing unsigned verifies.
void fuzzDpop(QByteArrayView input)
{
    const std::string text(input.data(), static_cast<std::size_t>(input.size()));
    std::string_view fields[5];
    std::size_t start = 0;
    for (int i = 0; i < 5 && start <= text.size(); ++i) {
        const std::size_t end = i == 4 ? text.size() : std::min(text.find('\n', start), text.size());
        fields[i] = std::string_view(text).substr(start, end - start);
        start = end + 1;
    }
    std::int64_t time = 1772438424;
    if (!fields[4].empty())
        time = std::strtoll(std::string(fields[4].substr(0, 20)).c_str(), nullptr, 10);

    jose::TokenCaptureCheck check(fixtureKeys());
    jose::DpopReplayTracker replay;
    const jose::TokenCapture capture{fields[0], fields[1], fields[2], fields[3], time};
    const jose::TokenCaptureResult first = check.check(capture, &replay);
    if (first.token.verified()) {
        if (first.token.algorithm == jose::JwsAlgorithm::None || first.token.algorithm == jose::JwsAlgorithm::Unknown)
            failFuzzCheck("dpop", QStringLiteral("a token verified with alg none"));
        if (jose::isSymmetric(first.token.algorithm))
            failFuzzCheck("dpop", QStringLiteral("a token verified with an HMAC algorithm against public keys"));
    }
    if (first.dpop && first.dpop->valid()) {
        const jose::TokenCaptureResult again = check.check(capture, &replay);
        if (!again.dpop || again.dpop->status != jose::DpopStatus::Replayed)
            failFuzzCheck("dpop", QStringLiteral("a DPoP proof was accepted twice"));
    }

    // The proof on its own, as at a token endpoint (no access token, no key binding).
    jose::DpopProofCheck proofCheck;
    const jose::DpopRequest request{fields[2], fields[3], {}, {}, time};
    const jose::DpopCheckResult proof = proofCheck.check(fields[1], request, &replay);
    if (proof.valid() && proofCheck.check(fields[1], request, &replay).status != jose::DpopStatus::Replayed)
        failFuzzCheck("dpop", QStringLiteral("a DPoP proof was accepted twice at a token endpoint"));
    (void)jose::DpopProofCheck::normalizedHtu(fields[3]);
}
#endif

#ifdef CHAINSIGHT_HAVE_CEDAR
// Parsing, then canonical formatting: what parses must format to text that parses to the same formatting.
void fuzzCedarPolicy(QByteArrayView input)
{
    const std::string_view text(input.data(), static_cast<std::size_t>(input.size()));
    const cedar::PolicyParseResult parsed = cedar::PolicyParser::parse(text, "fuzz.cedar");
    for (const auto &diagnostic : parsed.diagnostics) {
        if (diagnostic.message.empty())
            failFuzzCheck("cedar_policy", QStringLiteral("a diagnostic without a message"));
        if (diagnostic.location.offset > text.size())
            failFuzzCheck("cedar_policy", QStringLiteral("a diagnostic past the end of the text"));
    }
    if (!parsed.ok())
        return;
    const std::string formatted = cedar::formatPolicySet(parsed.policySet);
    const cedar::PolicyParseResult reparsed = cedar::PolicyParser::parse(formatted, "formatted.cedar");
    if (!reparsed.ok()) {
        failFuzzCheck("cedar_policy", QStringLiteral("the formatted text does not parse: %1\n%2")
                                          .arg(QString::fromStdString(reparsed.diagnostics.empty() ? std::string() : reparsed.diagnostics.front().message),
                                               QString::fromStdString(formatted)));
    }
    if (reparsed.policySet.policies.size() != parsed.policySet.policies.size())
        failFuzzCheck("cedar_policy", QStringLiteral("formatting changed the number of policies"));
    if (cedar::formatPolicySet(reparsed.policySet) != formatted)
        failFuzzCheck("cedar_policy", QStringLiteral("formatting is not stable:\n%1").arg(QString::fromStdString(formatted)));
}

const cedar::Schema &fixtureSchema()
{
    static const cedar::Schema schema = [] {
        QFile file(QStringLiteral(CHAINSIGHT_FUZZ_DATA_DIR "/schema.cedarschema"));
        if (!file.open(QIODevice::ReadOnly))
            failFuzzCheck("cedar", QStringLiteral("cannot read the schema fixture"));
        std::vector<cedar::Diagnostic> diagnostics;
        auto parsed = cedar::Schema::parse(file.readAll().toStdString(), diagnostics);
        if (!parsed)
            failFuzzCheck("cedar", QStringLiteral("the schema fixture does not parse"));
        return std::move(*parsed);
    }();
    return schema;
}

// The JSON the policy command reads: parsed whole, then entities, and a context record with and without a schema.
void fuzzCedarEntities(QByteArrayView input)
{
    const nlohmann::json json = nlohmann::json::parse(input.begin(), input.end(), nullptr, false);
    if (json.is_discarded())
        return;
    std::string error;
    cedar::EntityStore store;
    if (cedar::EntityStore::fromJson(json, nullptr, store, error)) {
        for (const cedar::Entity &entity : store.entities())
            (void)cedar::valueToJson(entity.attrs).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    } else if (error.empty()) {
        failFuzzCheck("cedar_entities", QStringLiteral("entities refused without a reason"));
    }
    cedar::EntityStore typed;
    error.clear();
    if (!cedar::EntityStore::fromJson(json, &fixtureSchema(), typed, error) && error.empty())
        failFuzzCheck("cedar_entities", QStringLiteral("entities refused by the schema without a reason"));

    cedar::Value context;
    error.clear();
    if (cedar::valueFromJson(json, nullptr, nullptr, context, error))
        (void)cedar::valueToJson(context).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    else if (error.empty())
        failFuzzCheck("cedar_entities", QStringLiteral("a value refused without a reason"));
    if (const cedar::SchemaAction *action = fixtureSchema().actions().empty() ? nullptr : &fixtureSchema().actions().front()) {
        error.clear();
        (void)cedar::valueFromJson(json, action->context, &fixtureSchema(), context, error);
    }
}

// Policies, entities JSON and request JSON, separated by lines holding only "%%". The full answer, the fast
// decision and the explanations must agree.
void fuzzCedarEvaluator(QByteArrayView input)
{
    const std::string_view text(input.data(), static_cast<std::size_t>(input.size()));
    const std::size_t first = text.find("\n%%\n");
    if (first == std::string_view::npos)
        return;
    const std::size_t second = text.find("\n%%\n", first + 4);
    if (second == std::string_view::npos)
        return;
    const std::string_view policyText = text.substr(0, first);
    const std::string_view entitiesText = text.substr(first + 4, second - first - 4);
    const std::string_view requestText = text.substr(second + 4);

    const cedar::PolicyParseResult parsed = cedar::PolicyParser::parse(policyText, "fuzz.cedar");
    if (parsed.policySet.policies.empty())
        return;
    const nlohmann::json entitiesJson = nlohmann::json::parse(entitiesText, nullptr, false);
    const nlohmann::json requestJson = nlohmann::json::parse(requestText, nullptr, false);
    if (entitiesJson.is_discarded() || !requestJson.is_object())
        return;
    cedar::EntityStore store;
    std::string error;
    if (!cedar::EntityStore::fromJson(entitiesJson, nullptr, store, error))
        return;
    cedar::Request request;
    if (!cedar::entityUidFromJson(requestJson.value("principal", nlohmann::json()), request.principal, error)
        || !cedar::entityUidFromJson(requestJson.value("action", nlohmann::json()), request.action, error)
        || !cedar::entityUidFromJson(requestJson.value("resource", nlohmann::json()), request.resource, error))
        return;
    if (const auto context = requestJson.find("context"); context != requestJson.end()) {
        cedar::Value value;
        if (!cedar::valueFromJson(*context, nullptr, nullptr, value, error) || value.kind() != cedar::ValueKind::Record)
            return;
        request.context = value;
    }
    const cedar::Authorizer authorizer(parsed.policySet, store);
    const cedar::Response response = authorizer.isAuthorized(request);
    if (authorizer.decide(request) != response.decision)
        failFuzzCheck("cedar_evaluator", QStringLiteral("decide() and isAuthorized() disagree"));
    if (response.decision == cedar::Decision::Allow && response.reasons.empty())
        failFuzzCheck("cedar_evaluator", QStringLiteral("allowed without a determining policy"));
    const auto explanations = cedar::explainRequest(authorizer, request);
    if (explanations.size() != parsed.policySet.policies.size())
        failFuzzCheck("cedar_evaluator", QStringLiteral("%1 explanations for %2 policies").arg(explanations.size()).arg(parsed.policySet.policies.size()));
    for (const auto &explanation : explanations)
        (void)cedar::explanationToJson(explanation).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
#endif

// Arbitrary bytes where a workspace is expected: refused with a reason or opened, and every read then answers.
void readWholeWorkspace(const Workspace &workspace)
{
    QString error;
    if (const auto info = workspace.info(&error)) {
        for (const SourceInfo &source : info->sources)
            (void)workspace.sourceDiagnostics(source.id, &error);
    }
    (void)workspace.agents(&error);
    (void)workspace.identities(&error);
}

void fuzzWorkspaceOpen(QByteArrayView input)
{
    const QString path = scratch().filePath(QStringLiteral("opened.chainsight"));
    for (const QString &suffix : {QStringLiteral("-wal"), QStringLiteral("-shm"), QStringLiteral("-journal")})
        QFile::remove(path + suffix);
    writeScratchFile(QStringLiteral("opened.chainsight"), input);
    for (const auto mode : {Workspace::OpenMode::ReadOnly, Workspace::OpenMode::OpenExisting}) {
        try {
            QString error;
            auto workspace = Workspace::open(path, mode, &error);
            if (!workspace) {
                if (error.isEmpty())
                    failFuzzCheck("workspace_open", QStringLiteral("refused without a reason"));
                continue;
            }
            readWholeWorkspace(*workspace);
        } catch (const std::exception &e) {
            failFuzzCheck("workspace_open", QStringLiteral("an exception escaped: %1").arg(QString::fromUtf8(e.what())));
        }
    }
}

// A stored chain set read back from a damaged workspace: refused or read, and what is read writes back the same.
// Read a chain at a time (as a replay does), it must agree: the same verdict, and the same chains in order.
void fuzzChainSet(QByteArrayView input)
{
    const auto read = ChainStore::deserialize(input);
    qsizetype visited = 0;
    bool sameChains = true;
    const bool streamed = ChainStore::forEachChain(input, [&](const Chain &chain) {
        sameChains = sameChains && read && visited < read->chains.size() && chain == read->chains[visited];
        ++visited;
    });
    if (streamed != read.has_value() || (read && (!sameChains || visited != read->chains.size())))
        failFuzzCheck("chain_set", QStringLiteral("reading a chain at a time disagrees with reading the whole set"));
    if (!read)
        return;
    const auto again = ChainStore::deserialize(ChainStore::serialize(*read));
    if (!again || !(*again == *read))
        failFuzzCheck("chain_set", QStringLiteral("a chain set it read does not survive writing and reading again"));
}

} // namespace

void failFuzzCheck(const char *target, const QString &what)
{
    std::fprintf(stderr, "fuzz target %s: %s\n", target, what.toLocal8Bit().constData());
    std::fflush(stderr);
    std::abort();
}

const std::vector<FuzzTarget> &fuzzTargets()
{
    static const std::vector<FuzzTarget> targets = {
        {"inventory_json", "agent inventory, JSON", fuzzInventoryJson},
        {"inventory_csv", "agent inventory, CSV", fuzzInventoryCsv},
        {"otlp_json", "OTLP/JSON trace request documents", fuzzOtlpJson},
        {"otlp_ndjson", "OTLP/JSON collector NDJSON", fuzzOtlpNdjson},
        {"otel_sdk_json", "OpenTelemetry SDK span dumps", fuzzOtelSdkJson},
        {"langfuse_trace", "Langfuse trace exports", fuzzLangfuseTrace},
#ifdef CHAINSIGHT_HAVE_JOSE
        {"jwt_captures", "JWT gateway captures with DPoP, verified against a JWKS", fuzzJwtCaptures},
        {"dpop", "token and DPoP proof checks: signature, replay, binding", fuzzDpop},
#endif
        {"keycloak_events", "Keycloak events", fuzzKeycloakEvents},
        {"okta_systemlog", "Okta System Log", fuzzOktaSystemLog},
        {"entra_signinlogs", "Entra sign-in logs", fuzzEntraSignInLogs},
        {"cloudtrail", "AWS CloudTrail, plain and gzip", fuzzCloudTrail},
        {"mcp_log", "MCP JSON-RPC logs", fuzzMcpLog},
#ifdef CHAINSIGHT_HAVE_CEDAR
        {"cedar_policy", "Cedar policy parser and formatter", fuzzCedarPolicy},
        {"cedar_entities", "Cedar entities and context JSON", fuzzCedarEntities},
        {"cedar_evaluator", "Cedar authorizer on parsed policies, entities and requests", fuzzCedarEvaluator},
#endif
        {"workspace_open", "workspace opener on arbitrary bytes", fuzzWorkspaceOpen},
        {"chain_set", "stored chain sets (the chains an analysis keeps in the workspace)", fuzzChainSet},
    };
    return targets;
}

const FuzzTarget *fuzzTarget(QByteArrayView name)
{
    for (const FuzzTarget &target : fuzzTargets()) {
        if (name == QByteArrayView(target.name))
            return &target;
    }
    return nullptr;
}

} // namespace chainsight::fuzz
