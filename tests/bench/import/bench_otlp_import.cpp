// OTLP NDJSON import throughput, end to end into a workspace, beside the raw reference of the same run.
//
//   bench_otlp_import [--world DIR] [--events N] [--tokens-world DIR] [--rounds N]
//
// Without --world it writes a world with gen_enterprise.py (--formats otlp, --events N, default
// 1,000,000) into a temporary folder. Figures printed:
//   reference: single thread, chunked reads into one reused buffer, simdjson on-demand, trace id, span id,
//              parent, name, times, agent, tool and user inserted with one prepared statement in one
//              transaction, nothing else;
//   parse only: the same without SQLite;
//   chainsight: ImportRunner into a fresh workspace that already holds the world's inventory.
// The two take turns for --rounds rounds (default 3), each into fresh files; the medians are compared.
// Then JWT captures: tokens.jsonl of --tokens-world (or a 40,000-capture world it writes) imported with
// signature and DPoP verification against its jwks.json (target: 20,000 tokens/s).
#include "BenchScratch.h"
#include "ImportRunner.h"
#include "Workspace.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <simdjson.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <vector>
#include <cstring>
#include <string>

namespace od = simdjson::ondemand;

namespace {

struct ReferenceRow
{
    std::string_view traceId, spanId, parent, name, agent, tool, user;
    std::int64_t start = 0, end = 0;
};

std::int64_t nanos(od::value value)
{
    std::string_view text;
    if (value.get_string().get(text) == simdjson::SUCCESS)
        return std::atoll(std::string(text).c_str());
    std::int64_t number = 0;
    if (value.get_int64().get(number) != simdjson::SUCCESS)
        return 0;
    return number;
}

// The reference: everything a minimal importer must do, and nothing more.
qint64 referenceImport(const QStringList &files, sqlite3 *db, bool insert)
{
    sqlite3_stmt *statement = nullptr;
    if (insert) {
        sqlite3_exec(db, "CREATE TABLE spans (trace_id TEXT, span_id TEXT, parent TEXT, name TEXT, start INTEGER, "
                         "end_time INTEGER, agent TEXT, tool TEXT, user TEXT); BEGIN",
                     nullptr, nullptr, nullptr);
        sqlite3_prepare_v2(db, "INSERT INTO spans VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &statement, nullptr);
    }
    od::parser parser;
    std::string buffer(8u << 20, '\0');
    qint64 spans = 0;
    for (const QString &path : files) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        std::size_t filled = 0;
        while (true) {
            const qint64 read = file.read(buffer.data() + filled, static_cast<qint64>(buffer.size() - simdjson::SIMDJSON_PADDING - filled));
            filled += static_cast<std::size_t>(std::max<qint64>(read, 0));
            std::size_t start = 0;
            while (true) {
                const char *newline = static_cast<const char *>(std::memchr(buffer.data() + start, '\n', filled - start));
                if (!newline)
                    break;
                const std::size_t length = static_cast<std::size_t>(newline - (buffer.data() + start));
                od::document document = parser.iterate(buffer.data() + start, length, buffer.size() - start);
                for (auto resource : document["resourceSpans"]) {
                    std::string_view service;
                    for (auto scope : resource["scopeSpans"]) {
                        for (auto span : scope["spans"]) {
                            ReferenceRow row;
                            for (auto field : span.get_object()) {
                                const std::string_view key = field.unescaped_key();
                                if (key == "traceId")
                                    row.traceId = field.value().get_string();
                                else if (key == "spanId")
                                    row.spanId = field.value().get_string();
                                else if (key == "parentSpanId")
                                    row.parent = field.value().get_string();
                                else if (key == "name")
                                    row.name = field.value().get_string();
                                else if (key == "startTimeUnixNano")
                                    row.start = nanos(field.value());
                                else if (key == "endTimeUnixNano")
                                    row.end = nanos(field.value());
                                else if (key == "attributes") {
                                    for (auto attribute : field.value().get_array()) {
                                        std::string_view attributeKey;
                                        for (auto pair : attribute.get_object()) {
                                            const std::string_view pairKey = pair.unescaped_key();
                                            if (pairKey == "key") {
                                                attributeKey = pair.value().get_string();
                                            } else if (attributeKey == "gen_ai.agent.id") {
                                                row.agent = pair.value()["stringValue"].get_string();
                                            } else if (attributeKey == "gen_ai.tool.name") {
                                                row.tool = pair.value()["stringValue"].get_string();
                                            } else if (attributeKey == "enduser.id") {
                                                row.user = pair.value()["stringValue"].get_string();
                                            }
                                        }
                                    }
                                }
                            }
                            ++spans;
                            if (insert) {
                                auto text = [&](int index, std::string_view value) {
                                    sqlite3_bind_text(statement, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
                                };
                                text(1, row.traceId);
                                text(2, row.spanId);
                                text(3, row.parent);
                                text(4, row.name);
                                sqlite3_bind_int64(statement, 5, row.start);
                                sqlite3_bind_int64(statement, 6, row.end);
                                text(7, row.agent);
                                text(8, row.tool);
                                text(9, row.user);
                                sqlite3_step(statement);
                                sqlite3_reset(statement);
                            }
                        }
                    }
                    (void)service;
                }
                start += length + 1;
            }
            std::memmove(buffer.data(), buffer.data() + start, filled - start);
            filled -= start;
            if (read <= 0)
                break;
        }
    }
    if (insert) {
        sqlite3_finalize(statement);
        sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    }
    return spans;
}

long peakRssMb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QString world;
    QString tokensWorld;
    QString events = QStringLiteral("1000000");
    int roundCount = 3;
    const QStringList arguments = app.arguments();
    for (int i = 1; i + 1 < arguments.size(); i += 2) {
        if (arguments[i] == QLatin1String("--world"))
            world = arguments[i + 1];
        else if (arguments[i] == QLatin1String("--events"))
            events = arguments[i + 1];
        else if (arguments[i] == QLatin1String("--tokens-world"))
            tokensWorld = arguments[i + 1];
        else if (arguments[i] == QLatin1String("--rounds"))
            roundCount = std::max(1, arguments[i + 1].toInt());
    }
    QTemporaryDir scratch(chainsight::bench::scratchTemplate(QStringLiteral("bench_otlp_import")));
    if (world.isEmpty()) {
        world = scratch.filePath(QStringLiteral("world"));
        std::printf("writing a world of %s events with gen_enterprise.py...\n", qPrintable(events));
        std::fflush(stdout);
        const int rc = QProcess::execute(QStringLiteral("python3"),
                                         {QStringLiteral(CHAINSIGHT_SHARED_DIR "/bench/gen_enterprise.py"), QStringLiteral("--out"), world,
                                          QStringLiteral("--events"), events, QStringLiteral("--formats"), QStringLiteral("otlp"),
                                          QStringLiteral("--no-crypto")});
        if (rc != 0) {
            std::fprintf(stderr, "gen_enterprise.py failed\n");
            return 2;
        }
    }
    QStringList files;
    qint64 bytes = 0;
    for (const QFileInfo &info : QDir(world + QStringLiteral("/otlp")).entryInfoList({QStringLiteral("*.jsonl")}, QDir::Files, QDir::Name)) {
        files.push_back(info.absoluteFilePath());
        bytes += info.size();
    }
    if (files.isEmpty()) {
        std::fprintf(stderr, "no otlp/*.jsonl under %s\n", qPrintable(world));
        return 2;
    }
    // Warm the page cache so every contender reads from memory.
    for (const QString &path : files) {
        QFile file(path);
        if (file.open(QIODevice::ReadOnly))
            while (!file.read(8 << 20).isEmpty()) {
            }
    }
    std::printf("input: %lld files, %.1f MB\n", static_cast<long long>(files.size()), double(bytes) / 1e6);

    QElapsedTimer clock;
    clock.start();
    const qint64 parsed = referenceImport(files, nullptr, false);
    const double parseSeconds = double(clock.nsecsElapsed()) / 1e9;

    // The machine's speed drifts by a tenth from minute to minute: the contenders take turns, each round into fresh
    // files, and the medians are compared. Each starts with no dirty pages of the other's waiting to be written.
    struct Round
    {
        double reference = 0, referenceClosed = 0, chainsight = 0, chainsightClosed = 0;
    };
    std::vector<Round> rounds;
    qint64 referenceSpans = 0;
    qint64 imported = 0;
    const std::atomic_bool notCancelled{false};
    for (int round = 0; round < roundCount; ++round) {
        Round times;
        ::sync();
        sqlite3 *db = nullptr;
        const QByteArray referencePath = QFile::encodeName(scratch.filePath(QStringLiteral("reference-%1.db").arg(round)));
        sqlite3_open(referencePath.constData(), &db);
        sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL", nullptr, nullptr, nullptr);
        clock.restart();
        referenceSpans = referenceImport(files, db, true);
        times.reference = double(clock.nsecsElapsed()) / 1e9;
        // Closing copies the write-ahead log into the database file: the reference's data is only there now.
        sqlite3_close(db);
        times.referenceClosed = double(clock.nsecsElapsed()) / 1e9;
        QFile::remove(QFile::decodeName(referencePath));

        ::sync();
        const QString workspacePath = scratch.filePath(QStringLiteral("bench-%1.chainsight").arg(round));
        chainsight::ImportRunner::run(workspacePath, {world + QStringLiteral("/inventory.json")}, {}, {}, notCancelled);
        QString openError;
        auto workspace = chainsight::Workspace::open(workspacePath, chainsight::Workspace::OpenMode::OpenExisting, &openError);
        if (!workspace) {
            std::fprintf(stderr, "cannot open the workspace: %s\n", qPrintable(openError));
            return 3;
        }
        clock.restart();
        const chainsight::ImportResult result = chainsight::ImportRunner::run(*workspace, files, {}, {}, notCancelled);
        times.chainsight = double(clock.nsecsElapsed()) / 1e9;
        workspace.reset();
        times.chainsightClosed = double(clock.nsecsElapsed()) / 1e9;
        if (result.status != chainsight::ImportResult::Status::Committed) {
            std::fprintf(stderr, "import failed: %s\n", qPrintable(result.failure));
            return 3;
        }
        imported = result.recordCount();
        QFile::remove(workspacePath);
        rounds.push_back(times);
        std::printf("round %d: reference %.2f s (closed %.2f s), chainsight %.2f s (closed %.2f s): %.2fx\n", round + 1,
                    times.reference, times.referenceClosed, times.chainsight, times.chainsightClosed, times.reference / times.chainsight);
        std::fflush(stdout);
    }
    const auto median = [&rounds](double Round::*field) {
        std::vector<double> values;
        for (const Round &round : rounds)
            values.push_back(round.*field);
        std::sort(values.begin(), values.end());
        return values[values.size() / 2];
    };
    const double referenceSeconds = median(&Round::reference);
    const double referenceClosedSeconds = median(&Round::referenceClosed);
    const double chainsightSeconds = median(&Round::chainsight);
    const double chainsightClosedSeconds = median(&Round::chainsightClosed);

    auto line = [](const char *label, qint64 count, double seconds) {
        std::printf("%-44s %10lld %12.0f %8.2f\n", label, static_cast<long long>(count), double(count) / seconds, seconds);
    };
    std::printf("medians of %d rounds:\n%-44s %10s %12s %8s\n", roundCount, "", "spans", "spans/s", "s");
    line("reference parse only (1 thread)", parsed, parseSeconds);
    line("reference parse + insert, to commit", referenceSpans, referenceSeconds);
    line("reference parse + insert, to closed file", referenceSpans, referenceClosedSeconds);
    line("chainsight import, to commit", imported, chainsightSeconds);
    line("chainsight import, to closed file", imported, chainsightClosedSeconds);
    const double referenceRate = double(referenceSpans) / referenceSeconds;
    const double chainsightRate = double(imported) / chainsightSeconds;
    std::printf("ratio chainsight / reference, both to commit: %.2fx (target >= 1.0x)\n", chainsightRate / referenceRate);
    std::printf("ratio chainsight / reference, both to the closed file: %.2fx\n",
                (double(imported) / chainsightClosedSeconds) / (double(referenceSpans) / referenceClosedSeconds));
    std::printf("chainsight, to the closed file: %.0f spans/s (target >= 250000)\n", double(imported) / chainsightClosedSeconds);
    std::printf("peak RSS of this process: %ld MB (target < 1024 MB)\n", peakRssMb());

    if (tokensWorld.isEmpty()) {
        tokensWorld = scratch.filePath(QStringLiteral("tokens-world"));
        std::printf("writing a world of 40000 token captures with gen_enterprise.py...\n");
        std::fflush(stdout);
        if (QProcess::execute(QStringLiteral("python3"), {QStringLiteral(CHAINSIGHT_SHARED_DIR "/bench/gen_enterprise.py"), QStringLiteral("--out"),
                                                          tokensWorld, QStringLiteral("--agents"), QStringLiteral("100"), QStringLiteral("--events"),
                                                          QStringLiteral("40000"), QStringLiteral("--formats"), QStringLiteral("tokens")})
            != 0)
            return 0;
    }
    const QString tokensWorkspace = scratch.filePath(QStringLiteral("tokens.chainsight"));
    chainsight::ImportRunner::run(tokensWorkspace, {tokensWorld + QStringLiteral("/inventory.json")}, {}, {}, notCancelled);
    chainsight::ImportOptions verify;
    verify.jwksPath = tokensWorld + QStringLiteral("/jwks.json");
    clock.restart();
    const chainsight::ImportResult tokens = chainsight::ImportRunner::run(tokensWorkspace, {tokensWorld + QStringLiteral("/tokens.jsonl")}, verify, {}, notCancelled);
    const double tokenSeconds = double(clock.nsecsElapsed()) / 1e9;
    std::printf("%-34s %10lld %12.0f %8.2f  (target >= 20000 tokens/s)\n", "jwt captures, verified (end to end)",
                static_cast<long long>(tokens.recordCount()), double(tokens.recordCount()) / tokenSeconds, tokenSeconds);
    return 0;
}
