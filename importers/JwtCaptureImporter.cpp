#include "JwtCaptureImporter.h"

#include "Inventory.h"
#include "Workspace.h"
#include "jose/JsonWebKeySet.h"
#include "jose/TokenCaptureCheck.h"

#include <QFile>
#include <QRegularExpression>

#include <array>
#include <atomic>
#include <thread>

#include <nlohmann/json.hpp>
#include <simdjson.h>

namespace chainsight {
namespace {

using json = nlohmann::json;
using namespace std::string_view_literals;
namespace jose = chainsight::jose;

constexpr qint64 maximumLineBytes = 16ll * 1024 * 1024;

QString qs(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

// Actors in act/sub are OAuth client ids or workload identities (SPIFFE IDs); each matches its own family.
AliasRef actorAlias(const QString &value, const QString &issuer)
{
    if (value.startsWith(QLatin1String("spiffe://")))
        return AliasRef{AliasFamily::Spiffe, value.section(QLatin1Char('/'), 2, 2), value};
    return AliasRef{AliasFamily::OAuthClient, issuer, value};
}

bool looksLikeCompactJws(const QByteArray &line)
{
    return line.count('.') == 2 && !line.contains('{') && !line.contains(' ');
}

// The verdict kept with every token: signature, time, delegation and DPoP, as JSON for evidence.
QString verdictJson(const jose::TokenCaptureResult &result, const jose::DelegationClaims *claims, bool keysGiven)
{
    json verdict;
    verdict["signature"] = keysGiven ? std::string(jose::jwsStatusName(result.token.status)) : std::string("not-checked");
    if (!result.token.message.empty())
        verdict["signature_message"] = result.token.message;
    verdict["alg"] = std::string(jose::jwsAlgorithmName(result.token.algorithm));
    if (!result.token.keyId.empty())
        verdict["kid"] = result.token.keyId;
    verdict["expired"] = result.token.time.expired;
    verdict["not_yet_valid"] = result.token.time.notYetValid;
    // Presented before it was issued: a clock problem at best, a forged or replayed capture at worst.
    verdict["issued_in_future"] = result.token.time.issuedInFuture;
    verdict["invalid_time_claim"] = result.token.time.invalidTimeClaim;
    if (claims) {
        json chain = json::array();
        for (const auto &actor : claims->actorChain)
            chain.push_back(actor.subject);
        verdict["act_chain"] = chain;
        // Who may act next with this token (RFC 8693 4.4): checked against the token it is exchanged for
        // by the may-act-violation rule, since the capture alone does not say which token that is.
        if (claims->mayAct) {
            json mayAct = json::object();
            if (!claims->mayAct->subject.empty())
                mayAct["sub"] = claims->mayAct->subject;
            if (!claims->mayAct->clientId.empty())
                mayAct["client_id"] = claims->mayAct->clientId;
            if (!claims->mayAct->issuer.empty())
                mayAct["iss"] = claims->mayAct->issuer;
            verdict["may_act"] = mayAct;
        }
        if (!claims->confirmationThumbprint.empty())
            verdict["cnf_jkt"] = claims->confirmationThumbprint;
    }
    if (result.dpop) {
        verdict["dpop"] = std::string(jose::dpopStatusName(result.dpop->status));
        if (!result.dpop->message.empty())
            verdict["dpop_message"] = result.dpop->message;
    }
    return QString::fromStdString(verdict.dump());
}


constexpr std::size_t captureBatchSize = 512;

// One capture line on its way through reading (reader), checking (either verifier thread) and writing.
struct TokenCaptureRecord
{
    QByteArray line;
    qint64 lineNumber = 0;
    qint64 rawOffset = 0;
    qint64 rawLength = 0;
    std::string token;
    std::string dpop;
    std::string method;
    std::string url;
    std::optional<qint64> timeMs;
    QString problem; // set: the capture is skipped with this diagnostic
    jose::TokenCaptureResult result;
};

// Reads the next line into record; false for a blank line. Lines over the limit become a problem.
bool readCaptureLine(QFile &file, TokenCaptureRecord &record, qint64 &lineNumber, qint64 &offset)
{
    record.line.resize(0);
    record.problem.clear();
    record.rawOffset = offset;
    bool tooLong = false;
    while (!file.atEnd()) {
        char chunk[16384];
        const qint64 read = file.readLine(chunk, sizeof chunk);
        if (read <= 0)
            break;
        offset += read;
        if (record.line.size() + read <= maximumLineBytes)
            record.line.append(chunk, read);
        else
            tooLong = true;
        if (chunk[read - 1] == '\n')
            break;
    }
    ++lineNumber;
    record.lineNumber = lineNumber;
    record.rawLength = offset - record.rawOffset;
    if (tooLong) {
        record.problem = QStringLiteral("line longer than %1 MB; skipped").arg(maximumLineBytes >> 20);
        return true;
    }
    return !record.line.trimmed().isEmpty();
}

// Reads one string member of a capture object; a second occurrence of the key is a problem, not a silent overwrite.
bool captureText(simdjson::dom::object object, std::string_view key, std::string &out, bool &present, QString &problem)
{
    present = false;
    bool seen = false;
    for (const auto field : object) {
        if (field.key != key)
            continue;
        if (seen) {
            problem = QStringLiteral("capture skipped: \"%1\" appears twice").arg(qs(key));
            return false;
        }
        seen = true;
        std::string_view text;
        present = field.value.get_string().get(text) == simdjson::SUCCESS; // another type counts as absent
        if (present)
            out.assign(text);
    }
    return true;
}

// Parses the capture and runs the signature, time, claims and DPoP checks; safe on any thread with its own
// check and parser. simdjson's DOM parser validates the whole line, as the checks need it anyway.
void checkCapture(TokenCaptureRecord &record, jose::TokenCaptureCheck &check, simdjson::dom::parser &parser)
{
    if (!record.problem.isEmpty())
        return;
    const QByteArray trimmed = record.line.trimmed();
    record.token.clear();
    record.dpop.clear();
    record.method.clear();
    record.url.clear();
    record.timeMs.reset();
    if (looksLikeCompactJws(trimmed)) {
        record.token = trimmed.toStdString();
    } else {
        simdjson::dom::object capture;
        if (parser.parse(trimmed.constData(), static_cast<std::size_t>(trimmed.size())).get_object().get(capture) != simdjson::SUCCESS) {
            record.problem = QStringLiteral("capture skipped: not a JSON object or a compact JWS");
            return;
        }
        bool present = false;
        if (!captureText(capture, "token"sv, record.token, present, record.problem))
            return;
        if (!present) {
            record.problem = QStringLiteral("capture skipped: no \"token\" string");
            return;
        }
        if (!captureText(capture, "dpop"sv, record.dpop, present, record.problem))
            return;
        simdjson::dom::object request;
        if (capture["request"sv].get_object().get(request) == simdjson::SUCCESS) {
            if (!captureText(request, "method"sv, record.method, present, record.problem)
                || !captureText(request, "url"sv, record.url, present, record.problem))
                return;
        }
        std::string time;
        if (!captureText(capture, "time"sv, time, present, record.problem))
            return;
        if (!time.empty()) {
            const auto parsed = parseRfc3339(QString::fromUtf8(time.data(), static_cast<qsizetype>(time.size())));
            if (!parsed) {
                record.problem = QStringLiteral("capture skipped: \"time\" is not an RFC 3339 date-time");
                return;
            }
            record.timeMs = parsed->toMSecsSinceEpoch();
        }
    }
    jose::TokenCapture capture;
    capture.token = record.token;
    capture.dpopProof = record.dpop;
    capture.method = record.method;
    capture.url = record.url;
    capture.time = record.timeMs ? *record.timeMs / 1000 : 0;
    record.result = check.check(capture, nullptr);
    if (!record.result.claims) {
        record.problem = QStringLiteral("token skipped: %1")
                             .arg(qs(record.result.claimsError.empty() ? record.result.token.message : record.result.claimsError));
    }
}

// The token's event and the delegation hops of its act chain.
void writeCapture(const TokenCaptureRecord &record, bool keysGiven, WorkspaceWriter &writer, qint64 sourceId)
{
    const jose::TokenCaptureResult &result = record.result;
    const jose::DelegationClaims &claims = *result.claims;
    const QString issuer = qs(claims.issuer);
    const QString client = qs(claims.effectiveClientId());
    const jose::ActorIdentity *current = claims.currentActor();
    // The acting party is the outermost act; without delegation it is the client the token was issued to.
    const QString actor = current ? qs(current->clientId.empty() ? current->subject : current->clientId) : client;

    AuditEvent event;
    event.timeMs = record.timeMs ? record.timeMs : (claims.issuedAt ? std::optional<qint64>(*claims.issuedAt * 1000) : std::nullopt);
    event.protocol = QStringLiteral("oauth");
    event.kind = record.dpop.empty() ? QStringLiteral("access_token") : QStringLiteral("access_token+dpop");
    event.actor = actorAlias(actor, issuer);
    if (qs(claims.subject) != client && qs(claims.subject) != actor)
        event.originator = qs(claims.subject);
    event.action = qs(record.method);
    event.resource = qs(record.url);
    for (const std::string &scope : claims.scopes)
        event.scopes.push_back(qs(scope));
    event.outcome = !keysGiven ? QStringLiteral("not-checked") : qs(jose::jwsStatusName(result.token.status));
    event.tokenId = qs(claims.tokenId);
    event.sessionId = qs(claims.sessionId);
    event.attributesJson = verdictJson(result, &claims, keysGiven);
    event.line = record.lineNumber;
    event.rawOffset = record.rawOffset;
    event.rawLength = record.rawLength;
    writer.resolveHuman(event.originator, sourceId);
    const qint64 eventId = writer.addEvent(event, sourceId);

    // RFC 8693: the innermost act acted first; each outer actor received the work from the one inside it.
    for (std::size_t i = claims.actorChain.size(); i > 1; --i) {
        const auto &from = claims.actorChain[i - 1];
        const auto &to = claims.actorChain[i - 2];
        DelegationLink link;
        link.delegator = actorAlias(qs(from.clientId.empty() ? from.subject : from.clientId), issuer);
        link.delegate = actorAlias(qs(to.clientId.empty() ? to.subject : to.clientId), issuer);
        link.protocol = QStringLiteral("oauth");
        link.timeMs = event.timeMs;
        if (i == 2)
            link.scopes = event.scopes;
        writer.addDelegationEdge(link, sourceId, eventId);
    }
}

} // namespace

int JwtCaptureImporter::sniff(const SniffSample &sample) const
{
    const QByteArray head = sample.head.left(8192);
    const QByteArray first = head.left(head.indexOf('\n')).trimmed();
    if (first.startsWith('{') && first.contains("\"token\"") && first.contains("\"eyJ"))
        return 90;
    static const QRegularExpression compact(QStringLiteral(R"(^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$)"));
    if (compact.match(QString::fromLatin1(first)).hasMatch())
        return 80;
    return 0;
}

qint64 JwtCaptureImporter::import(ImportContext &context) const
{
    QFile file(context.path());
    if (!file.open(QIODevice::ReadOnly)) {
        context.error({}, QStringLiteral("cannot read the file: %1").arg(file.errorString()));
        return -1;
    }
    std::shared_ptr<const jose::JsonWebKeySet> keys;
    const bool keysGiven = !context.options().jwksPath.isEmpty();
    if (keysGiven) {
        auto loaded = jose::JsonWebKeySet::fromFile(QFile::encodeName(context.options().jwksPath).toStdString());
        if (!loaded) {
            context.error({}, QStringLiteral("the JWKS %1 cannot be used: %2").arg(context.options().jwksPath, qs(loaded.message())));
            return -1;
        }
        keys = std::make_shared<const jose::JsonWebKeySet>(std::move(loaded).value());
    } else {
        keys = std::make_shared<const jose::JsonWebKeySet>();
        context.warning({}, QStringLiteral("no --jwks given: token signatures are recorded as not checked"));
    }
    // Gateways log the same token on every call it authorizes: verify each distinct token once.
    const auto signatureCache = std::make_shared<jose::SignatureResultCache>();
    // Signature checks dominate; two verifiers (not thread-safe, so one each) split every batch.
    std::array<std::unique_ptr<jose::TokenCaptureCheck>, 2> checks = {
        std::make_unique<jose::TokenCaptureCheck>(keys, jose::VerifierPolicy{}, jose::DpopPolicy{}, signatureCache),
        std::make_unique<jose::TokenCaptureCheck>(keys, jose::VerifierPolicy{}, jose::DpopPolicy{}, signatureCache)};
    // Replays are judged in file order, on the writing thread, so the first use always wins.
    jose::DpopReplayTracker replay;
    WorkspaceWriter &writer = context.writer();

    qint64 imported = 0;
    qint64 lineNumber = 0;
    qint64 offset = 0;
    // Two batches in flight: while this thread writes one (in file order), the other verifier checks the
    // next; this thread joins in once its writes are done.
    std::array<std::vector<TokenCaptureRecord>, 2> batches = {std::vector<TokenCaptureRecord>(captureBatchSize),
                                                              std::vector<TokenCaptureRecord>(captureBatchSize)};
    std::array<std::size_t, 2> filled = {0, 0};
    auto fill = [&](std::vector<TokenCaptureRecord> &batch) {
        std::size_t count = 0;
        while (count < batch.size() && !file.atEnd()) {
            if (readCaptureLine(file, batch[count], lineNumber, offset))
                ++count;
        }
        return count;
    };
    auto write = [&](std::vector<TokenCaptureRecord> &batch, std::size_t count) {
        for (std::size_t i = 0; i < count; ++i) {
            TokenCaptureRecord &record = batch[i];
            if (!record.problem.isEmpty()) {
                context.error({record.lineNumber, 1}, record.problem);
                continue;
            }
            if (record.result.dpop && record.result.dpop->valid()
                && !replay.recordFirstUse(record.result.dpop->thumbprint, record.result.dpop->tokenId, record.result.dpop->issuedAt)) {
                record.result.dpop->status = jose::DpopStatus::Replayed;
                record.result.dpop->message = "DPoP proof jti already used with this key earlier in the file";
            }
            writeCapture(record, keysGiven, writer, context.sourceId());
            ++imported;
        }
    };

    // Both threads take captures from a shared cursor, so the writing thread checks fewer of them the
    // longer its writes take: neither waits for a fixed half of the other.
    std::array<simdjson::dom::parser, 2> parsers;
    auto checkAll = [&checks, &parsers](std::vector<TokenCaptureRecord> &batch, std::size_t count, std::atomic_size_t &cursor, std::size_t verifier) {
        for (std::size_t i = cursor.fetch_add(1, std::memory_order_relaxed); i < count; i = cursor.fetch_add(1, std::memory_order_relaxed))
            checkCapture(batch[i], *checks[verifier], parsers[verifier]);
    };
    std::size_t current = 0;
    filled[current] = fill(batches[current]);
    {
        std::atomic_size_t cursor{0};
        std::thread helper([&] { checkAll(batches[current], filled[current], cursor, 1); });
        checkAll(batches[current], filled[current], cursor, 0);
        helper.join();
    }
    while (filled[current] > 0) {
        if (context.isCancelled())
            return imported;
        const std::size_t next = 1 - current;
        filled[next] = fill(batches[next]);
        std::atomic_size_t cursor{0};
        std::thread helper([&] { checkAll(batches[next], filled[next], cursor, 1); });
        try {
            write(batches[current], filled[current]);
        } catch (...) {
            cursor.store(filled[next]); // stop the helper early; never leave a running thread behind a store error
            helper.join();
            throw;
        }
        checkAll(batches[next], filled[next], cursor, 0);
        helper.join();
        context.reportProgress(offset, imported);
        current = next;
    }
    return imported;
}

} // namespace chainsight
