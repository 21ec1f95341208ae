#include "JwtCaptureImporter.h"

#include "Inventory.h"
#include "Workspace.h"
#include "jose/JsonWebKeySet.h"
#include "jose/TokenCaptureCheck.h"

#include <QFile>
#include <QRegularExpression>

#include <nlohmann/json.hpp>

namespace chainsight {
namespace {

using json = nlohmann::json;
namespace jose = chainsight::jose;

constexpr qint64 maximumLineBytes = 16ll * 1024 * 1024;

QString qs(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString jsonText(const json &object, const char *key)
{
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString();
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
    if (claims) {
        json chain = json::array();
        for (const auto &actor : claims->actorChain)
            chain.push_back(actor.subject);
        verdict["act_chain"] = chain;
        verdict["may_act"] = std::string(jose::mayActDecisionName(claims->currentActorPermittedByMayAct()));
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
    jose::TokenCaptureCheck check(keys, {}, {}, std::make_shared<jose::SignatureResultCache>());
    jose::DpopReplayTracker replay;
    WorkspaceWriter &writer = context.writer();

    qint64 imported = 0;
    qint64 lineNumber = 0;
    qint64 offset = 0;
    while (!file.atEnd()) {
        if (context.isCancelled())
            return imported;
        const qint64 lineStart = offset;
        QByteArray line = file.readLine(maximumLineBytes);
        ++lineNumber;
        offset += line.size();
        if (!line.endsWith('\n') && !file.atEnd()) {
            context.error({lineNumber, 1}, QStringLiteral("line longer than %1 MB; skipped").arg(maximumLineBytes >> 20));
            while (!file.atEnd() && !line.endsWith('\n')) {
                line = file.readLine(maximumLineBytes);
                offset += line.size();
            }
            continue;
        }
        const QByteArray trimmed = line.trimmed();
        if (trimmed.isEmpty())
            continue;

        jose::TokenCapture capture;
        std::string token;
        std::string dpop;
        std::string method;
        std::string url;
        std::optional<qint64> timeMs;
        if (looksLikeCompactJws(trimmed)) {
            token = trimmed.toStdString();
        } else {
            const json record = json::parse(trimmed.constBegin(), trimmed.constEnd(), nullptr, false);
            if (record.is_discarded() || !record.is_object()) {
                context.error({lineNumber, 1}, QStringLiteral("capture skipped: not a JSON object or a compact JWS"));
                continue;
            }
            const auto tokenField = record.find("token");
            if (tokenField == record.end() || !tokenField->is_string()) {
                context.error({lineNumber, 1}, QStringLiteral("capture skipped: no \"token\" string"));
                continue;
            }
            token = tokenField->get<std::string>();
            if (const auto it = record.find("dpop"); it != record.end() && it->is_string())
                dpop = it->get<std::string>();
            if (const auto it = record.find("request"); it != record.end() && it->is_object()) {
                method = jsonText(*it, "method").toStdString();
                url = jsonText(*it, "url").toStdString();
            }
            const QString time = jsonText(record, "time");
            if (!time.isEmpty()) {
                const auto parsed = parseRfc3339(time);
                if (!parsed) {
                    context.error({lineNumber, 1}, QStringLiteral("capture skipped: \"time\" is not an RFC 3339 date-time"));
                    continue;
                }
                timeMs = parsed->toMSecsSinceEpoch();
            }
        }
        capture.token = token;
        capture.dpopProof = dpop;
        capture.method = method;
        capture.url = url;
        capture.time = timeMs ? *timeMs / 1000 : 0;
        const jose::TokenCaptureResult result = check.check(capture, &replay);
        if (!result.claims) {
            context.error({lineNumber, 1}, QStringLiteral("token skipped: %1").arg(qs(result.claimsError.empty() ? result.token.message : result.claimsError)));
            continue;
        }
        const jose::DelegationClaims &claims = *result.claims;
        const QString issuer = qs(claims.issuer);
        const QString client = qs(claims.effectiveClientId());
        const jose::ActorIdentity *current = claims.currentActor();
        // The acting party is the outermost act; without delegation it is the client the token was issued to.
        const QString actor = current ? qs(current->clientId.empty() ? current->subject : current->clientId) : client;

        AuditEvent event;
        event.timeMs = timeMs ? timeMs : (claims.issuedAt ? std::optional<qint64>(*claims.issuedAt * 1000) : std::nullopt);
        event.protocol = QStringLiteral("oauth");
        event.kind = dpop.empty() ? QStringLiteral("access_token") : QStringLiteral("access_token+dpop");
        event.actor = actorAlias(actor, issuer);
        if (qs(claims.subject) != client && qs(claims.subject) != actor)
            event.originator = qs(claims.subject);
        event.action = method.empty() ? QString() : qs(method);
        event.resource = qs(url);
        for (const std::string &scope : claims.scopes)
            event.scopes.push_back(qs(scope));
        event.outcome = !keysGiven ? QStringLiteral("not-checked") : qs(jose::jwsStatusName(result.token.status));
        event.tokenId = qs(claims.tokenId);
        event.sessionId = qs(claims.sessionId);
        event.attributesJson = verdictJson(result, &claims, keysGiven);
        event.line = lineNumber;
        event.rawOffset = lineStart;
        event.rawLength = line.size();
        writer.resolveHuman(event.originator, context.sourceId());
        const qint64 eventId = writer.addEvent(event, context.sourceId());

        // RFC 8693: the innermost act acted first; each outer actor received the work from the one inside it.
        if (!claims.actorChain.empty()) {
            for (std::size_t i = claims.actorChain.size() - 1; i > 0; --i) {
                const auto &from = claims.actorChain[i];
                const auto &to = claims.actorChain[i - 1];
                DelegationLink link;
                link.delegator = actorAlias(qs(from.clientId.empty() ? from.subject : from.clientId), issuer);
                link.delegate = actorAlias(qs(to.clientId.empty() ? to.subject : to.clientId), issuer);
                link.protocol = QStringLiteral("oauth");
                link.timeMs = event.timeMs;
                if (i == 1)
                    link.scopes = event.scopes;
                writer.addDelegationEdge(link, context.sourceId(), eventId);
            }
        }
        ++imported;
        context.reportProgress(offset, imported);
    }
    return imported;
}

} // namespace chainsight
