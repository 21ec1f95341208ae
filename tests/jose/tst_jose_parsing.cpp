// Compact JWS parsing and strict base64url/JSON: every bad input gives a diagnostic, never a crash.
#include "JoseTestSupport.h"

#include <QtTest/QtTest>

using namespace chainsight::jose;
using namespace chainsight::jose::testing;

namespace {

std::string jsonPart(std::string_view json)
{
    return Base64Url::encode(json);
}

std::string makeToken(std::string_view header, std::string_view claims, std::string_view signature = "c2ln")
{
    return jsonPart(header) + "." + jsonPart(claims) + "." + std::string(signature);
}

} // namespace

class JoseParsingTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void base64UrlRoundTrip_data();
    void base64UrlRoundTrip();
    void base64UrlRejects_data();
    void base64UrlRejects();
    void parseValidToken();
    void parseRejects_data();
    void parseRejects();
    void tenMegabyteHeaderIsRefused();
    void deepNestingIsRefused();
    void opaquePayload();
};

void JoseParsingTest::base64UrlRoundTrip_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("encoded");
    QTest::newRow("empty") << QByteArray() << QByteArray();
    QTest::newRow("one") << QByteArray("f") << QByteArray("Zg");
    QTest::newRow("two") << QByteArray("fo") << QByteArray("Zm8");
    QTest::newRow("three") << QByteArray("foo") << QByteArray("Zm9v");
    QTest::newRow("url alphabet") << QByteArray("\xfb\xff\xfe", 3) << QByteArray("-__-");
    QTest::newRow("rfc7515 header") << QByteArray("{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}")
                                    << QByteArray("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9");
}

void JoseParsingTest::base64UrlRoundTrip()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, encoded);
    QCOMPARE(toBytes(Base64Url::encode(toStd(bytes))), encoded);
    const auto decoded = Base64Url::decode(toStd(encoded));
    QVERIFY(decoded.has_value());
    QCOMPARE(toBytes(*decoded), bytes);
}

void JoseParsingTest::base64UrlRejects_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("offset");
    QTest::newRow("padding") << QByteArray("Zg==") << 2;
    QTest::newRow("plus") << QByteArray("a+bc") << 1;
    QTest::newRow("slash") << QByteArray("ab/c") << 2;
    QTest::newRow("space") << QByteArray("ab c") << 2;
    QTest::newRow("newline") << QByteArray("abcd\n") << 4;
    QTest::newRow("single leftover") << QByteArray("abcde") << 4;
    QTest::newRow("non-zero trailing bits 2") << QByteArray("Zh") << 1;
    QTest::newRow("non-zero trailing bits 3") << QByteArray("Zm9") << 2;
    QTest::newRow("nul") << QByteArray("ab\0d", 4) << 2;
    QTest::newRow("high byte") << QByteArray("ab\xc3\xa9") << 2;
}

void JoseParsingTest::base64UrlRejects()
{
    QFETCH(QByteArray, text);
    QFETCH(int, offset);
    std::string out = "stale";
    std::size_t at = 999;
    QVERIFY(!Base64Url::decodeTo(toStd(text), out, &at));
    QCOMPARE(static_cast<int>(at), offset);
    QVERIFY(out.empty());
}

void JoseParsingTest::parseValidToken()
{
    const std::string token = makeToken(R"({"alg":"RS256","kid":"k1","typ":"at+jwt"})",
                                        R"({"sub":"alice","exp":1700000000,"name":"Ren\u00e9e"})");
    auto jws = CompactJws::parse(token);
    QVERIFY2(jws.ok(), jws.message().c_str());
    QCOMPARE(jws->algorithm(), JwsAlgorithm::RS256);
    QVERIFY(jws->hasKeyId());
    QCOMPARE(jws->keyId(), std::string("k1"));
    QCOMPARE(jws->type(), std::string("at+jwt"));
    QCOMPARE(jws->claims().at("sub").get<std::string>(), std::string("alice"));
    QCOMPARE(jws->claims().at("name").get<std::string>(), std::string("Ren\xc3\xa9" "e"));
    QCOMPARE(jws->signature(), std::string("sig"));
    QCOMPARE(std::string(jws->signingInput()), token.substr(0, token.rfind('.')));
}

void JoseParsingTest::parseRejects_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("messagePart");
    const auto row = [](const char* name, const std::string& token, JwsStatus status, const char* part) {
        QTest::newRow(name) << toBytes(token) << static_cast<int>(status) << QByteArray(part);
    };
    const std::string claims = R"({"sub":"a"})";
    row("empty", "", JwsStatus::Malformed, "empty token");
    row("one part", "abc", JwsStatus::Malformed, "three");
    row("two parts", "abc.def", JwsStatus::Malformed, "three");
    row("four parts", "a.b.c.d", JwsStatus::Malformed, "4 parts");
    row("jwe", "a.b.c.d.e", JwsStatus::Malformed, "JWE");
    row("empty header", ".e30.c2ln", JwsStatus::Malformed, "empty header");
    row("garbage base64 header", "!!!.e30.c2ln", JwsStatus::Malformed, "header is not base64url");
    row("padded header", jsonPart(R"({"alg":"HS256"})") + "=.e30.c2ln", JwsStatus::Malformed, "padding");
    row("plain base64 signature", makeToken(R"({"alg":"HS256"})", claims, "ab+/"), JwsStatus::Malformed,
        "plain base64");
    row("garbage base64 payload", jsonPart(R"({"alg":"HS256"})") + ".%%%.c2ln", JwsStatus::Malformed,
        "payload is not base64url");
    row("header not json", jsonPart("not json") + ".e30.c2ln", JwsStatus::Malformed, "header is not valid JSON");
    row("header is array", makeToken(R"(["alg"])", claims), JwsStatus::Malformed, "not a JSON object");
    row("header invalid utf-8", makeToken("{\"alg\":\"HS256\",\"x\":\"\xff\xfe\"}", claims), JwsStatus::Malformed,
        "invalid UTF-8");
    row("claims invalid utf-8", makeToken(R"({"alg":"HS256"})", "{\"sub\":\"\xc3\x28\"}"), JwsStatus::Malformed,
        "claims are not valid JSON: invalid UTF-8");
    row("overlong utf-8", makeToken(R"({"alg":"HS256"})", "{\"sub\":\"\xc0\xaf\"}"), JwsStatus::Malformed,
        "invalid UTF-8");
    row("truncated claims", makeToken(R"({"alg":"HS256"})", R"({"sub":"a")"), JwsStatus::Malformed, "truncated");
    row("claims not object", makeToken(R"({"alg":"HS256"})", "[1,2]"), JwsStatus::Malformed,
        "claims are not a JSON object");
    row("duplicate alg", makeToken(R"({"alg":"none","alg":"HS256"})", claims), JwsStatus::Malformed,
        "duplicate member \"alg\"");
    row("duplicate claim", makeToken(R"({"alg":"HS256"})", R"({"sub":"a","sub":"b"})"), JwsStatus::Malformed,
        "duplicate member \"sub\"");
    row("no alg", makeToken(R"({"typ":"JWT"})", claims), JwsStatus::Malformed, "no \"alg\"");
    row("alg not string", makeToken(R"({"alg":256})", claims), JwsStatus::Malformed, "\"alg\" is not a string");
    row("kid not string", makeToken(R"({"alg":"HS256","kid":7})", claims), JwsStatus::Malformed,
        "\"kid\" is not a string");
    row("crit empty", makeToken(R"({"alg":"HS256","crit":[]})", claims), JwsStatus::Malformed, "non-empty");
    row("crit registered", makeToken(R"({"alg":"HS256","crit":["alg"]})", claims), JwsStatus::Malformed,
        "registered name");
    row("crit absent member", makeToken(R"({"alg":"HS256","crit":["exp"]})", claims), JwsStatus::Malformed,
        "does not carry");
    row("crit not strings", makeToken(R"({"alg":"HS256","crit":[1]})", claims), JwsStatus::Malformed,
        "other than a header name");
    row("whitespace around token", " " + makeToken(R"({"alg":"HS256"})", claims), JwsStatus::Malformed,
        "offset 0");
}

void JoseParsingTest::parseRejects()
{
    QFETCH(QByteArray, token);
    QFETCH(int, status);
    QFETCH(QByteArray, messagePart);
    const auto jws = CompactJws::parse(toStd(token));
    QVERIFY(!jws.ok());
    QCOMPARE(statusName(jws.status()), statusName(static_cast<JwsStatus>(status)));
    QVERIFY2(jws.message().find(toStd(messagePart)) != std::string::npos, jws.message().c_str());
    // Messages are printable ASCII, whatever the input held.
    for (char c : jws.message())
        QVERIFY(c >= 0x20 && c < 0x7f);
}

void JoseParsingTest::tenMegabyteHeaderIsRefused()
{
    std::string header = R"({"alg":"HS256","pad":")" + std::string(10 * 1024 * 1024, 'x') + "\"}";
    const std::string token = makeToken(header, R"({"sub":"a"})");
    const auto jws = CompactJws::parse(token);
    QVERIFY(!jws.ok());
    QCOMPARE(statusName(jws.status()), statusName(JwsStatus::TooLarge));
    QVERIFY2(jws.message().find("limit") != std::string::npos, jws.message().c_str());

    // The limit is configurable; a raised one accepts the same token.
    JwsLimits generous;
    generous.maxTokenBytes = 64u * 1024 * 1024;
    QVERIFY(CompactJws::parse(token, generous).ok());

    // The verifier reports the same status rather than trying anything.
    SignatureVerifier verifier(std::make_shared<const JsonWebKeySet>());
    QCOMPARE(statusName(verifier.verify(token).status), statusName(JwsStatus::TooLarge));
}

void JoseParsingTest::deepNestingIsRefused()
{
    const std::string deep = "{\"alg\":\"HS256\",\"x\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
    JwsLimits limits;
    limits.maxTokenBytes = 1024 * 1024;
    const auto jws = CompactJws::parse(makeToken(deep, R"({"sub":"a"})"), limits);
    QVERIFY(!jws.ok());
    QVERIFY2(jws.message().find("nested deeper") != std::string::npos, jws.message().c_str());

    // A realistic act chain fits the default depth; an absurd one does not.
    const auto actChain = [](int depth) {
        std::string act = R"({"sub":"a0"})";
        for (int i = 1; i < depth; ++i)
            act = R"({"sub":"a)" + std::to_string(i) + R"(","act":)" + act + "}";
        return R"({"sub":"user","act":)" + act + "}";
    };
    QVERIFY(CompactJws::parse(makeToken(R"({"alg":"HS256"})", actChain(40)), limits).ok());
    const auto tooDeep = CompactJws::parse(makeToken(R"({"alg":"HS256"})", actChain(70)), limits);
    QVERIFY(!tooDeep.ok());
    QVERIFY2(tooDeep.message().find("nested deeper than 64") != std::string::npos, tooDeep.message().c_str());
}

void JoseParsingTest::opaquePayload()
{
    const std::string token = jsonPart(R"({"alg":"EdDSA"})") + "." + jsonPart("Example of Ed25519 signing") + ".c2ln";
    QVERIFY(!CompactJws::parse(token).ok());
    const auto jws = CompactJws::parse(token, {}, JwsPayloadKind::Opaque);
    QVERIFY2(jws.ok(), jws.message().c_str());
    QCOMPARE(jws->payload(), std::string("Example of Ed25519 signing"));
    QVERIFY(jws->claims().is_null());
}

QTEST_GUILESS_MAIN(JoseParsingTest)
#include "tst_jose_parsing.moc"
