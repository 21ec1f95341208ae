// The published vectors (RFC 7515 appendix A, RFC 7520 cookbook, RFC 8037, RFC 9449, RFC 8693)
// and a gen_enterprise world, all read in place from the shared samples; skipped without them.
#include "JoseTestSupport.h"

#include "jose/SignatureEngine.h"

#include <QtCore/QDateTime>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <map>
#include <set>

using namespace chainsight::jose;
using namespace chainsight::jose::testing;
using json = nlohmann::json;

class JoseSharedVectorsTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void rfc7515AppendixA_data();
    void rfc7515AppendixA();
    void rfc7515ErlangConfigs_data();
    void rfc7515ErlangConfigs();
    void rfc8037ErlangConfigs();
    void rfc7520Cookbook_data();
    void rfc7520Cookbook();
    void rfc7520MultipleSignatures();
    void rfc8037();
    void rfc9449Dpop();
    void rfc8693Claims();
    void enterpriseWorld_data();
    void enterpriseWorld();

private:
    QString vectors(const QString& name) const { return m_shared + QStringLiteral("/samples/jose-test-vectors/") + name; }
    QString m_shared;
};

namespace {

std::shared_ptr<const JsonWebKeySet> setOf(const json& jwk)
{
    auto set = JsonWebKeySet::fromJson(jwk);
    if (!set)
        qWarning("%s", set.message().c_str());
    return std::make_shared<const JsonWebKeySet>(set ? std::move(set.value()) : JsonWebKeySet());
}

VerificationResult verifyOpaque(const std::shared_ptr<const JsonWebKeySet>& keys, const std::string& token)
{
    auto jws = CompactJws::parse(token, {}, JwsPayloadKind::Opaque);
    if (!jws) {
        VerificationResult failed;
        failed.status = jws.status();
        failed.message = jws.message();
        return failed;
    }
    SignatureVerifier verifier(keys);
    return verifier.verify(jws.value());
}

// Reads an erlang-jose vector file: one {"name", <<"value">>}. term per line.
std::map<std::string, std::string> readErlangConfig(const QString& path)
{
    std::map<std::string, std::string> entries;
    const std::string text = readFile(path);
    std::size_t at = 0;
    while ((at = text.find("{\"", at)) != std::string::npos) {
        const std::size_t nameEnd = text.find('"', at + 2);
        const std::size_t valueStart = text.find("<<\"", nameEnd);
        const std::size_t valueEnd = text.find("\">>}.", valueStart);
        if (nameEnd == std::string::npos || valueStart == std::string::npos || valueEnd == std::string::npos)
            break;
        std::string value;
        for (std::size_t i = valueStart + 3; i < valueEnd; ++i) {
            if (text[i] == '\\' && i + 1 < valueEnd) {
                const char next = text[++i];
                value += next == 'r' ? '\r' : next == 'n' ? '\n' : next == 't' ? '\t' : next;
            } else {
                value += text[i];
            }
        }
        entries[text.substr(at + 2, nameEnd - at - 2)] = value;
        at = valueEnd;
    }
    return entries;
}

std::string fromHex(const std::string& hex)
{
    std::string bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    return bytes;
}

std::int64_t secondsOf(const std::string& isoTime)
{
    return QDateTime::fromString(QString::fromStdString(isoTime), Qt::ISODateWithMs).toSecsSinceEpoch();
}

} // namespace

void JoseSharedVectorsTest::initTestCase()
{
    m_shared = sharedDir();
}

#define REQUIRE_SHARED()                                                                                          \
    if (m_shared.isEmpty())                                                                                       \
    QSKIP("the shared samples are not available")

void JoseSharedVectorsTest::rfc7515AppendixA_data()
{
    QTest::addColumn<QByteArray>("prefix");
    QTest::addColumn<int>("status");
    QTest::newRow("A.1 HS256") << QByteArray("RFC7515 a.1.1") << int(JwsStatus::Verified);
    QTest::newRow("A.2 RS256") << QByteArray("RFC7515 a.2.1") << int(JwsStatus::Verified);
    QTest::newRow("A.3 ES256") << QByteArray("RFC7515 a.3.1") << int(JwsStatus::Verified);
    QTest::newRow("A.4 ES512") << QByteArray("RFC7515 a.4.1") << int(JwsStatus::Verified);
    QTest::newRow("A.5 none") << QByteArray("RFC7515 a.5") << int(JwsStatus::AlgNone);
}

void JoseSharedVectorsTest::rfc7515AppendixA()
{
    REQUIRE_SHARED();
    QFETCH(QByteArray, prefix);
    QFETCH(int, status);
    const json vectors = readJson(this->vectors(QStringLiteral("rfc7515-rfc8037-appendixA.DERIVED.json")));
    QVERIFY(vectors.is_object());
    const std::string p = toStd(prefix);
    const std::string compact = vectors.at(p + ".compact").get<std::string>();
    // A.5 has no key; verify it against A.2's key so only "none" can be the reason.
    const std::string keyName = vectors.contains(p + ".jwk+json") ? p + ".jwk+json" : "RFC7515 a.2.1.jwk+json";
    const auto keys = setOf(json::parse(vectors.at(keyName).get<std::string>()));
    QCOMPARE(keys->size(), std::size_t{1});

    const auto result = verifyOpaque(keys, compact);
    QVERIFY2(result.status == static_cast<JwsStatus>(status), result.message.c_str());
    if (result.status != JwsStatus::Verified)
        return;
    QCOMPARE(CompactJws::parse(compact, {}, JwsPayloadKind::Opaque)->payload(),
             vectors.at(p + ".payload").get<std::string>());

    // Tampered payload or signature, and a key from another vector, all fail.
    QCOMPARE(statusName(verifyOpaque(keys, tamperPart(compact, 1)).status), statusName(JwsStatus::BadSignature));
    QCOMPARE(statusName(verifyOpaque(keys, tamperPart(compact, 2)).status), statusName(JwsStatus::BadSignature));
    const std::string otherKey = p == "RFC7515 a.2.1" ? "RFC7515 a.3.1.jwk+json" : "RFC7515 a.2.1.jwk+json";
    const auto wrong = verifyOpaque(setOf(json::parse(vectors.at(otherKey).get<std::string>())), compact);
    QVERIFY(!wrong.verified());
    // Downgraded to "none" with the signature dropped: refused as AlgNone.
    const std::string none = Base64Url::encode(R"({"alg":"none"})") + compact.substr(compact.find('.'), compact.rfind('.') - compact.find('.') + 1);
    QCOMPARE(statusName(verifyOpaque(keys, none).status), statusName(JwsStatus::AlgNone));
}

void JoseSharedVectorsTest::rfc7515ErlangConfigs_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("prefix");
    QTest::addColumn<int>("status");
    QTest::newRow("A.1 HS256") << QStringLiteral("rfc7515-a.1.config") << QByteArray("a.1.1") << int(JwsStatus::Verified);
    QTest::newRow("A.2 RS256") << QStringLiteral("rfc7515-a.2.config") << QByteArray("a.2.1") << int(JwsStatus::Verified);
    QTest::newRow("A.3 ES256") << QStringLiteral("rfc7515-a.3.config") << QByteArray("a.3.1") << int(JwsStatus::Verified);
    QTest::newRow("A.4 ES512") << QStringLiteral("rfc7515-a.4.config") << QByteArray("a.4.1") << int(JwsStatus::Verified);
    QTest::newRow("A.5 none") << QStringLiteral("rfc7515-a.5.config") << QByteArray("a.5") << int(JwsStatus::AlgNone);
}

void JoseSharedVectorsTest::rfc7515ErlangConfigs()
{
    REQUIRE_SHARED();
    QFETCH(QString, file);
    QFETCH(QByteArray, prefix);
    QFETCH(int, status);
    const auto entries = readErlangConfig(vectors(QStringLiteral("erlang-jose-rfc7515-appendixA/") + file));
    const std::string p = toStd(prefix);
    QVERIFY(entries.count(p + ".compact"));
    const std::string compact = entries.at(p + ".compact");
    QCOMPARE(compact.substr(0, compact.rfind('.')), entries.at(p + ".signing-input"));
    QCOMPARE(Base64Url::decode(entries.at(p + ".b64")).value(), entries.at(p + ".jws+json"));
    if (status == int(JwsStatus::AlgNone)) {
        SignatureVerifier verifier(std::make_shared<const JsonWebKeySet>());
        QCOMPARE(statusName(verifier.verify(compact).status), statusName(JwsStatus::AlgNone));
        return;
    }
    const auto keys = setOf(json::parse(entries.at(p + ".jwk+json")));
    const auto result = verifyOpaque(keys, compact);
    QVERIFY2(result.verified(), result.message.c_str());
    QCOMPARE(CompactJws::parse(compact, {}, JwsPayloadKind::Opaque)->payload(), entries.at(p + ".payload"));
    QCOMPARE(statusName(verifyOpaque(keys, tamperPart(compact, 2)).status), statusName(JwsStatus::BadSignature));
}

void JoseSharedVectorsTest::rfc8037ErlangConfigs()
{
    REQUIRE_SHARED();
    const QString dir = vectors(QStringLiteral("erlang-jose-rfc8037-appendixA/"));
    const auto a1 = readErlangConfig(dir + QStringLiteral("rfc8037-a.1.config"));
    const auto a3 = readErlangConfig(dir + QStringLiteral("rfc8037-a.3.config"));
    const auto a4 = readErlangConfig(dir + QStringLiteral("rfc8037-a.4.config"));
    QVERIFY(a1.count("a.1.secret") && a1.count("a.1.pk"));
    const json privateJwk = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", Base64Url::encode(fromHex(a1.at("a.1.pk")))},
                             {"d", Base64Url::encode(fromHex(a1.at("a.1.secret")))}};
    QCOMPARE(JsonWebKey::thumbprintOf(privateJwk).value(), Base64Url::encode(fromHex(a3.at("a.3.thumbprint+hex"))));

    // Ed25519 is deterministic: signing the RFC's input with the RFC's key gives the RFC's bytes.
    auto signer = JwsSigner::fromPrivateJwk(privateJwk);
    QVERIFY2(signer.ok(), signer.message().c_str());
    const auto token = signer->sign(JwsAlgorithm::EdDSA, json::object(), a4.at("a.4.txt"));
    QVERIFY(token.ok());
    QCOMPARE(token.value(), a4.at("a.4.sig+compact"));
    QCOMPARE(Base64Url::encode(fromHex(a4.at("a.4.sig+hex"))), a4.at("a.4.sig+b64"));

    const auto keys = setOf(JwsSigner::publicJwk(privateJwk));
    QVERIFY(verifyOpaque(keys, a4.at("a.4.sig+compact")).verified());
    QCOMPARE(statusName(verifyOpaque(keys, tamperPart(a4.at("a.4.sig+compact"), 1)).status),
             statusName(JwsStatus::BadSignature));
}

void JoseSharedVectorsTest::rfc7520Cookbook_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("4.1 RS256") << QStringLiteral("ietf-jose-cookbook/jws_4_1.rsa_v15_signature.json");
    QTest::newRow("4.2 PS384") << QStringLiteral("ietf-jose-cookbook/jws_4_2.rsa-pss_signature.json");
    QTest::newRow("4.3 ES512") << QStringLiteral("ietf-jose-cookbook/jws_4_3.ecdsa_signature.json");
    QTest::newRow("4.4 HS256") << QStringLiteral("ietf-jose-cookbook/jws_4_4.hmac-sha2_integrity_protection.json");
    QTest::newRow("8037 Ed25519") << QStringLiteral("ietf-jose-cookbook/curve25519_jws.json");
}

void JoseSharedVectorsTest::rfc7520Cookbook()
{
    REQUIRE_SHARED();
    QFETCH(QString, file);
    const json vector = readJson(vectors(file));
    QVERIFY(vector.is_object());
    const auto keys = setOf(vector.at("input").at("key"));
    QCOMPARE(keys->size(), std::size_t{1});
    const std::string compact = vector.at("output").at("compact").get<std::string>();
    const auto result = verifyOpaque(keys, compact);
    QVERIFY2(result.verified(), result.message.c_str());
    QCOMPARE(jwsAlgorithmName(result.algorithm), std::string_view(vector.at("input").at("alg").get<std::string>()));

    // The flattened JSON form carries the same three parts.
    const json& flat = vector.at("output").at("json_flat");
    const std::string fromFlat = flat.at("protected").get<std::string>() + "." + flat.at("payload").get<std::string>()
                                 + "." + flat.at("signature").get<std::string>();
    QVERIFY(verifyOpaque(keys, fromFlat).verified());

    QCOMPARE(statusName(verifyOpaque(keys, tamperPart(compact, 1)).status), statusName(JwsStatus::BadSignature));
    QCOMPARE(statusName(verifyOpaque(keys, tamperPart(compact, 2)).status), statusName(JwsStatus::BadSignature));

    // Wrong key: the RSA vectors against the EC cookbook key (kid matches, type does not).
    const auto ecKey = setOf(readJson(vectors(QStringLiteral("ietf-jose-cookbook/jwk_3_1.ec_public_key.json"))));
    const auto rsaKey = setOf(readJson(vectors(QStringLiteral("ietf-jose-cookbook/jwk_3_3.rsa_public_key.json"))));
    const auto other = verifyOpaque(result.algorithm == JwsAlgorithm::ES512 ? rsaKey : ecKey, compact);
    QVERIFY(!other.verified());
}

void JoseSharedVectorsTest::rfc7520MultipleSignatures()
{
    REQUIRE_SHARED();
    const json vector = readJson(vectors(QStringLiteral("ietf-jose-cookbook/jws_4_8.multiple_signatures.json")));
    QVERIFY(vector.is_object());
    const json& input = vector.at("input");
    const auto keys = setOf(json{{"keys", input.at("key")}});
    QCOMPARE(keys->size(), std::size_t{3}); // RSA and EC share one kid
    const json& output = vector.at("output").at("json");
    const std::string payload = output.at("payload").get<std::string>();
    SignatureEngine engine;
    int verified = 0;
    for (const auto& signature : output.at("signatures")) {
        if (signature.contains("protected")) {
            // Compact form of this signature; the kid may sit in the unprotected header, so
            // lookup by kid happens only when the protected header has it.
            const std::string compact = signature.at("protected").get<std::string>() + "." + payload + "."
                                        + signature.at("signature").get<std::string>();
            const auto result = verifyOpaque(keys, compact);
            QVERIFY2(result.verified(), result.message.c_str());
        } else {
            // Unprotected-only header: the signing input has an empty first part.
            const JwsAlgorithm alg = jwsAlgorithmFromName(signature.at("header").at("alg").get<std::string>());
            const auto sig = Base64Url::decode(signature.at("signature").get<std::string>());
            QVERIFY(sig.has_value());
            bool any = false;
            for (const auto& key : keys->keys())
                if (keyFitsAlgorithm(key, alg) == KeyFit::Fits)
                    any = any || engine.verify(key, alg, "." + payload, *sig);
            QVERIFY(any);
            std::string wrong = *sig;
            wrong[10] = static_cast<char>(wrong[10] ^ 1);
            for (const auto& key : keys->keys())
                if (keyFitsAlgorithm(key, alg) == KeyFit::Fits)
                    QVERIFY(!engine.verify(key, alg, "." + payload, wrong));
        }
        ++verified;
    }
    QCOMPARE(verified, 3);
}

void JoseSharedVectorsTest::rfc8037()
{
    REQUIRE_SHARED();
    const json vectors = readJson(this->vectors(QStringLiteral("rfc7515-rfc8037-appendixA.DERIVED.json")));
    const json jwk = json::parse(vectors.at("RFC8037 a.3.jwk+json").get<std::string>());
    QCOMPARE(JsonWebKey::thumbprintOf(jwk).value(), vectors.at("RFC8037 a.3.thumbprint+b64").get<std::string>());
    const auto keys = setOf(jwk);
    QCOMPARE(keys->keys().front().thumbprint(), vectors.at("RFC8037 a.3.thumbprint+b64").get<std::string>());
    const std::string compact = vectors.at("RFC8037 a.4.sig+compact").get<std::string>();
    const auto result = verifyOpaque(keys, compact);
    QVERIFY2(result.verified(), result.message.c_str());
    QCOMPARE(statusName(verifyOpaque(keys, tamperPart(compact, 1)).status), statusName(JwsStatus::BadSignature));
    // The same signature claimed as Ed448 does not fit an Ed25519 key.
    const std::string asEd448 = Base64Url::encode(R"({"alg":"Ed448"})") + compact.substr(compact.find('.'));
    QCOMPARE(statusName(verifyOpaque(keys, asEd448).status), statusName(JwsStatus::UnknownKey));
}

void JoseSharedVectorsTest::rfc9449Dpop()
{
    REQUIRE_SHARED();
    const json vectors = readJson(this->vectors(QStringLiteral("rfc9449-dpop-examples.DERIVED.json")));
    QVERIFY(vectors.is_object());
    const std::string jkt = vectors.at("jwk_thumbprint_rfc7638").get<std::string>();
    const std::string accessToken = vectors.at("resource_request_access_token_opaque").get<std::string>();
    const std::string resourceProof = vectors.at("resource_request_dpop_proof").get<std::string>();
    const std::string tokenProof = vectors.at("token_request_dpop_proof").get<std::string>();

    DpopProofCheck check;
    DpopReplayTracker tracker;
    const DpopRequest resource{"GET", "https://resource.example.org/protectedresource", accessToken, jkt, 1562262618};
    const auto good = check.check(resourceProof, resource, &tracker);
    QVERIFY2(good.valid(), good.message.c_str());
    QCOMPARE(good.thumbprint, jkt);
    QCOMPARE(dpopStatusName(check.check(resourceProof, resource, &tracker).status), dpopStatusName(DpopStatus::Replayed));

    const DpopRequest tokenRequest{"POST", "https://server.example.com/token", {}, {}, 1562262616};
    const auto token = check.check(tokenProof, tokenRequest);
    QVERIFY2(token.valid(), token.message.c_str());

    DpopRequest wrong = resource;
    wrong.method = "POST";
    QCOMPARE(dpopStatusName(check.check(resourceProof, wrong).status), dpopStatusName(DpopStatus::MethodMismatch));
    wrong = resource;
    wrong.accessToken = "another-token";
    QCOMPARE(dpopStatusName(check.check(resourceProof, wrong).status), dpopStatusName(DpopStatus::AccessTokenHashMismatch));
    wrong = resource;
    wrong.expectedThumbprint = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4J";
    QCOMPARE(dpopStatusName(check.check(resourceProof, wrong).status), dpopStatusName(DpopStatus::ThumbprintMismatch));
    wrong = resource;
    wrong.atTime += 3600;
    QCOMPARE(dpopStatusName(check.check(resourceProof, wrong).status), dpopStatusName(DpopStatus::OutsideTimeWindow));
    QCOMPARE(dpopStatusName(check.check(tamperPart(resourceProof, 1), resource).status), dpopStatusName(DpopStatus::BadSignature));

    // The JWT access token example: claims and cnf.jkt read; its signing key is not published.
    const std::string jwt = vectors.at("jwt_access_token_with_cnf_jkt").get<std::string>();
    auto jws = CompactJws::parse(jwt);
    QVERIFY(jws.ok());
    auto claims = DelegationClaims::fromClaims(jws->claims());
    QVERIFY(claims.ok());
    QCOMPARE(claims->confirmationThumbprint, jkt);
    SignatureVerifier verifier(std::make_shared<const JsonWebKeySet>());
    QCOMPARE(statusName(verifier.verify(jws.value()).status), statusName(JwsStatus::UnknownKey));
}

void JoseSharedVectorsTest::rfc8693Claims()
{
    REQUIRE_SHARED();
    const json sets = readJson(m_shared + QStringLiteral("/samples/oauth-delegation-tokens/rfc8693-act-may_act-claimsets.DERIVED.json"));
    QVERIFY(sets.is_object());
    auto single = DelegationClaims::fromClaims(sets.at("rfc8693_4_1_act_single"));
    QVERIFY(single.ok());
    QCOMPARE(single->actorChain.size(), std::size_t{1});
    QCOMPARE(single->currentActor()->subject, std::string("admin@example.com"));
    auto nested = DelegationClaims::fromClaims(sets.at("rfc8693_4_1_act_nested"));
    QVERIFY(nested.ok());
    QCOMPARE(nested->actorChain.size(), std::size_t{2});
    QCOMPARE(nested->actorChain[0].subject, std::string("https://service16.example.com")); // current actor
    QCOMPARE(nested->actorChain[1].subject, std::string("https://service77.example.com")); // earliest
    auto mayAct = DelegationClaims::fromClaims(sets.at("rfc8693_4_4_may_act"));
    QVERIFY(mayAct.ok());
    QCOMPARE(mayAct->mayActPermits(single->actorChain.front()), MayActDecision::Permitted);
    QCOMPARE(mayAct->mayActPermits(nested->actorChain.front()), MayActDecision::NotPermitted);
    QCOMPARE(mayAct->currentActorPermittedByMayAct(), MayActDecision::NoActor);
}

void JoseSharedVectorsTest::enterpriseWorld_data()
{
    QTest::addColumn<bool>("noCrypto");
    QTest::newRow("default signing") << false;
    QTest::newRow("--no-crypto (HS256)") << true;
}

void JoseSharedVectorsTest::enterpriseWorld()
{
    REQUIRE_SHARED();
    QFETCH(bool, noCrypto);
    QTemporaryDir out;
    QVERIFY(out.isValid());
    QStringList arguments{m_shared + QStringLiteral("/bench/gen_enterprise.py"), QStringLiteral("--out"), out.path(),
                          QStringLiteral("--agents"), QStringLiteral("20"), QStringLiteral("--events"),
                          QStringLiteral("2000"), QStringLiteral("--formats"), QStringLiteral("tokens")};
    if (noCrypto)
        arguments << QStringLiteral("--no-crypto");
    QProcess generator;
    generator.start(QStringLiteral("python3"), arguments);
    if (!generator.waitForStarted())
        QSKIP("python3 is not available");
    QVERIFY(generator.waitForFinished(120000));
    QVERIFY2(generator.exitCode() == 0, generator.readAllStandardError().constData());

    const json truth = readJson(out.filePath(QStringLiteral("truth.json")));
    QVERIFY(truth.is_object());
    const bool asymmetric = truth.at("summary").at("signing").get<std::string>() != "HS256";
    QCOMPARE(asymmetric, !noCrypto && QProcess::execute(QStringLiteral("python3"),
                                                        {QStringLiteral("-c"), QStringLiteral("import cryptography")}) == 0);
    std::set<std::string> expectedUnverified;
    for (const auto& anomaly : truth.at("anomalies"))
        if (anomaly.at("rule") == "unverified-token")
            expectedUnverified.insert(anomaly.at("subject").get<std::string>());
    QVERIFY(!expectedUnverified.empty());

    auto keys = JsonWebKeySet::fromFile(out.filePath(QStringLiteral("jwks.json")).toStdString());
    QVERIFY2(keys.ok(), keys.message().c_str());
    QVERIFY(keys->rejectedKeys().empty());
    auto shared = std::make_shared<const JsonWebKeySet>(std::move(keys.value()));
    TokenCaptureCheck check(shared, {}, {}, std::make_shared<SignatureResultCache>());
    DpopReplayTracker replay;

    QFile lines(out.filePath(QStringLiteral("tokens.jsonl")));
    QVERIFY(lines.open(QIODevice::ReadOnly));
    std::set<std::string> unverified;
    int captures = 0, proofs = 0, expired = 0;
    while (!lines.atEnd()) {
        const QByteArray line = lines.readLine().trimmed();
        if (line.isEmpty())
            continue;
        const json record = json::parse(toStd(line));
        const std::string token = record.at("token").get<std::string>();
        const std::string proof = record.value("dpop", std::string());
        const std::string method = record.at("request").at("method").get<std::string>();
        const std::string url = record.at("request").at("url").get<std::string>();
        const auto result = check.check({token, proof, method, url, secondsOf(record.at("time").get<std::string>())}, &replay);
        QVERIFY2(result.claims.has_value(), result.claimsError.c_str());
        if (!result.token.verified()) {
            unverified.insert(result.claims->tokenId);
            QVERIFY2(result.token.status == JwsStatus::AlgNone || result.token.status == JwsStatus::BadSignature,
                     result.token.message.c_str());
        } else {
            QVERIFY(result.trustworthy());
        }
        expired += result.token.time.expired ? 1 : 0;
        if (result.dpop) {
            ++proofs;
            QVERIFY2(result.dpop->valid(), result.dpop->message.c_str());
        }
        ++captures;
    }
    QCOMPARE(unverified, expectedUnverified);
    QVERIFY(captures > 1000);
    QCOMPARE(proofs > 0, asymmetric);
    QCOMPARE(expired, 0);
}

QTEST_GUILESS_MAIN(JoseSharedVectorsTest)
#include "tst_jose_shared.moc"
