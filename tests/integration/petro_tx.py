"""Build and sign Petro transactions in Python (docs/protocol.md "Transaction"), for tests that
need envelopes the CLI would never produce: wrong networks, stale sequences, expired bounds,
duplicated or missing signatures, non-canonical bytes.

Ed25519 (RFC 8032) is implemented here from the RFC's definitions, in pure Python (slow: a
few milliseconds per signature, fine for tests). BLAKE2b-256 comes from hashlib. Keys come from
devnet wallet files (their "seed")."""

import hashlib
import json
import struct

# ------------------------------------------------------------------ Ed25519 (RFC 8032)

_P = 2 ** 255 - 19
_L = 2 ** 252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _recover_x(y, sign):
    xx = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    x = pow(xx, (_P + 3) // 8, _P)
    if (x * x - xx) % _P != 0:
        x = x * _SQRT_M1 % _P
    if x & 1 != sign:
        x = _P - x
    return x


_BY = 4 * pow(5, _P - 2, _P) % _P
_BX = _recover_x(_BY, 0)
_B = (_BX, _BY, 1, _BX * _BY % _P)
_ZERO = (0, 1, 1, 0)


def _add(p, q):
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % _P
    b = (y1 + x1) * (y2 + x2) % _P
    c = t1 * 2 * _D * t2 % _P
    d = z1 * 2 * z2 % _P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _mul(s, p):
    q = _ZERO
    while s > 0:
        if s & 1:
            q = _add(q, p)
        p = _add(p, p)
        s >>= 1
    return q


def _encode_point(p):
    x, y, z, _ = p
    zi = pow(z, _P - 2, _P)
    x, y = x * zi % _P, y * zi % _P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def _expand(seed):
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    return a, h[32:]


def public_key(seed):
    a, _ = _expand(seed)
    return _encode_point(_mul(a, _B))


def sign(seed, msg):
    a, prefix = _expand(seed)
    pub = _encode_point(_mul(a, _B))
    r = int.from_bytes(hashlib.sha512(prefix + msg).digest(), "little") % _L
    rp = _encode_point(_mul(r, _B))
    k = int.from_bytes(hashlib.sha512(rp + pub + msg).digest(), "little") % _L
    s = (r + k * a) % _L
    return rp + s.to_bytes(32, "little")


def domain_message(tag, msg):
    """What every protocol signature signs (docs/protocol.md, "Signature domains"):
    u8 len(tag) || tag || message."""
    t = tag.encode("ascii")
    return bytes([len(t)]) + t + msg


def sign_in(tag, seed, msg):
    return sign(seed, domain_message(tag, msg))


TX_DOMAIN = "petro-tx-v2"
BLOCK_DOMAIN = "petro-block-v2"
BLOCK_HASHED_SIZE = 1 + 8 + 32 + 8 + 32 + 32 + 32 + 32 + 32 + 4
BLOCK_HEADER_SIZE = BLOCK_HASHED_SIZE + 64
BLOCK_OFF_PROPOSER = 177
BLOCK_OFF_TX_COUNT = 209


def sign_block_header(header, network_id, seed):
    """The header (BLOCK_HEADER_SIZE bytes) with its proposer set to seed's key and signed:
    Ed25519 in the block domain over network id || BLAKE2b-256(the hashed part)."""
    h = bytearray(header[:BLOCK_HEADER_SIZE])
    h[BLOCK_OFF_PROPOSER:BLOCK_OFF_PROPOSER + 32] = public_key(seed)
    block_hash = blake2b256(bytes(h[:BLOCK_HASHED_SIZE]))
    h[BLOCK_HASHED_SIZE:] = sign_in(BLOCK_DOMAIN, seed, network_id + block_hash)
    return bytes(h)


class Key:
    def __init__(self, seed):
        self.seed = bytes(seed)
        self.pub = public_key(self.seed)

    @classmethod
    def from_wallet(cls, path):
        with open(path) as f:
            w = json.load(f)
        k = cls(bytes.fromhex(w["seed"]))
        if k.pub.hex() != w["public_key"]:
            raise ValueError("Ed25519 here disagrees with the wallet's public key: %s" % path)
        return k


# ------------------------------------------------------------------ encoding


def blake2b256(data):
    return hashlib.blake2b(data, digest_size=32).digest()


def u8(v):
    return struct.pack("<B", v)


def u32(v):
    return struct.pack("<I", v)


def u64(v):
    return struct.pack("<Q", v)


def i64(v):
    return struct.pack("<q", v)


def code(text):
    b = text.encode()
    return u8(len(b)) + b


NATIVE = b"\x00"


def issued(code_text, issuer_pub):
    return b"\x01" + code(code_text) + issuer_pub


def op_create_account(dest_pub, amount):
    return u8(1) + dest_pub + i64(amount)


def op_set_signer(signer_pub, weight):
    return u8(2) + signer_pub + u8(weight)


def op_payment(dest_pub, amount, asset=NATIVE):
    return u8(4) + dest_pub + asset + i64(amount)


def op_change_trust(asset, limit):
    return u8(6) + asset + i64(limit)


def op_authorize_trust(trustor_pub, code_text, authorize):
    return u8(7) + trustor_pub + code(code_text) + u8(authorize)


def op_create_asset(code_text, flags):
    return u8(5) + code(code_text) + u32(flags)


def body(network_id, source, sequence, ops, fee=None, valid_after=0, valid_until=0, memo=b"",
         version=2, op_count=None):
    """The transaction body. ops: encoded operations. op_count overrides the count byte."""
    fee = 100 * len(ops) if fee is None else fee
    n = len(ops) if op_count is None else op_count
    return (u8(version) + network_id + source + u64(sequence) + i64(fee) + u64(valid_after) +
            u64(valid_until) + u8(len(memo)) + memo + u8(n) + b"".join(ops))


def tx_id(body_bytes):
    return blake2b256(body_bytes)


def envelope(body_bytes, keys, sort=True, sig_count=None, tamper=None):
    """body + sig_count + (pubkey, sig) per key, sorted by public key unless sort is False.
    tamper(index, sig) may alter a signature."""
    tid = tx_id(body_bytes)
    sigs = [(k.pub, sign_in(TX_DOMAIN, k.seed, tid)) for k in keys]
    if sort:
        sigs.sort(key=lambda s: s[0])
    if tamper is not None:
        sigs = [(pk, tamper(i, s)) for i, (pk, s) in enumerate(sigs)]
    n = len(sigs) if sig_count is None else sig_count
    return body_bytes + u8(n) + b"".join(pk + s for pk, s in sigs)
