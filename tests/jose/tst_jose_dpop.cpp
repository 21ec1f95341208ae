// DPoP proofs (RFC 9449): typ, algorithm, embedded key, signature, cnf.jkt binding, htm/htu,
// ath, iat window and jti replay.
#include "JoseTestSupport.h"

#include <QtTest/QtTest>

#include <atomic>
#include <thread>
#include <vector>

using namespace chainsight::jose;
using namespace chainsight::jose::testing;
using json = nlohmann::json;

namespace {

constexpr std::int64_t kRequestTime = 1772438400;
const char* const kUrl = "https://api.fixture.example/ledger/entries";

} // namespace

class JoseDpopTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void proofs_data();
    void proofs();
    void replayIsFlagged();
    void captureCheck();
    void helpers();

private:
    JwsSigner& signer(const std::string& kid);
    json publicJwk(const std::string& kid) const;
    std::string proof(const std::string& kid, JwsAlgorithm alg, const json& headerChanges, const json& claimChanges);

    json m_privateJwks;
    std::map<std::string, std::unique_ptr<JwsSigner>> m_signers;
    std::string m_accessToken;
    std::string m_unboundAccessToken;
};

void JoseDpopTest::initTestCase()
{
    m_privateJwks = readJson(QFINDTESTDATA("data/keys.private.jwks.json"));
    QVERIFY(m_privateJwks.is_object());
    const std::string jkt = JsonWebKey::thumbprintOf(publicJwk("test-p256")).value();
    json claims = {{"sub", "alice"}, {"exp", kRequestTime + 300}, {"cnf", {{"jkt", jkt}}}};
    m_accessToken = signer("test-rsa").signClaims(JwsAlgorithm::RS256, json::object(), claims).value();
    claims.erase("cnf");
    m_unboundAccessToken = signer("test-rsa").signClaims(JwsAlgorithm::RS256, json::object(), claims).value();
}

JwsSigner& JoseDpopTest::signer(const std::string& kid)
{
    auto& slot = m_signers[kid];
    if (!slot)
        for (const auto& jwk : m_privateJwks.at("keys"))
            if (jwk.value("kid", "") == kid) {
                json anonymous = jwk; // a DPoP proof names its key by value, never by kid
                anonymous.erase("kid");
                slot = std::make_unique<JwsSigner>(std::move(JwsSigner::fromPrivateJwk(anonymous).value()));
            }
    Q_ASSERT(slot);
    return *slot;
}

json JoseDpopTest::publicJwk(const std::string& kid) const
{
    for (const auto& jwk : m_privateJwks.at("keys"))
        if (jwk.value("kid", "") == kid) {
            json pub = JwsSigner::publicJwk(jwk);
            pub.erase("kid");
            pub.erase("use");
            return pub;
        }
    return {};
}

std::string JoseDpopTest::proof(const std::string& kid, JwsAlgorithm alg, const json& headerChanges,
                                const json& claimChanges)
{
    json header = {{"typ", "dpop+jwt"}, {"jwk", publicJwk(kid)}};
    json claims = {{"jti", "proof-1"}, {"htm", "POST"}, {"htu", kUrl}, {"iat", kRequestTime - 2},
                   {"ath", DpopProofCheck::accessTokenHash(m_accessToken)}};
    // A null in the changes removes the member.
    for (const auto& [name, value] : headerChanges.items())
        value.is_null() ? static_cast<void>(header.erase(name)) : static_cast<void>(header[name] = value);
    for (const auto& [name, value] : claimChanges.items())
        value.is_null() ? static_cast<void>(claims.erase(name)) : static_cast<void>(claims[name] = value);
    auto token = signer(kid).sign(alg, header, claims.dump());
    return token ? token.value() : std::string();
}

void JoseDpopTest::proofs_data()
{
    QTest::addColumn<QByteArray>("proof");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("url");
    QTest::addColumn<bool>("boundToken");
    QTest::addColumn<bool>("resourceRequest");
    QTest::addColumn<int>("status");
    const auto row = [](const char* name, const std::string& token, int status, const char* method = "POST",
                        const char* url = kUrl, bool bound = true, bool resource = true) {
        QTest::newRow(name) << toBytes(token) << QByteArray(method) << QByteArray(url) << bound << resource << status;
    };
    const json none = json::object();
    const int valid = static_cast<int>(DpopStatus::Valid);
    row("good ES256", proof("test-p256", JwsAlgorithm::ES256, none, none), valid);
    row("url with query and fragment", proof("test-p256", JwsAlgorithm::ES256, none, none), valid, "POST",
        "https://api.fixture.example/ledger/entries?page=2#top");
    row("url case and default port", proof("test-p256", JwsAlgorithm::ES256, none, none), valid, "POST",
        "HTTPS://API.fixture.example:443/ledger/entries");
    row("token request, no ath", proof("test-p256", JwsAlgorithm::ES256, none, json{{"ath", nullptr}}), valid,
        "POST", kUrl, false, false);
    row("bad ath", proof("test-p256", JwsAlgorithm::ES256, none, json{{"ath", DpopProofCheck::accessTokenHash("other")}}),
        static_cast<int>(DpopStatus::AccessTokenHashMismatch));
    row("missing ath", proof("test-p256", JwsAlgorithm::ES256, none, json{{"ath", nullptr}}),
        static_cast<int>(DpopStatus::AccessTokenHashMismatch));
    row("bad htm", proof("test-p256", JwsAlgorithm::ES256, none, none), static_cast<int>(DpopStatus::MethodMismatch), "GET");
    row("lower-case htm", proof("test-p256", JwsAlgorithm::ES256, none, json{{"htm", "post"}}),
        static_cast<int>(DpopStatus::MethodMismatch));
    row("bad htu path", proof("test-p256", JwsAlgorithm::ES256, none, none), static_cast<int>(DpopStatus::UrlMismatch),
        "POST", "https://api.fixture.example/ledger/other");
    row("bad htu host", proof("test-p256", JwsAlgorithm::ES256, none, json{{"htu", "https://evil.example/ledger/entries"}}),
        static_cast<int>(DpopStatus::UrlMismatch));
    row("bad htu scheme", proof("test-p256", JwsAlgorithm::ES256, none, json{{"htu", "http://api.fixture.example/ledger/entries"}}),
        static_cast<int>(DpopStatus::UrlMismatch));
    row("thumbprint mismatch", proof("test-ed25519", JwsAlgorithm::EdDSA, none, none),
        static_cast<int>(DpopStatus::ThumbprintMismatch));
    row("token without cnf", proof("test-p256", JwsAlgorithm::ES256, none, none),
        static_cast<int>(DpopStatus::ThumbprintMismatch), "POST", kUrl, false, true);
    row("typ JWT", proof("test-p256", JwsAlgorithm::ES256, json{{"typ", "JWT"}}, none), static_cast<int>(DpopStatus::WrongType));
    row("typ missing", proof("test-p256", JwsAlgorithm::ES256, json{{"typ", nullptr}}, none),
        static_cast<int>(DpopStatus::WrongType));
    {
        json header = {{"typ", "dpop+jwt"}, {"alg", "none"}, {"jwk", publicJwk("test-p256")}};
        json claims = {{"jti", "x"}, {"htm", "POST"}, {"htu", kUrl}, {"iat", kRequestTime}};
        row("alg none", Base64Url::encode(header.dump()) + "." + Base64Url::encode(claims.dump()) + ".",
            static_cast<int>(DpopStatus::AlgNone));
    }
    row("symmetric alg", proof("test-oct", JwsAlgorithm::HS256, json{{"jwk", publicJwk("test-p256")}}, none),
        static_cast<int>(DpopStatus::AlgorithmNotAllowed));
    row("private key in jwk", proof("test-p256", JwsAlgorithm::ES256, json{{"jwk", [&] {
            json jwk = publicJwk("test-p256");
            for (const auto& k : m_privateJwks.at("keys"))
                if (k.value("kid", "") == "test-p256")
                    jwk["d"] = k.at("d");
            return jwk;
        }()}}, none),
        static_cast<int>(DpopStatus::PrivateKeyInProof));
    row("oct jwk", proof("test-p256", JwsAlgorithm::ES256, json{{"jwk", {{"kty", "oct"}, {"k", "c2VjcmV0"}}}}, none),
        static_cast<int>(DpopStatus::PrivateKeyInProof));
    row("no jwk", proof("test-p256", JwsAlgorithm::ES256, json{{"jwk", nullptr}}, none),
        static_cast<int>(DpopStatus::InvalidKey));
    row("EdDSA proof carrying an EC jwk", proof("test-ed25519", JwsAlgorithm::EdDSA, json{{"jwk", publicJwk("test-p256")}}, none),
        static_cast<int>(DpopStatus::AlgorithmNotAllowed));
    row("ES256 signature of another P-256 key", [&] {
            std::string mine = proof("test-p256", JwsAlgorithm::ES256, none, none);
            std::string theirs = proof("test-p256", JwsAlgorithm::ES256, none, json{{"jti", "proof-2"}});
            return mine.substr(0, mine.rfind('.')) + theirs.substr(theirs.rfind('.'));
        }(),
        static_cast<int>(DpopStatus::BadSignature));
    row("tampered claims", tamperPart(proof("test-p256", JwsAlgorithm::ES256, none, none), 1),
        static_cast<int>(DpopStatus::BadSignature));
    row("wrong curve for alg", proof("test-p384", JwsAlgorithm::ES384, json{{"jwk", publicJwk("test-p256")}}, none),
        static_cast<int>(DpopStatus::AlgorithmNotAllowed));
    row("iat too old", proof("test-p256", JwsAlgorithm::ES256, none, json{{"iat", kRequestTime - 3600}}),
        static_cast<int>(DpopStatus::OutsideTimeWindow));
    row("iat in future", proof("test-p256", JwsAlgorithm::ES256, none, json{{"iat", kRequestTime + 600}}),
        static_cast<int>(DpopStatus::OutsideTimeWindow));
    row("missing jti", proof("test-p256", JwsAlgorithm::ES256, none, json{{"jti", nullptr}}),
        static_cast<int>(DpopStatus::MissingClaim));
    row("string iat", proof("test-p256", JwsAlgorithm::ES256, none, json{{"iat", "now"}}),
        static_cast<int>(DpopStatus::MissingClaim));
    row("crit", proof("test-p256", JwsAlgorithm::ES256, json{{"crit", {"x"}}, {"x", 1}}, none),
        static_cast<int>(DpopStatus::UnsupportedCrit));
    row("garbage", "not.a.proof!", static_cast<int>(DpopStatus::Malformed));
    row("huge", std::string(100 * 1024, 'a') + ".b.c", static_cast<int>(DpopStatus::TooLarge));
}

void JoseDpopTest::proofs()
{
    QFETCH(QByteArray, proof);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, url);
    QFETCH(bool, boundToken);
    QFETCH(bool, resourceRequest);
    QFETCH(int, status);
    QVERIFY(!proof.isEmpty());
    const std::string jkt = JsonWebKey::thumbprintOf(publicJwk("test-p256")).value();
    const std::string methodText = toStd(method);
    const std::string urlText = toStd(url);
    DpopRequest request;
    request.method = methodText;
    request.url = urlText;
    request.atTime = kRequestTime;
    if (resourceRequest) {
        request.accessToken = boundToken ? m_accessToken : m_unboundAccessToken;
        if (boundToken)
            request.expectedThumbprint = jkt;
    }
    DpopProofCheck check;
    const auto result = check.check(toStd(proof), request);
    QVERIFY2(dpopStatusName(result.status) == dpopStatusName(static_cast<DpopStatus>(status)),
             (std::string(dpopStatusName(result.status)) + ": " + result.message).c_str());
    if (result.valid()) {
        QCOMPARE(result.thumbprint, jkt);
        QCOMPARE(result.tokenId, std::string("proof-1"));
        QVERIFY(result.message.empty());
    } else {
        QVERIFY(!result.message.empty());
    }
}

void JoseDpopTest::replayIsFlagged()
{
    const std::string jkt = JsonWebKey::thumbprintOf(publicJwk("test-p256")).value();
    DpopRequest request{"POST", kUrl, m_accessToken, jkt, kRequestTime};
    DpopProofCheck check;
    DpopReplayTracker tracker;
    const std::string first = proof("test-p256", JwsAlgorithm::ES256, json::object(), json::object());
    QVERIFY(check.check(first, request, &tracker).valid());
    const auto replayed = check.check(first, request, &tracker);
    QCOMPARE(dpopStatusName(replayed.status), dpopStatusName(DpopStatus::Replayed));
    QVERIFY(replayed.message.find("proof-1") != std::string::npos);

    // A fresh jti is fine; a forged proof reusing a jti does not burn it.
    QVERIFY(check.check(proof("test-p256", JwsAlgorithm::ES256, json::object(), json{{"jti", "proof-2"}}), request, &tracker).valid());
    const std::string forged = tamperPart(proof("test-p256", JwsAlgorithm::ES256, json::object(), json{{"jti", "proof-3"}}), 2);
    QCOMPARE(dpopStatusName(check.check(forged, request, &tracker).status), dpopStatusName(DpopStatus::BadSignature));
    QVERIFY(check.check(proof("test-p256", JwsAlgorithm::ES256, json::object(), json{{"jti", "proof-3"}}), request, &tracker).valid());
    QCOMPARE(tracker.size(), std::size_t{3});

    // The same jti under another key is not a replay of this one.
    DpopRequest edRequest = request;
    const std::string edJkt = JsonWebKey::thumbprintOf(publicJwk("test-ed25519")).value();
    edRequest.expectedThumbprint = edJkt;
    QVERIFY(check.check(proof("test-ed25519", JwsAlgorithm::EdDSA, json::object(), json::object()), edRequest, &tracker).valid());

    // Extreme request times are refused without arithmetic overflow.
    for (const std::int64_t extreme : {INT64_MAX, INT64_MIN}) {
        DpopRequest far = request;
        far.atTime = extreme;
        QCOMPARE(dpopStatusName(check.check(proof("test-p256", JwsAlgorithm::ES256, json::object(), json{{"jti", "far"}}), far).status),
                 dpopStatusName(DpopStatus::OutsideTimeWindow));
    }

    tracker.forgetIssuedBefore(kRequestTime);
    QCOMPARE(tracker.size(), std::size_t{0});

    // Shared between threads, each pair is first-used exactly once.
    DpopReplayTracker shared;
    std::atomic<int> firsts{0};
    std::vector<std::thread> workers;
    for (int w = 0; w < 4; ++w)
        workers.emplace_back([&shared, &firsts] {
            for (int i = 0; i < 500; ++i)
                firsts += shared.recordFirstUse("jkt", "jti-" + std::to_string(i), kRequestTime) ? 1 : 0;
        });
    for (auto& worker : workers)
        worker.join();
    QCOMPARE(firsts.load(), 500);
    QCOMPARE(shared.size(), std::size_t{500});
}

void JoseDpopTest::captureCheck()
{
    json publicSet = json::object({{"keys", json::array()}});
    for (const auto& jwk : m_privateJwks.at("keys"))
        if (jwk.value("kid", "") == "test-rsa")
            publicSet["keys"].push_back(JwsSigner::publicJwk(jwk));
    auto keys = std::make_shared<const JsonWebKeySet>(JsonWebKeySet::fromJson(publicSet).value());
    TokenCaptureCheck check(keys);
    DpopReplayTracker replay;
    const std::string good = proof("test-p256", JwsAlgorithm::ES256, json::object(), json::object());

    const auto bound = check.check({m_accessToken, good, "POST", kUrl, kRequestTime}, &replay);
    QVERIFY2(bound.token.verified(), bound.token.message.c_str());
    QVERIFY(bound.claims.has_value());
    QCOMPARE(bound.claims->subject, std::string("alice"));
    QVERIFY(bound.dpop.has_value());
    QVERIFY2(bound.dpop->valid(), bound.dpop->message.c_str());
    QVERIFY(bound.trustworthy());
    QCOMPARE(bound.token.keyId, std::string("test-rsa")); // the token has no kid; the RSA key fits
    QCOMPARE(check.lastToken().claims().at("sub").get<std::string>(), std::string("alice"));

    // Replayed proof: the token is still genuine, the capture is not trustworthy.
    const auto again = check.check({m_accessToken, good, "POST", kUrl, kRequestTime}, &replay);
    QVERIFY(again.token.verified());
    QCOMPARE(dpopStatusName(again.dpop->status), dpopStatusName(DpopStatus::Replayed));
    QVERIFY(!again.trustworthy());

    // No proof: no DPoP verdict. Expired at capture time: verified but not trustworthy.
    const auto plain = check.check({m_accessToken, {}, "POST", kUrl, kRequestTime + 3600});
    QVERIFY(!plain.dpop.has_value());
    QVERIFY(plain.token.verified());
    QVERIFY(plain.token.time.expired);
    QVERIFY(!plain.trustworthy());

    // An unreadable token binds nothing, so its proof cannot pass.
    const auto garbage = check.check({"garbage", good, "POST", kUrl, kRequestTime});
    QCOMPARE(statusName(garbage.token.status), statusName(JwsStatus::Malformed));
    QVERIFY(!garbage.claims.has_value());
    QVERIFY(!garbage.claimsError.empty());
    QVERIFY(!garbage.dpop->valid());
}

void JoseDpopTest::helpers()
{
    QCOMPARE(DpopProofCheck::normalizedHtu("https://Example.COM:443/a/b?x=1#f"), std::string("https://example.com/a/b"));
    QCOMPARE(DpopProofCheck::normalizedHtu("http://example.com:80"), std::string("http://example.com/"));
    QCOMPARE(DpopProofCheck::normalizedHtu("https://example.com:8443/A"), std::string("https://example.com:8443/A"));
    QCOMPARE(DpopProofCheck::accessTokenHash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
             std::string("fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo")); // RFC 9449 section 7.1
}

QTEST_GUILESS_MAIN(JoseDpopTest)
#include "tst_jose_dpop.moc"
