#!/usr/bin/env python3
"""Writes the JOSE test fixtures: throw-away test keys and one token per algorithm.

The tokens are signed here, by the Python `cryptography` package, so the C++ verifier is
checked against an independent implementation. Run it from this directory; the output is
committed, so the tests never need Python. Keys are generated fresh on each run: TEST KEYS ONLY.
"""
import base64
import hashlib
import hmac
import json
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def uint(n: int, size: int | None = None) -> str:
    size = size or (n.bit_length() + 7) // 8
    return b64u(n.to_bytes(size, "big"))


def b64u_json(obj) -> str:
    return b64u(json.dumps(obj, separators=(",", ":"), sort_keys=True).encode("utf-8"))


keys = {}   # kid -> (private key object, private jwk)

rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
n = rsa_key.private_numbers()
keys["test-rsa"] = (rsa_key, {
    "kty": "RSA", "kid": "test-rsa", "use": "sig",
    "n": uint(n.public_numbers.n), "e": uint(n.public_numbers.e), "d": uint(n.d),
    "p": uint(n.p), "q": uint(n.q), "dp": uint(n.dmp1), "dq": uint(n.dmq1), "qi": uint(n.iqmp)})

for kid, curve, crv, size in (("test-p256", ec.SECP256R1(), "P-256", 32),
                              ("test-p384", ec.SECP384R1(), "P-384", 48),
                              ("test-p521", ec.SECP521R1(), "P-521", 66)):
    k = ec.generate_private_key(curve)
    pn = k.private_numbers()
    keys[kid] = (k, {"kty": "EC", "kid": kid, "use": "sig", "crv": crv,
                     "x": uint(pn.public_numbers.x, size), "y": uint(pn.public_numbers.y, size),
                     "d": uint(pn.private_value, size)})

for kid, cls, crv in (("test-ed25519", ed25519.Ed25519PrivateKey, "Ed25519"),
                      ("test-ed448", ed448.Ed448PrivateKey, "Ed448")):
    k = cls.generate()
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat
    d = k.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    x = k.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    keys[kid] = (k, {"kty": "OKP", "kid": kid, "use": "sig", "crv": crv, "x": b64u(x), "d": b64u(d)})

secret = os.urandom(64)
keys["test-oct"] = (secret, {"kty": "oct", "kid": "test-oct", "use": "sig", "k": b64u(secret)})

PRIVATE = ("d", "p", "q", "dp", "dq", "qi")
private_jwks = {"keys": [jwk for _, jwk in keys.values()]}
public_jwks = {"keys": [{k: v for k, v in jwk.items() if k not in PRIVATE}
                        for _, jwk in keys.values() if jwk["kty"] != "oct"]
               + [keys["test-oct"][1]]}


def sign(kid: str, alg: str, signing_input: bytes) -> bytes:
    key = keys[kid][0]
    digest = {"256": hashes.SHA256(), "384": hashes.SHA384(), "512": hashes.SHA512()}.get(alg[-3:])
    if alg.startswith("HS"):
        return hmac.new(key, signing_input, getattr(hashlib, "sha" + alg[-3:])).digest()
    if alg.startswith("RS"):
        return key.sign(signing_input, padding.PKCS1v15(), digest)
    if alg.startswith("PS"):
        return key.sign(signing_input, padding.PSS(mgf=padding.MGF1(digest),
                                                   salt_length=digest.digest_size), digest)
    if alg.startswith("ES"):
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(digest)))
        size = {"256": 32, "384": 48, "512": 66}[alg[-3:]]
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    return key.sign(signing_input)  # EdDSA


CLAIMS = {
    "iss": "https://idp.fixture.example", "sub": "alice@fixture.example",
    "aud": ["https://api.fixture.example", "https://agents.fixture.example/a2a/worker"],
    "iat": 1772438400, "nbf": 1772438400, "exp": 1772442000,
    "jti": "fixture-jti", "client_id": "worker-agent", "azp": "worker-agent", "sid": "session-1",
    "scope": "ledger.read payment.execute",
    "act": {"sub": "worker-agent", "client_id": "worker-agent",
            "act": {"sub": "supervisor-agent", "iss": "https://idp.fixture.example"}},
    "may_act": {"sub": "sub-agent"},
}

CASES = [("HS256", "test-oct"), ("HS384", "test-oct"), ("HS512", "test-oct"),
         ("RS256", "test-rsa"), ("RS384", "test-rsa"), ("RS512", "test-rsa"),
         ("PS256", "test-rsa"), ("PS384", "test-rsa"), ("PS512", "test-rsa"),
         ("ES256", "test-p256"), ("ES384", "test-p384"), ("ES512", "test-p521"),
         ("EdDSA", "test-ed25519"), ("EdDSA", "test-ed448")]

tokens = []
for alg, kid in CASES:
    claims = dict(CLAIMS, jti="fixture-%s-%s" % (alg, kid))
    si = (b64u_json({"alg": alg, "kid": kid, "typ": "at+jwt"}) + "." + b64u_json(claims)).encode()
    tokens.append({"alg": alg, "kid": kid, "token": si.decode() + "." + b64u(sign(kid, alg, si))})

thumbprints = {}
for kid, (_, jwk) in keys.items():
    req = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"),
           "OKP": ("crv", "kty", "x"), "oct": ("k", "kty")}[jwk["kty"]]
    canon = json.dumps({m: jwk[m] for m in req}, separators=(",", ":"), sort_keys=True)
    thumbprints[kid] = b64u(hashlib.sha256(canon.encode()).digest())


weak = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key().public_numbers()
p256 = keys["test-p256"][1]
bad_y = bytearray(base64.urlsafe_b64decode(p256["y"] + "=="))
bad_y[-1] ^= 1
rejected_jwks = {"keys": [
    {"kty": "RSA", "kid": "weak-rsa-1024", "n": uint(weak.n), "e": uint(weak.e)},
    {"kty": "EC", "kid": "off-curve", "crv": "P-256", "x": p256["x"], "y": b64u(bytes(bad_y))},
    {"kty": "EC", "kid": "short-coordinate", "crv": "P-256", "x": p256["x"][:-3], "y": p256["y"]},
    {"kty": "EC", "kid": "unknown-curve", "crv": "secp256k1", "x": p256["x"], "y": p256["y"]},
    {"kty": "OKP", "kid": "x25519", "crv": "X25519", "x": keys["test-ed25519"][1]["x"]},
    {"kty": "OKP", "kid": "ed25519-short", "crv": "Ed25519", "x": keys["test-ed25519"][1]["x"][:-4]},
    {"kty": "oct", "kid": "oct-empty"},
    {"kty": "DSA", "kid": "unknown-kty"},
    {"kid": "no-kty"},
    {"kty": "RSA", "kid": "rsa-padded-n", "n": uint(n.public_numbers.n) + "=", "e": "AQAB"},
    {k: v for k, v in p256.items() if k not in PRIVATE},  # the one good key in this set
]}


def write(name, obj):
    with open(name, "w", encoding="ascii", newline="\n") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


write("keys.private.jwks.json", private_jwks)
write("keys.public.jwks.json", public_jwks)
write("keys.rejected.jwks.json", rejected_jwks)
write("tokens.json", {"claims": CLAIMS, "tokens": tokens, "thumbprints": thumbprints})
