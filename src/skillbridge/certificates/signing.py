"""Ed25519 signatures over a canonical record of each certificate, for offline verification of a QR code.

The private key comes from, in order: the environment variable ``SKILLBRIDGE_SIGNING_KEY`` (a PEM
text), the file named by ``SKILLBRIDGE_SIGNING_KEY_FILE``, or ``DATA_DIR/certificate_signing_key.pem``
(generated on first use, readable by the owner only) — the same pattern as the secret key in settings.
The public key is published at ``/certificates/public-key.pem``.

The QR code carries the verification URL with the signed record: ``…/verify/<code>/?p=<record>.<sig>``
(both base64url). Anyone with the public key can check it without the network; the status (revoked?)
needs the online page.
"""

import base64
import hashlib
import json
import os
import threading
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

RECORD_VERSION = 1
_lock = threading.Lock()
_cache: dict[str, Ed25519PrivateKey] = {}


def mask_name(name: str) -> str:
    """张三 → 张*, 张小三 → 张*三, 欧阳小明 → 欧**明: enough to recognise, not to identify."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def key_path() -> Path:
    if path := os.environ.get("SKILLBRIDGE_SIGNING_KEY_FILE"):
        return Path(path)
    return Path(settings.DATA_DIR) / "certificate_signing_key.pem"


def private_key() -> Ed25519PrivateKey:
    pem = os.environ.get("SKILLBRIDGE_SIGNING_KEY")
    source = f"env:{hashlib.sha256(pem.encode()).hexdigest()}" if pem else str(key_path())
    with _lock:
        if source in _cache:
            return _cache[source]
        if pem:
            key = serialization.load_pem_private_key(pem.encode(), password=None)
        else:
            path = key_path()
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                key = Ed25519PrivateKey.generate()
                data = key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("证书签名密钥须为 Ed25519 私钥")
        _cache[source] = key
        return key


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def public_key_pem(key: Ed25519PublicKey | None = None) -> str:
    key = key or public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def key_id(key: Ed25519PublicKey | None = None) -> str:
    """First 16 hex digits of SHA-256 of the raw public key: names the key in every record."""
    key = key or public_key()
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def canonical_record(certificate) -> dict:
    """What the signature covers: what is printed on the certificate, with the name masked."""
    return {
        "v": RECORD_VERSION,
        "kid": key_id(),
        "code": certificate.verification_code,
        "name": mask_name(certificate.person.name),
        "type": certificate.certificate_type.name,
        "occupation": certificate.occupation.name if certificate.occupation_id else "",
        "item": certificate.special_item.name if certificate.special_item_id else "",
        "level": str(certificate.level) if certificate.level_id else "",
        "issuer": certificate.issuer.name,
        "date": certificate.issue_date.isoformat(),
        "number": certificate.official_number,
    }


def canonical_bytes(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_record(record: dict) -> str:
    """Base64 (standard) signature, as stored on the certificate."""
    return base64.b64encode(private_key().sign(canonical_bytes(record))).decode()


def qr_token(certificate) -> str:
    """``<record>.<signature>`` in base64url: the `p` parameter of the QR URL."""
    signature = base64.b64decode(certificate.signature)
    return f"{_b64(certificate.signed_record.encode('utf-8'))}.{_b64(signature)}"


class PayloadInvalid(ValueError):
    """The scanned text is not a record signed by this key (tampered, truncated, other key)."""


def verify_token(token: str, key: Ed25519PublicKey | None = None) -> dict:
    """The record of a `<record>.<signature>` token if the signature is valid, else PayloadInvalid."""
    key = key or public_key()
    try:
        record_part, signature_part = token.strip().split(".")
        data, signature = _unb64(record_part), _unb64(signature_part)
        key.verify(signature, data)
        record = json.loads(data.decode("utf-8"))
    except (ValueError, InvalidSignature, UnicodeDecodeError) as exc:
        raise PayloadInvalid("签名无效") from exc
    if not isinstance(record, dict) or canonical_bytes(record) != data:
        raise PayloadInvalid("记录格式不规范")
    return record


def token_from_scan(text: str) -> str:
    """Accept the whole scanned URL or just its `p` value."""
    from urllib.parse import parse_qs, urlsplit

    text = (text or "").strip()
    if "://" in text or text.startswith("/"):
        values = parse_qs(urlsplit(text).query).get("p")
        if not values:
            raise PayloadInvalid("二维码内容中没有签名记录（p 参数）")
        return values[0]
    return text
