// Signature verification: every algorithm, the classic attacks (none, HMAC with a public key,
// kid confusion, crit), time flags, key loading, thumbprints and the RFC 8693 delegation claims.
#include "JoseTestSupport.h"

#include <QtTest/QtTest>

using namespace chainsight::jose;
using namespace chainsight::jose::testing;
using json = nlohmann::json;

namespace {

// 2026-03-02T08:00:00Z, inside the fixture tokens' validity window.
constexpr std::int64_t kFixtureTime = 1772438400 + 60;

json fixtureClaims()
{
    return json{{"iss", "https://idp.fixture.example"}, {"sub", "alice"}, {"iat", 1772438400},
                {"nbf", 1772438400}, {"exp", 1772442000}, {"jti", "runtime"}};
}

} // namespace

class JoseVerificationTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void independentlySignedTokensVerify_data();
    void independentlySignedTokensVerify();
    void everyAlgorithmRoundTrips_data();
    void everyAlgorithmRoundTrips();
    void attacksFail_data();
    void attacksFail();
    void hmacWithPublicKeyAsSecret();
    void criticalHeaders();
    void timeFlags_data();
    void timeFlags();
    void signatureCacheRemembersVerdicts();
    void rejectedKeysAreExplained_data();
    void rejectedKeysAreExplained();
    void oversizedKeysAreRefused();
    void thumbprints();
    void delegationClaims();
    void delegationClaimsRejectWrongTypes_data();
    void delegationClaimsRejectWrongTypes();
    void mayAct_data();
    void mayAct();

private:
    JwsSigner& signer(const std::string& kid);
    std::string sign(const std::string& kid, JwsAlgorithm algorithm, json header = json::object(),
                     const json& claims = fixtureClaims());

    std::shared_ptr<const JsonWebKeySet> m_publicKeys;
    json m_privateJwks;
    json m_tokens;
    std::map<std::string, std::unique_ptr<JwsSigner>> m_signers;
};

void JoseVerificationTest::initTestCase()
{
    const QString publicPath = QFINDTESTDATA("data/keys.public.jwks.json");
    QVERIFY(!publicPath.isEmpty());
    auto keys = JsonWebKeySet::fromFile(publicPath.toStdString());
    QVERIFY2(keys.ok(), keys.message().c_str());
    QCOMPARE(keys->size(), std::size_t{7});
    QVERIFY(keys->rejectedKeys().empty());
    m_publicKeys = std::make_shared<const JsonWebKeySet>(std::move(keys.value()));
    m_privateJwks = readJson(QFINDTESTDATA("data/keys.private.jwks.json"));
    m_tokens = readJson(QFINDTESTDATA("data/tokens.json"));
    QVERIFY(m_privateJwks.is_object());
    QVERIFY(m_tokens.is_object());
}

JwsSigner& JoseVerificationTest::signer(const std::string& kid)
{
    auto& slot = m_signers[kid];
    if (!slot) {
        for (const auto& jwk : m_privateJwks.at("keys")) {
            if (jwk.value("kid", "") == kid) {
                auto made = JwsSigner::fromPrivateJwk(jwk);
                if (made)
                    slot = std::make_unique<JwsSigner>(std::move(made.value()));
                else
                    qWarning("%s", made.message().c_str());
            }
        }
    }
    Q_ASSERT(slot);
    return *slot;
}

std::string JoseVerificationTest::sign(const std::string& kid, JwsAlgorithm algorithm, json header, const json& claims)
{
    auto token = signer(kid).signClaims(algorithm, std::move(header), claims);
    return token ? token.value() : std::string();
}

void JoseVerificationTest::independentlySignedTokensVerify_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QByteArray>("kid");
    const json fixtures = readJson(QFINDTESTDATA("data/tokens.json"));
    for (const auto& entry : fixtures.at("tokens")) {
        const std::string name = entry.at("alg").get<std::string>() + " " + entry.at("kid").get<std::string>();
        QTest::newRow(name.c_str()) << toBytes(entry.at("token").get<std::string>())
                                    << toBytes(entry.at("kid").get<std::string>());
    }
}

void JoseVerificationTest::independentlySignedTokensVerify()
{
    QFETCH(QByteArray, token);
    QFETCH(QByteArray, kid);
    SignatureVerifier verifier(m_publicKeys);
    const auto result = verifier.verify(toStd(token), kFixtureTime);
    QVERIFY2(result.verified(), result.message.c_str());
    QCOMPARE(result.keyId, toStd(kid));
    QVERIFY(result.acceptable());
    QVERIFY(!result.keyThumbprint.empty());

    for (int part : {1, 2}) {
        const auto tampered = verifier.verify(tamperPart(toStd(token), part), kFixtureTime);
        QCOMPARE(statusName(tampered.status), statusName(JwsStatus::BadSignature));
        QVERIFY(!tampered.message.empty());
    }
}

void JoseVerificationTest::everyAlgorithmRoundTrips_data()
{
    QTest::addColumn<int>("algorithm");
    QTest::addColumn<QByteArray>("kid");
    const std::pair<JwsAlgorithm, const char*> cases[] = {
        {JwsAlgorithm::HS256, "test-oct"}, {JwsAlgorithm::HS384, "test-oct"}, {JwsAlgorithm::HS512, "test-oct"},
        {JwsAlgorithm::RS256, "test-rsa"}, {JwsAlgorithm::RS384, "test-rsa"}, {JwsAlgorithm::RS512, "test-rsa"},
        {JwsAlgorithm::PS256, "test-rsa"}, {JwsAlgorithm::PS384, "test-rsa"}, {JwsAlgorithm::PS512, "test-rsa"},
        {JwsAlgorithm::ES256, "test-p256"}, {JwsAlgorithm::ES384, "test-p384"}, {JwsAlgorithm::ES512, "test-p521"},
        {JwsAlgorithm::EdDSA, "test-ed25519"}, {JwsAlgorithm::EdDSA, "test-ed448"},
        {JwsAlgorithm::Ed25519, "test-ed25519"}, {JwsAlgorithm::Ed448, "test-ed448"},
    };
    for (const auto& [algorithm, kid] : cases) {
        const std::string name = std::string(jwsAlgorithmName(algorithm)) + " " + kid;
        QTest::newRow(name.c_str()) << static_cast<int>(algorithm) << QByteArray(kid);
    }
}

void JoseVerificationTest::everyAlgorithmRoundTrips()
{
    QFETCH(int, algorithm);
    QFETCH(QByteArray, kid);
    const auto alg = static_cast<JwsAlgorithm>(algorithm);
    const std::string token = sign(toStd(kid), alg);
    QVERIFY(!token.empty());
    SignatureVerifier verifier(m_publicKeys);
    const auto result = verifier.verify(token, kFixtureTime);
    QVERIFY2(result.verified(), result.message.c_str());
    QCOMPARE(result.keyId, toStd(kid));
    QCOMPARE(result.algorithm, alg);

    // Without a kid, the verifier tries every key that fits the algorithm.
    auto jws = CompactJws::parse(token);
    json header = jws->header();
    header.erase("kid");
    const std::string anonymous = Base64Url::encode(header.dump()) + "." + token.substr(token.find('.') + 1);
    const auto noKid = verifier.verify(anonymous, kFixtureTime);
    QCOMPARE(statusName(noKid.status), statusName(JwsStatus::BadSignature)); // header changed, so must fail
    auto strictPolicy = VerifierPolicy{};
    strictPolicy.tryEveryKeyWhenKidAbsent = false;
    SignatureVerifier strict(m_publicKeys, strictPolicy);
    QCOMPARE(statusName(strict.verify(anonymous).status), statusName(JwsStatus::UnknownKey));

    // Truncated and extended signatures fail on length before any cryptography.
    const std::string signature = *Base64Url::decode(token.substr(token.rfind('.') + 1));
    const std::string shortened = token.substr(0, token.rfind('.') + 1) + Base64Url::encode(signature.substr(1));
    const std::string extended = token.substr(0, token.rfind('.') + 1) + Base64Url::encode(signature + '\0');
    QCOMPARE(statusName(verifier.verify(extended).status), statusName(JwsStatus::BadSignature));
    QCOMPARE(statusName(verifier.verify(shortened).status), statusName(JwsStatus::BadSignature));
    const std::string emptySignature = token.substr(0, token.rfind('.') + 1);
    QCOMPARE(statusName(verifier.verify(emptySignature).status), statusName(JwsStatus::BadSignature));
}

void JoseVerificationTest::attacksFail_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("messagePart");
    const std::string claims = Base64Url::encode(fixtureClaims().dump());
    const auto unsignedToken = [&](const std::string& header, const std::string& signature = "") {
        return Base64Url::encode(header) + "." + claims + "." + signature;
    };
    const auto row = [](const char* name, const std::string& token, JwsStatus status, const char* part) {
        QTest::newRow(name) << toBytes(token) << static_cast<int>(status) << QByteArray(part);
    };
    row("alg none", unsignedToken(R"({"alg":"none"})"), JwsStatus::AlgNone, "unsigned");
    row("alg none with kid", unsignedToken(R"({"alg":"none","kid":"test-rsa"})"), JwsStatus::AlgNone, "none");
    row("alg none with signature", unsignedToken(R"({"alg":"none"})", "c2ln"), JwsStatus::AlgNone, "none");
    row("alg None", unsignedToken(R"({"alg":"None"})"), JwsStatus::AlgorithmNotAllowed, "unknown algorithm");
    row("alg NONE", unsignedToken(R"({"alg":"NONE"})"), JwsStatus::AlgorithmNotAllowed, "unknown algorithm");
    row("alg unknown", unsignedToken(R"({"alg":"XS256","kid":"test-rsa"})", "c2ln"), JwsStatus::AlgorithmNotAllowed,
        "unknown algorithm \"XS256\"");
    row("alg RSA-OAEP (encryption)", unsignedToken(R"({"alg":"RSA-OAEP","kid":"test-rsa"})", "c2ln"),
        JwsStatus::AlgorithmNotAllowed, "unknown algorithm");
    row("alg with trailing space", unsignedToken(R"({"alg":"RS256 ","kid":"test-rsa"})", "c2ln"),
        JwsStatus::AlgorithmNotAllowed, "unknown");
    row("unknown kid", unsignedToken(R"({"alg":"RS256","kid":"nobody"})", "c2ln"), JwsStatus::UnknownKey,
        "no key with kid \"nobody\"");

    // kid confusion: the kid names a key of another type or curve.
    row("ES256 naming RSA key", sign("test-p256", JwsAlgorithm::ES256, json{{"kid", "test-rsa"}}),
        JwsStatus::WrongKeyType, "RSA 2048-bit, which cannot verify ES256");
    row("ES256 naming P-384 key", sign("test-p256", JwsAlgorithm::ES256, json{{"kid", "test-p384"}}),
        JwsStatus::WrongKeyType, "EC P-384, which ES256 does not use");
    row("EdDSA naming EC key", sign("test-ed25519", JwsAlgorithm::EdDSA, json{{"kid", "test-p256"}}),
        JwsStatus::WrongKeyType, "cannot verify EdDSA");
    row("RS256 naming oct key", sign("test-rsa", JwsAlgorithm::RS256, json{{"kid", "test-oct"}}),
        JwsStatus::WrongKeyType, "oct");
    row("Ed448 naming Ed25519 key", sign("test-ed448", JwsAlgorithm::Ed448, json{{"kid", "test-ed25519"}}),
        JwsStatus::WrongKeyType, "Ed448 does not use");
    row("PS256 signed, RS256 claimed",
        [&] {
            std::string t = sign("test-rsa", JwsAlgorithm::PS256);
            auto jws = CompactJws::parse(t);
            json h = jws->header();
            h["alg"] = "RS256";
            return Base64Url::encode(h.dump()) + t.substr(t.find('.'));
        }(),
        JwsStatus::BadSignature, "does not match");
    row("ECDSA DER signature", [&] {
            std::string t = sign("test-p256", JwsAlgorithm::ES256);
            return t.substr(0, t.rfind('.') + 1) + Base64Url::encode(std::string(70, '\x30'));
        }(),
        JwsStatus::BadSignature, "must be 64 bytes (R||S), got 70");
    row("ECDSA zero signature", [&] {
            std::string t = sign("test-p256", JwsAlgorithm::ES256);
            return t.substr(0, t.rfind('.') + 1) + Base64Url::encode(std::string(64, '\0'));
        }(),
        JwsStatus::BadSignature, "does not match");
    row("garbage base64 signature", sign("test-rsa", JwsAlgorithm::RS256) + "!", JwsStatus::Malformed,
        "signature is not base64url");
}

void JoseVerificationTest::attacksFail()
{
    QFETCH(QByteArray, token);
    QFETCH(int, status);
    QFETCH(QByteArray, messagePart);
    SignatureVerifier verifier(m_publicKeys);
    const auto result = verifier.verify(toStd(token), kFixtureTime);
    QCOMPARE(statusName(result.status), statusName(static_cast<JwsStatus>(status)));
    QVERIFY2(result.message.find(toStd(messagePart)) != std::string::npos, result.message.c_str());
    QVERIFY(!result.acceptable());
}

void JoseVerificationTest::hmacWithPublicKeyAsSecret()
{
    // The attacker signs HS256 using the RSA public key's bytes as the HMAC secret.
    json publicRsa;
    for (const auto& jwk : m_privateJwks.at("keys"))
        if (jwk.value("kid", "") == "test-rsa")
            publicRsa = JwsSigner::publicJwk(jwk);
    for (const std::string& secret : {publicRsa.dump(), publicRsa.at("n").get<std::string>()}) {
        json forged = {{"kty", "oct"}, {"k", Base64Url::encode(secret)}};
        auto attacker = JwsSigner::fromPrivateJwk(forged);
        QVERIFY2(attacker.ok(), attacker.message().c_str());
        const std::string withKid = attacker->signClaims(JwsAlgorithm::HS256, json{{"kid", "test-rsa"}}, fixtureClaims()).value();
        SignatureVerifier verifier(m_publicKeys);
        const auto named = verifier.verify(withKid);
        QCOMPARE(statusName(named.status), statusName(JwsStatus::WrongKeyType));
        QVERIFY2(named.message.find("never an HMAC secret") != std::string::npos, named.message.c_str());

        // With no kid only the oct key is tried, and the forged MAC does not match it.
        const std::string noKid = attacker->signClaims(JwsAlgorithm::HS256, json::object(), fixtureClaims()).value();
        QCOMPARE(statusName(verifier.verify(noKid).status), statusName(JwsStatus::BadSignature));

        // A set holding only public keys has nothing HS256 can use.
        auto onlyRsa = std::make_shared<JsonWebKeySet>();
        onlyRsa->add(std::move(JsonWebKey::fromJson(publicRsa).value()));
        SignatureVerifier rsaOnly(onlyRsa);
        QCOMPARE(statusName(rsaOnly.verify(noKid).status), statusName(JwsStatus::UnknownKey));
    }

    // The allow-list can drop HMAC altogether.
    VerifierPolicy noHmac;
    noHmac.allowedAlgorithms.erase(JwsAlgorithm::HS256);
    SignatureVerifier verifier(m_publicKeys, noHmac);
    const auto result = verifier.verify(sign("test-oct", JwsAlgorithm::HS256));
    QCOMPARE(statusName(result.status), statusName(JwsStatus::AlgorithmNotAllowed));

    // A key restricted by its own "alg" member refuses other algorithms of its family.
    json restricted = publicRsa;
    restricted["alg"] = "RS256";
    auto set = std::make_shared<JsonWebKeySet>(JsonWebKeySet::fromJson(json{{"keys", {restricted}}}).value());
    SignatureVerifier restrictedVerifier(set);
    QVERIFY(restrictedVerifier.verify(sign("test-rsa", JwsAlgorithm::RS256)).verified());
    const auto pss = restrictedVerifier.verify(sign("test-rsa", JwsAlgorithm::PS256));
    QCOMPARE(statusName(pss.status), statusName(JwsStatus::AlgorithmNotAllowed));
    QVERIFY2(pss.message.find("restricted to RS256") != std::string::npos, pss.message.c_str());

    // An encryption key is not a verification key.
    json encryption = publicRsa;
    encryption["use"] = "enc";
    auto encSet = std::make_shared<JsonWebKeySet>(JsonWebKeySet::fromJson(json{{"keys", {encryption}}}).value());
    SignatureVerifier encVerifier(encSet);
    QCOMPARE(statusName(encVerifier.verify(sign("test-rsa", JwsAlgorithm::RS256)).status),
             statusName(JwsStatus::WrongKeyType));

    // HMAC keys shorter than the hash are refused (RFC 7518 section 3.2).
    json shortKey = {{"kty", "oct"}, {"kid", "short"}, {"k", Base64Url::encode(std::string(16, 'k'))}};
    auto shortSet = std::make_shared<JsonWebKeySet>(JsonWebKeySet::fromJson(json{{"keys", {shortKey}}}).value());
    SignatureVerifier shortVerifier(shortSet);
    const std::string shortToken =
        Base64Url::encode(R"({"alg":"HS256","kid":"short"})") + "." + Base64Url::encode("{}") + "."
        + Base64Url::encode(std::string(32, 'x'));
    const auto tooShort = shortVerifier.verify(shortToken);
    QCOMPARE(statusName(tooShort.status), statusName(JwsStatus::AlgorithmNotAllowed));
    QVERIFY2(tooShort.message.find("needs at least 256") != std::string::npos, tooShort.message.c_str());
}

void JoseVerificationTest::criticalHeaders()
{
    const std::string token = sign("test-p256", JwsAlgorithm::ES256, json{{"crit", {"exp"}}, {"exp", 1}});
    SignatureVerifier verifier(m_publicKeys);
    const auto refused = verifier.verify(token);
    QCOMPARE(statusName(refused.status), statusName(JwsStatus::UnsupportedCrit));
    QVERIFY2(refused.message.find("\"exp\" is marked critical") != std::string::npos, refused.message.c_str());

    const std::string b64 = sign("test-p256", JwsAlgorithm::ES256, json{{"crit", {"b64"}}, {"b64", false}});
    QCOMPARE(statusName(verifier.verify(b64).status), statusName(JwsStatus::UnsupportedCrit));

    VerifierPolicy policy;
    policy.understoodCriticalHeaders = {"exp"};
    SignatureVerifier understanding(m_publicKeys, policy);
    QVERIFY(understanding.verify(token).verified());
}

void JoseVerificationTest::timeFlags_data()
{
    QTest::addColumn<QByteArray>("claims");
    QTest::addColumn<qint64>("at");
    QTest::addColumn<qint64>("skew");
    QTest::addColumn<QByteArray>("expected"); // flags set, in a fixed order
    QTest::newRow("inside") << QByteArray(R"({"iat":100,"nbf":100,"exp":200})") << qint64(150) << qint64(0) << QByteArray("");
    QTest::newRow("at exp") << QByteArray(R"({"exp":200})") << qint64(200) << qint64(0) << QByteArray("expired");
    QTest::newRow("after exp") << QByteArray(R"({"exp":200})") << qint64(500) << qint64(0) << QByteArray("expired");
    QTest::newRow("after exp within skew") << QByteArray(R"({"exp":200})") << qint64(230) << qint64(60) << QByteArray("");
    QTest::newRow("before nbf") << QByteArray(R"({"nbf":200,"exp":300})") << qint64(100) << qint64(0) << QByteArray("notYetValid");
    QTest::newRow("before nbf within skew") << QByteArray(R"({"nbf":200,"exp":300})") << qint64(170) << qint64(60) << QByteArray("");
    QTest::newRow("iat in future") << QByteArray(R"({"iat":400,"exp":500})") << qint64(100) << qint64(0) << QByteArray("issuedInFuture");
    QTest::newRow("fractional exp") << QByteArray(R"({"exp":200.5})") << qint64(200) << qint64(0) << QByteArray("expired");
    QTest::newRow("no exp") << QByteArray(R"({"iat":100})") << qint64(150) << qint64(0) << QByteArray("missingExpiry");
    QTest::newRow("string exp") << QByteArray(R"({"exp":"200"})") << qint64(150) << qint64(0) << QByteArray("invalidTimeClaim");
    QTest::newRow("huge exp") << QByteArray(R"({"exp":18446744073709551615})") << qint64(150) << qint64(0) << QByteArray("invalidTimeClaim");
    QTest::newRow("bool nbf") << QByteArray(R"({"exp":300,"nbf":true})") << qint64(150) << qint64(0) << QByteArray("invalidTimeClaim");
    QTest::newRow("negative skew counts as none") << QByteArray(R"({"exp":200})") << qint64(199) << qint64(-1000000)
                                                  << QByteArray("");
    QTest::newRow("extreme time") << QByteArray(R"({"exp":200,"nbf":100})") << qint64(INT64_MAX) << qint64(INT64_MAX)
                                  << QByteArray("expired");
    QTest::newRow("all wrong") << QByteArray(R"({"iat":900,"nbf":800,"exp":100})") << qint64(500) << qint64(0)
                               << QByteArray("expired notYetValid issuedInFuture");
}

void JoseVerificationTest::timeFlags()
{
    QFETCH(QByteArray, claims);
    QFETCH(qint64, at);
    QFETCH(qint64, skew);
    QFETCH(QByteArray, expected);
    const auto flags = checkTokenTimes(json::parse(toStd(claims)), at, skew);
    QStringList set;
    if (flags.expired) set << QStringLiteral("expired");
    if (flags.notYetValid) set << QStringLiteral("notYetValid");
    if (flags.issuedInFuture) set << QStringLiteral("issuedInFuture");
    if (flags.missingExpiry) set << QStringLiteral("missingExpiry");
    if (flags.invalidTimeClaim) set << QStringLiteral("invalidTimeClaim");
    QCOMPARE(set.join(QLatin1Char(' ')), QString::fromLatin1(expected));

    // Through the verifier: the signature verdict stays Verified, the flags tell the time story.
    json body = json::parse(toStd(claims));
    SignatureVerifier verifier(m_publicKeys, [skew] { VerifierPolicy p; p.clockSkewSeconds = skew; return p; }());
    const auto result = verifier.verify(sign("test-p256", JwsAlgorithm::ES256, json::object(), body), at);
    QVERIFY2(result.verified(), result.message.c_str());
    QVERIFY(result.time.checked);
    QCOMPARE(result.time.expired, flags.expired);
    QCOMPARE(result.acceptable(), !flags.anyProblem());
    QVERIFY(!verifier.verify(sign("test-p256", JwsAlgorithm::ES256, json::object(), body)).time.checked);
}

void JoseVerificationTest::signatureCacheRemembersVerdicts()
{
    auto cache = std::make_shared<SignatureResultCache>(8);
    SignatureVerifier first(m_publicKeys, {}, cache);
    SignatureVerifier second(m_publicKeys, {}, cache);
    const std::string good = sign("test-ed25519", JwsAlgorithm::EdDSA);
    const std::string bad = tamperPart(good, 1);
    QVERIFY(first.verify(good).verified());
    QCOMPARE(cache->hits(), std::uint64_t{0});
    const auto again = second.verify(good, kFixtureTime);
    QVERIFY(again.verified());
    QCOMPARE(again.keyId, std::string("test-ed25519"));
    QVERIFY(again.time.checked); // time flags are recomputed, not cached
    QCOMPARE(cache->hits(), std::uint64_t{1});
    QCOMPARE(statusName(first.verify(bad).status), statusName(JwsStatus::BadSignature));
    QCOMPARE(statusName(second.verify(bad).status), statusName(JwsStatus::BadSignature));
    QCOMPARE(cache->hits(), std::uint64_t{2});
    // Checks before the signature are never skipped by a cached verdict.
    VerifierPolicy noEdDsa;
    noEdDsa.allowedAlgorithms.erase(JwsAlgorithm::EdDSA);
    SignatureVerifier strict(m_publicKeys, noEdDsa, cache);
    QCOMPARE(statusName(strict.verify(good).status), statusName(JwsStatus::AlgorithmNotAllowed));
    // The cache stays bounded.
    for (int i = 0; i < 20; ++i) {
        json claims = fixtureClaims();
        claims["jti"] = i;
        QVERIFY(first.verify(sign("test-p256", JwsAlgorithm::ES256, json::object(), claims)).verified());
    }
    QVERIFY(cache->size() <= 8);
}

void JoseVerificationTest::rejectedKeysAreExplained_data()
{
    QTest::addColumn<QByteArray>("kid");
    QTest::addColumn<QByteArray>("reason");
    QTest::newRow("weak rsa") << QByteArray("weak-rsa-1024") << QByteArray("RSA key is 1024 bits; at least 2048");
    QTest::newRow("off curve") << QByteArray("off-curve") << QByteArray("EC key");
    QTest::newRow("short coordinate") << QByteArray("short-coordinate") << QByteArray("must be 32 bytes");
    QTest::newRow("unknown curve") << QByteArray("unknown-curve") << QByteArray("unsupported curve");
    QTest::newRow("x25519") << QByteArray("x25519") << QByteArray("key-agreement");
    QTest::newRow("ed25519 short") << QByteArray("ed25519-short") << QByteArray("must be 32 bytes");
    QTest::newRow("oct empty") << QByteArray("oct-empty") << QByteArray("no string \"k\"");
    QTest::newRow("unknown kty") << QByteArray("unknown-kty") << QByteArray("unsupported key type");
    QTest::newRow("padded n") << QByteArray("rsa-padded-n") << QByteArray("\"n\" is not non-empty base64url");
}

void JoseVerificationTest::rejectedKeysAreExplained()
{
    QFETCH(QByteArray, kid);
    QFETCH(QByteArray, reason);
    auto set = JsonWebKeySet::fromFile(QFINDTESTDATA("data/keys.rejected.jwks.json").toStdString());
    QVERIFY2(set.ok(), set.message().c_str());
    QCOMPARE(set->size(), std::size_t{1}); // only the good P-256 key survives
    QCOMPARE(set->rejectedKeys().size(), std::size_t{10});
    const auto* rejected = set->rejectedKeyWithId(toStd(kid));
    QVERIFY(rejected);
    QVERIFY2(rejected->reason.find(toStd(reason)) != std::string::npos, rejected->reason.c_str());

    SignatureVerifier verifier(std::make_shared<const JsonWebKeySet>(std::move(set.value())));
    const std::string token = Base64Url::encode(R"({"alg":"RS256","kid":")" + toStd(kid) + "\"}") + ".e30.c2ln";
    const auto result = verifier.verify(token);
    QCOMPARE(statusName(result.status), statusName(JwsStatus::UnknownKey));
    QVERIFY2(result.message.find("rejected") != std::string::npos, result.message.c_str());
}

void JoseVerificationTest::oversizedKeysAreRefused()
{
    const json hugeModulus = {{"kty", "RSA"}, {"n", Base64Url::encode(std::string(4096, '\xff'))}, {"e", "AQAB"}};
    const auto huge = JsonWebKey::fromJson(hugeModulus);
    QVERIFY(!huge.ok());
    QVERIFY2(huge.message().find("16384") != std::string::npos, huge.message().c_str());
    const json hugeExponent = {{"kty", "RSA"}, {"n", Base64Url::encode(std::string(256, '\xc5'))},
                               {"e", Base64Url::encode(std::string(16, '\x01'))}};
    QVERIFY(!JsonWebKey::fromJson(hugeExponent).ok());
    const json oddShape = {{"kty", "EC"}, {"crv", "P-256"}, {"x", 5}, {"y", "AA"}};
    QVERIFY(!JsonWebKey::fromJson(oddShape).ok());
    QVERIFY(!JsonWebKey::fromJson(json::array()).ok());
    QVERIFY(!JsonWebKeySet::fromText("{\"keys\":5}").ok());
    QVERIFY(!JsonWebKeySet::fromText("not json").ok());
    QVERIFY(!JsonWebKeySet::fromFile("/nonexistent/jwks.json").ok());
}

void JoseVerificationTest::thumbprints()
{
    const json expected = m_tokens.at("thumbprints");
    for (const auto& key : m_publicKeys->keys())
        QCOMPARE(key.thumbprint(), expected.at(key.keyId()).get<std::string>());
    // RFC 7638 section 3.1 example.
    const json rfc7638 = json::parse(R"({"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"})");
    QCOMPARE(JsonWebKey::thumbprintOf(rfc7638).value(), std::string("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"));
    QCOMPARE(JsonWebKey::fromJson(rfc7638).value().thumbprint(), std::string("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"));
    // Member order and extra members do not change it.
    json reordered = {{"e", "AQAB"}, {"use", "sig"}, {"n", rfc7638.at("n")}, {"kty", "RSA"}};
    QCOMPARE(JsonWebKey::thumbprintOf(reordered).value(), std::string("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"));
    QVERIFY(!JsonWebKey::thumbprintOf(json{{"kty", "EC"}, {"crv", "P-256"}, {"x", "AA"}}).ok());
}

void JoseVerificationTest::delegationClaims()
{
    const json claims = m_tokens.at("claims");
    auto parsed = DelegationClaims::fromClaims(claims);
    QVERIFY2(parsed.ok(), parsed.message().c_str());
    const DelegationClaims& d = parsed.value();
    QCOMPARE(d.issuer, std::string("https://idp.fixture.example"));
    QCOMPARE(d.subject, std::string("alice@fixture.example"));
    QCOMPARE(d.audience.size(), std::size_t{2});
    QCOMPARE(d.clientId, std::string("worker-agent"));
    QCOMPARE(d.authorizedParty, std::string("worker-agent"));
    QCOMPARE(d.sessionId, std::string("session-1"));
    QCOMPARE(d.scopes, (std::vector<std::string>{"ledger.read", "payment.execute"}));
    QVERIFY(d.hasScope("ledger.read"));
    QCOMPARE(*d.issuedAt, std::int64_t{1772438400});
    QCOMPARE(*d.expiresAt, std::int64_t{1772442000});
    QCOMPARE(*d.notBefore, std::int64_t{1772438400});
    QCOMPARE(d.actorChain.size(), std::size_t{2});
    QCOMPARE(d.currentActor()->subject, std::string("worker-agent"));
    QCOMPARE(d.currentActor()->clientId, std::string("worker-agent"));
    QCOMPARE(d.actorChain[1].subject, std::string("supervisor-agent"));
    QCOMPARE(d.actorChain[1].issuer, std::string("https://idp.fixture.example"));
    QVERIFY(d.mayAct.has_value());
    QCOMPARE(d.mayAct->subject, std::string("sub-agent"));
    QCOMPARE(d.currentActorPermittedByMayAct(), MayActDecision::NotPermitted);
    QCOMPARE(d.mayActPermits(ActorIdentity{"sub-agent", {}, {}}), MayActDecision::Permitted);

    // Scope as an array, scp as a fallback, cnf.jkt, azp standing in for client_id.
    auto other = DelegationClaims::fromClaims(json::parse(
        R"({"scope":["a","b"],"azp":"app","cnf":{"jkt":"abc"},"aud":"single","exp":1.5e9})"));
    QVERIFY2(other.ok(), other.message().c_str());
    QCOMPARE(other->scopes, (std::vector<std::string>{"a", "b"}));
    QCOMPARE(other->effectiveClientId(), std::string("app"));
    QCOMPARE(other->confirmationThumbprint, std::string("abc"));
    QCOMPARE(other->audience, (std::vector<std::string>{"single"}));
    QCOMPARE(*other->expiresAt, std::int64_t{1500000000});
    QVERIFY(!other->currentActor());
    auto scp = DelegationClaims::fromClaims(json::parse(R"({"scp":["x"]})"));
    QCOMPARE(scp->scopes, (std::vector<std::string>{"x"}));
    auto spaces = DelegationClaims::fromClaims(json::parse(R"({"scope":"  a   b "})"));
    QCOMPARE(spaces->scopes, (std::vector<std::string>{"a", "b"}));

    // The act chain depth is bounded.
    json deep = json::object();
    json* cursor = &deep;
    for (int i = 0; i < 10; ++i) {
        (*cursor)["act"] = json{{"sub", "actor-" + std::to_string(i)}};
        cursor = &(*cursor)["act"];
    }
    QCOMPARE(DelegationClaims::fromClaims(deep)->actorChain.size(), std::size_t{10});
    QCOMPARE(DelegationClaims::fromClaims(deep)->currentActor()->subject, std::string("actor-0"));
    QVERIFY(!DelegationClaims::fromClaims(deep, 5).ok());
}

void JoseVerificationTest::delegationClaimsRejectWrongTypes_data()
{
    QTest::addColumn<QByteArray>("claims");
    QTest::addColumn<QByteArray>("messagePart");
    QTest::newRow("sub number") << QByteArray(R"({"sub":5})") << QByteArray("\"sub\" is not a string");
    QTest::newRow("aud object") << QByteArray(R"({"aud":{}})") << QByteArray("\"aud\"");
    QTest::newRow("aud mixed") << QByteArray(R"({"aud":["a",1]})") << QByteArray("non-string audience");
    QTest::newRow("scope number") << QByteArray(R"({"scope":5})") << QByteArray("\"scope\"");
    QTest::newRow("act string") << QByteArray(R"({"act":"agent"})") << QByteArray("\"act\" is not a JSON object");
    QTest::newRow("nested act sub") << QByteArray(R"({"act":{"sub":"a","act":{"sub":1}}})") << QByteArray("\"act.sub\"");
    QTest::newRow("may_act array") << QByteArray(R"({"may_act":["a"]})") << QByteArray("\"may_act\" is not a JSON object");
    QTest::newRow("cnf string") << QByteArray(R"({"cnf":"x"})") << QByteArray("\"cnf\"");
    QTest::newRow("exp string") << QByteArray(R"({"exp":"tomorrow"})") << QByteArray("NumericDate");
    QTest::newRow("claims array") << QByteArray(R"([])") << QByteArray("not a JSON object");
}

void JoseVerificationTest::delegationClaimsRejectWrongTypes()
{
    QFETCH(QByteArray, claims);
    QFETCH(QByteArray, messagePart);
    const auto parsed = DelegationClaims::fromClaims(json::parse(toStd(claims)));
    QVERIFY(!parsed.ok());
    QVERIFY2(parsed.message().find(toStd(messagePart)) != std::string::npos, parsed.message().c_str());
}

void JoseVerificationTest::mayAct_data()
{
    QTest::addColumn<QByteArray>("claims");
    QTest::addColumn<int>("decision");
    QTest::newRow("permitted") << QByteArray(R"({"act":{"sub":"b"},"may_act":{"sub":"b"}})") << int(MayActDecision::Permitted);
    QTest::newRow("other actor") << QByteArray(R"({"act":{"sub":"c"},"may_act":{"sub":"b"}})") << int(MayActDecision::NotPermitted);
    QTest::newRow("issuer must match") << QByteArray(R"({"act":{"sub":"b","iss":"x"},"may_act":{"sub":"b","iss":"y"}})")
                                       << int(MayActDecision::NotPermitted);
    QTest::newRow("issuer matches") << QByteArray(R"({"act":{"sub":"b","iss":"y"},"may_act":{"sub":"b","iss":"y"}})")
                                    << int(MayActDecision::Permitted);
    QTest::newRow("earlier actor irrelevant") << QByteArray(R"({"act":{"sub":"c","act":{"sub":"b"}},"may_act":{"sub":"b"}})")
                                              << int(MayActDecision::NotPermitted);
    QTest::newRow("empty may_act") << QByteArray(R"({"act":{"sub":"b"},"may_act":{}})") << int(MayActDecision::NotPermitted);
    QTest::newRow("no may_act") << QByteArray(R"({"act":{"sub":"b"}})") << int(MayActDecision::NoMayAct);
    QTest::newRow("no actor") << QByteArray(R"({"may_act":{"sub":"b"}})") << int(MayActDecision::NoActor);
}

void JoseVerificationTest::mayAct()
{
    QFETCH(QByteArray, claims);
    QFETCH(int, decision);
    const auto parsed = DelegationClaims::fromClaims(json::parse(toStd(claims)));
    QVERIFY2(parsed.ok(), parsed.message().c_str());
    QCOMPARE(mayActDecisionName(parsed->currentActorPermittedByMayAct()),
             mayActDecisionName(static_cast<MayActDecision>(decision)));
}

QTEST_GUILESS_MAIN(JoseVerificationTest)
#include "tst_jose_verification.moc"
