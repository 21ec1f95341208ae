// bench_jose: how fast the JOSE library checks JWT captures (access token + DPoP proof), and how
// that compares with bare OpenSSL EVP_DigestVerify calls on the same signatures in the same run.
//
//   bench_jose [--dir DIR] [--captures N] [--threads T]
//
// Without --dir a fixed workload is generated in memory: RS256/ES256/EdDSA access tokens with
// nested act chains, about 65 % of them distinct (a token is captured 1-2 times), 28 % of captures
// carrying an ES256 or EdDSA DPoP proof, 1.5 % alg=none and 1.5 % tampered, like gen_enterprise.
// With --dir, DIR/tokens.jsonl and DIR/jwks.json from gen_enterprise.py are read instead.
// Records are loaded before timing starts; the timed part is the JOSE work only.
#include "jose/Jws.h"
#include "jose/SignatureEngine.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace chainsight::jose;
using json = nlohmann::json;

namespace {

struct Capture {
    std::string token;
    std::string dpop; // empty when the capture has no proof
    std::string method = "POST";
    std::string url;
    std::int64_t time = 0;
};

struct Workload {
    std::vector<Capture> captures;
    json jwks;
    std::size_t distinctTokens = 0;
    std::size_t expectedUnverified = 0;
};

// ---------------------------------------------------------------- key generation and export

std::string bnBytes(EVP_PKEY* key, const char* name, int width = 0)
{
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &bn) != 1)
        return {};
    const int size = width ? width : BN_num_bytes(bn);
    std::string out(static_cast<std::size_t>(size), '\0');
    BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), size);
    BN_clear_free(bn);
    return out;
}

// A private JWK for a freshly generated key (RSA 2048, P-256 or Ed25519).
json generatePrivateJwk(const std::string& type, const std::string& kid)
{
    EvpPkeyPtr key;
    json jwk;
    if (type == "RSA") {
        key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)));
        jwk = {{"kty", "RSA"},
               {"n", Base64Url::encode(bnBytes(key.get(), OSSL_PKEY_PARAM_RSA_N))},
               {"e", Base64Url::encode(bnBytes(key.get(), OSSL_PKEY_PARAM_RSA_E))},
               {"d", Base64Url::encode(bnBytes(key.get(), OSSL_PKEY_PARAM_RSA_D))},
               {"p", Base64Url::encode(bnBytes(key.get(), OSSL_PKEY_PARAM_RSA_FACTOR1))},
               {"q", Base64Url::encode(bnBytes(key.get(), OSSL_PKEY_PARAM_RSA_FACTOR2))},
               {"dp", Base64Url::encode(bnBytes(key.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1))},
               {"dq", Base64Url::encode(bnBytes(key.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2))},
               {"qi", Base64Url::encode(bnBytes(key.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1))}};
    } else if (type == "EC") {
        key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
        unsigned char point[65];
        std::size_t length = 0;
        EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &length);
        const std::string raw(reinterpret_cast<const char*>(point), length);
        jwk = {{"kty", "EC"}, {"crv", "P-256"}, {"x", Base64Url::encode(raw.substr(1, 32))},
               {"y", Base64Url::encode(raw.substr(33, 32))},
               {"d", Base64Url::encode(bnBytes(key.get(), OSSL_PKEY_PARAM_PRIV_KEY, 32))}};
    } else {
        key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
        unsigned char pub[32], priv[32];
        std::size_t pubLength = sizeof pub, privLength = sizeof priv;
        EVP_PKEY_get_raw_public_key(key.get(), pub, &pubLength);
        EVP_PKEY_get_raw_private_key(key.get(), priv, &privLength);
        jwk = {{"kty", "OKP"}, {"crv", "Ed25519"},
               {"x", Base64Url::encode(std::string(reinterpret_cast<const char*>(pub), pubLength))},
               {"d", Base64Url::encode(std::string(reinterpret_cast<const char*>(priv), privLength))}};
    }
    if (!kid.empty())
        jwk["kid"] = kid;
    return jwk;
}

Workload generateWorkload(std::size_t captureCount)
{
    std::mt19937_64 rng(20260302);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    Workload workload;

    struct Issuer {
        JwsAlgorithm algorithm;
        std::unique_ptr<JwsSigner> signer;
    };
    std::vector<Issuer> issuers;
    json keys = json::array();
    const std::pair<const char*, JwsAlgorithm> issuerKinds[] = {
        {"RSA", JwsAlgorithm::RS256}, {"EC", JwsAlgorithm::ES256}, {"OKP", JwsAlgorithm::EdDSA}};
    for (const auto& [type, algorithm] : issuerKinds) {
        json jwk = generatePrivateJwk(type, std::string("issuer-") + type);
        jwk["alg"] = std::string(jwsAlgorithmName(algorithm));
        jwk["use"] = "sig";
        keys.push_back(JwsSigner::publicJwk(jwk));
        issuers.push_back({algorithm, std::make_unique<JwsSigner>(std::move(JwsSigner::fromPrivateJwk(jwk).value()))});
    }
    workload.jwks = {{"keys", keys}};

    struct Agent {
        std::string id;
        std::unique_ptr<JwsSigner> dpop; // null: no DPoP
        JwsAlgorithm dpopAlgorithm = JwsAlgorithm::ES256;
        json dpopJwk;
        std::string jkt;
    };
    std::vector<Agent> agents(60);
    for (std::size_t i = 0; i < agents.size(); ++i) {
        Agent& agent = agents[i];
        agent.id = "agent-" + std::to_string(i);
        if (unit(rng) < 0.3) {
            const bool ec = unit(rng) < 0.75;
            json jwk = generatePrivateJwk(ec ? "EC" : "OKP", {});
            agent.dpopAlgorithm = ec ? JwsAlgorithm::ES256 : JwsAlgorithm::EdDSA;
            agent.dpopJwk = JwsSigner::publicJwk(jwk);
            agent.jkt = JsonWebKey::thumbprintOf(agent.dpopJwk).value();
            agent.dpop = std::make_unique<JwsSigner>(std::move(JwsSigner::fromPrivateJwk(jwk).value()));
        }
    }

    const std::int64_t start = 1772438400;
    std::size_t proofCounter = 0;
    while (workload.captures.size() < captureCount) {
        const std::size_t index = workload.distinctTokens++;
        Agent& agent = agents[rng() % agents.size()];
        const double pick = unit(rng);
        Issuer& issuer = issuers[pick < 0.40 ? 0 : pick < 0.71 ? 1 : 2];
        const std::int64_t now = start + static_cast<std::int64_t>(index) * 3;
        json act = {{"sub", "agent-root"}};
        const int depth = static_cast<int>(rng() % 3);
        for (int d = 0; d < depth; ++d)
            act = {{"sub", "agent-hop-" + std::to_string(d)}, {"act", act}};
        json claims = {{"iss", "https://sso.bench.example/realms/agents"}, {"sub", "human-" + std::to_string(index % 97)},
                       {"aud", {"https://agents.bench.example/a2a/worker", "https://tools.bench.example/mcp"}},
                       {"exp", now + 300}, {"iat", now}, {"jti", "jti-" + std::to_string(index)},
                       {"client_id", agent.id}, {"scope", "ledger.read payment.execute crm.read"},
                       {"sid", "session-" + std::to_string(index / 7)}, {"act", {{"sub", agent.id}, {"act", act}}},
                       {"may_act", {{"sub", "agent-next"}}}};
        if (agent.dpop)
            claims["cnf"] = {{"jkt", agent.jkt}};
        std::string token = issuer.signer->signClaims(issuer.algorithm, json{{"typ", "at+jwt"}}, claims).value();
        const double anomaly = unit(rng);
        if (anomaly < 0.015) {
            token = Base64Url::encode(R"({"alg":"none","typ":"at+jwt"})") + "." + Base64Url::encode(claims.dump()) + ".";
            ++workload.expectedUnverified;
        } else if (anomaly < 0.03) {
            json tampered = claims;
            tampered["exp"] = now + 86400;
            token = token.substr(0, token.find('.') + 1) + Base64Url::encode(tampered.dump()) + token.substr(token.rfind('.'));
            ++workload.expectedUnverified;
        }
        const int times = unit(rng) < 0.54 ? 2 : 1; // about 1.54 captures per distinct token
        for (int t = 0; t < times && workload.captures.size() < captureCount; ++t) {
            Capture capture;
            capture.token = token;
            capture.url = t == 0 ? "https://agents.bench.example/a2a/worker" : "https://tools.bench.example/mcp";
            capture.time = now + t;
            if (agent.dpop) {
                json proof = {{"jti", "proof-" + std::to_string(proofCounter++)}, {"htm", "POST"}, {"htu", capture.url},
                              {"iat", capture.time}, {"ath", DpopProofCheck::accessTokenHash(token)}};
                capture.dpop = agent.dpop->signClaims(agent.dpopAlgorithm, json{{"typ", "dpop+jwt"}, {"jwk", agent.dpopJwk}},
                                                      proof).value();
            }
            workload.captures.push_back(std::move(capture));
        }
    }
    return workload;
}

std::int64_t parseIsoTime(const std::string& text)
{
    std::tm tm{};
    int year = 0, month = 0;
    if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d", &year, &month, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return 0;
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    return static_cast<std::int64_t>(timegm(&tm));
}

bool readWorkload(const std::string& dir, Workload& workload)
{
    std::ifstream jwks(dir + "/jwks.json");
    std::ifstream lines(dir + "/tokens.jsonl");
    if (!jwks || !lines)
        return false;
    workload.jwks = json::parse(jwks);
    std::string line;
    std::map<std::string, int> distinct;
    while (std::getline(lines, line)) {
        if (line.empty())
            continue;
        const json record = json::parse(line);
        Capture capture;
        capture.token = record.at("token").get<std::string>();
        capture.method = record.at("request").at("method").get<std::string>();
        capture.url = record.at("request").at("url").get<std::string>();
        capture.time = parseIsoTime(record.at("time").get<std::string>());
        if (record.contains("dpop"))
            capture.dpop = record.at("dpop").get<std::string>();
        distinct[capture.token]++;
        workload.captures.push_back(std::move(capture));
    }
    workload.distinctTokens = distinct.size();
    return true;
}

// ---------------------------------------------------------------- the library path

struct Tally {
    std::size_t verified = 0, unverified = 0, proofsValid = 0, proofsInvalid = 0;
};

// What an importer does per capture (TokenCaptureCheck): parse, verify, read the delegation
// claims, check DPoP.
Tally runLibrary(const Workload& workload, const std::shared_ptr<const JsonWebKeySet>& keys, bool cache,
                 unsigned threads)
{
    auto sharedCache = cache ? std::make_shared<SignatureResultCache>() : nullptr;
    DpopReplayTracker replay; // one for the whole import: a replay is caught on any thread
    std::vector<Tally> tallies(threads);
    std::vector<std::thread> workers;
    for (unsigned w = 0; w < threads; ++w) {
        workers.emplace_back([&, w] {
            TokenCaptureCheck check(keys, {}, {}, sharedCache);
            Tally& tally = tallies[w];
            for (std::size_t i = w; i < workload.captures.size(); i += threads) {
                const Capture& c = workload.captures[i];
                const TokenCaptureResult result = check.check({c.token, c.dpop, c.method, c.url, c.time}, &replay);
                result.token.verified() ? ++tally.verified : ++tally.unverified;
                if (result.dpop)
                    result.dpop->valid() ? ++tally.proofsValid : ++tally.proofsInvalid;
            }
        });
    }
    for (auto& worker : workers)
        worker.join();
    Tally total;
    for (const auto& t : tallies) {
        total.verified += t.verified;
        total.unverified += t.unverified;
        total.proofsValid += t.proofsValid;
        total.proofsInvalid += t.proofsInvalid;
    }
    return total;
}

// ---------------------------------------------------------------- the raw reference

struct RawSignature {
    EVP_PKEY* key = nullptr;
    const EVP_MD* md = nullptr; // null for EdDSA
    std::string_view signingInput;
    std::string signature; // DER for ECDSA
};

std::string rawToDer(const std::string& raw)
{
    // Built with the same length rules OpenSSL expects; done before timing.
    const auto integer = [](const unsigned char* p, std::size_t n) {
        while (n > 1 && *p == 0) {
            ++p;
            --n;
        }
        std::string out = "\x02";
        const bool pad = (*p & 0x80) != 0;
        out += static_cast<char>(n + (pad ? 1 : 0));
        if (pad)
            out += '\0';
        out.append(reinterpret_cast<const char*>(p), n);
        return out;
    };
    const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
    const std::string body = integer(p, raw.size() / 2) + integer(p + raw.size() / 2, raw.size() / 2);
    std::string der = "\x30";
    if (body.size() > 127)
        der += '\x81';
    der += static_cast<char>(body.size());
    return der + body;
}

double processCpuSeconds()
{
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

} // namespace

int main(int argc, char** argv)
{
    std::string dir;
    std::size_t captureCount = 20000;
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--dir" && i + 1 < argc)
            dir = argv[++i];
        else if (arg == "--captures" && i + 1 < argc)
            captureCount = static_cast<std::size_t>(std::stoul(argv[++i]));
        else if (arg == "--threads" && i + 1 < argc)
            threads = static_cast<unsigned>(std::stoul(argv[++i]));
        else {
            std::fprintf(stderr, "usage: bench_jose [--dir DIR] [--captures N] [--threads T]\n");
            return 2;
        }
    }

    Workload workload;
    const auto genStart = std::chrono::steady_clock::now();
    if (!dir.empty()) {
        if (!readWorkload(dir, workload)) {
            std::fprintf(stderr, "cannot read %s/tokens.jsonl and %s/jwks.json\n", dir.c_str(), dir.c_str());
            return 2;
        }
    } else {
        workload = generateWorkload(captureCount);
    }
    const double genSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - genStart).count();
    auto loaded = JsonWebKeySet::fromJson(workload.jwks);
    if (!loaded) {
        std::fprintf(stderr, "JWKS: %s\n", loaded.message().c_str());
        return 2;
    }
    auto keys = std::make_shared<const JsonWebKeySet>(std::move(loaded.value()));
    std::size_t proofs = 0;
    for (const auto& c : workload.captures)
        proofs += c.dpop.empty() ? 0 : 1;
    std::printf("workload: %zu captures, %zu distinct tokens, %zu DPoP proofs (%s, prepared in %.1f s)\n",
                workload.captures.size(), workload.distinctTokens, proofs,
                dir.empty() ? "generated" : dir.c_str(), genSeconds);

    // Raw reference inputs: keys preloaded, signatures decoded and DER-encoded, all before timing.
    std::vector<RawSignature> raw;
    std::map<std::string, EvpPkeyPtr> proofKeys;
    EvpMdPtr sha256(EVP_MD_fetch(nullptr, "SHA2-256", nullptr));
    for (const auto& capture : workload.captures) {
        for (const std::string* text : {&capture.token, &capture.dpop}) {
            if (text->empty())
                continue;
            auto jws = CompactJws::parse(*text);
            if (!jws || jws->algorithm() == JwsAlgorithm::None)
                continue;
            RawSignature entry;
            entry.signingInput = std::string_view(*text).substr(0, text->rfind('.'));
            entry.md = jws->algorithm() == JwsAlgorithm::EdDSA ? nullptr : sha256.get();
            entry.signature = jws->algorithm() == JwsAlgorithm::ES256 ? rawToDer(jws->signature()) : jws->signature();
            if (jws->header().contains("jwk")) {
                const std::string jkt = JsonWebKey::thumbprintOf(jws->header().at("jwk")).value();
                auto& slot = proofKeys[jkt];
                if (!slot) {
                    auto key = JsonWebKey::fromJson(jws->header().at("jwk"));
                    EVP_PKEY_up_ref(key->evpKey());
                    slot.reset(key->evpKey());
                }
                entry.key = slot.get();
            } else {
                for (std::size_t index : keys->indexesWithKeyId(jws->keyId()))
                    entry.key = keys->keys()[index].evpKey();
            }
            if (entry.key)
                raw.push_back(std::move(entry));
        }
    }

    // Wall time, plus the process CPU time of the same run: on a shared machine the wall clock
    // shows what we got, CPU time what the work costs (captures per CPU-second do not depend on
    // how many cores other processes leave us).
    double lastCpuSeconds = 0;
    const auto timeIt = [&lastCpuSeconds](auto&& work) {
        const double cpuStart = processCpuSeconds();
        const auto start = std::chrono::steady_clock::now();
        work();
        lastCpuSeconds = processCpuSeconds() - cpuStart;
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };

    // Every signature (token and proof) of every capture, no cache: the work a verifier must do.
    const auto runRaw = [&raw](unsigned workers) {
        std::vector<std::thread> pool;
        std::atomic<std::size_t> valid{0};
        for (unsigned w = 0; w < workers; ++w) {
            pool.emplace_back([&, w] {
                EvpMdCtxPtr ctx(EVP_MD_CTX_new());
                std::size_t mine = 0;
                for (std::size_t i = w; i < raw.size(); i += workers) {
                    const RawSignature& entry = raw[i];
                    EVP_MD_CTX_reset(ctx.get());
                    const bool ok = EVP_DigestVerifyInit(ctx.get(), nullptr, entry.md, nullptr, entry.key) == 1
                                    && EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(entry.signature.data()),
                                                        entry.signature.size(),
                                                        reinterpret_cast<const unsigned char*>(entry.signingInput.data()),
                                                        entry.signingInput.size()) == 1;
                    mine += ok ? 1 : 0;
                    if (!ok)
                        ERR_clear_error();
                }
                valid += mine;
            });
        }
        for (auto& worker : pool)
            worker.join();
        return valid.load();
    };
    const double captures = static_cast<double>(workload.captures.size());
    std::size_t rawValid = 0;
    const double rawSeconds = timeIt([&] { rawValid = runRaw(1); });
    const double rawRate = captures / rawSeconds;
    const double rawCpuRate = captures / lastCpuSeconds;
    std::printf("raw reference (bare EVP_DigestVerify, 1 thread, preloaded keys, no JSON): %zu signatures (%zu valid), "
                "%.3f s, %.0f signatures/s = %.0f captures/s; %.0f captures per CPU-second\n",
                raw.size(), rawValid, rawSeconds, static_cast<double>(raw.size()) / rawSeconds, rawRate, rawCpuRate);
    if (threads > 1) {
        const double seconds = timeIt([&] { runRaw(threads); });
        std::printf("raw reference, %u threads (how much parallelism the machine gives right now): %.0f captures/s, "
                    "CPU use %.0f %%\n",
                    threads, captures / seconds, 100.0 * lastCpuSeconds / seconds);
    }

    struct Run {
        const char* name;
        bool cache;
        unsigned threads;
    };
    const Run runs[] = {{"chainsight_jose, 1 thread, no cache", false, 1},
                        {"chainsight_jose, 1 thread, signature cache", true, 1},
                        {"chainsight_jose, threads, signature cache", true, threads}};
    for (const Run& run : runs) {
        Tally tally;
        const double seconds = timeIt([&] { tally = runLibrary(workload, keys, run.cache, run.threads); });
        const double rate = captures / seconds;
        const double cpuRate = captures / lastCpuSeconds;
        std::printf("%-42s (%u thr): %.3f s, %.0f captures/s, %.2fx raw; %.0f captures per CPU-second, %.2fx raw "
                    "| verified %zu, unverified %zu, DPoP valid %zu, invalid %zu\n",
                    run.name, run.threads, seconds, rate, rate / rawRate, cpuRate, cpuRate / rawCpuRate, tally.verified,
                    tally.unverified, tally.proofsValid, tally.proofsInvalid);
    }
    if (dir.empty())
        std::printf("expected unverified captures of distinct tokens: %zu (alg none or tampered)\n",
                    workload.expectedUnverified);
    return 0;
}
