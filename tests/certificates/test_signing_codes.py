import stat

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from skillbridge.certificates import codes, signing
from skillbridge.certificates.numbers import number_warning


def test_key_file_is_generated_once_owner_only(tmp_path, monkeypatch):
    path = tmp_path / "keys" / "signing.pem"
    monkeypatch.setenv("SKILLBRIDGE_SIGNING_KEY_FILE", str(path))
    monkeypatch.delenv("SKILLBRIDGE_SIGNING_KEY", raising=False)
    first = signing.public_key_pem()
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    signing._cache.clear()
    assert signing.public_key_pem() == first  # read back, not regenerated


def test_key_from_environment(monkeypatch):
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    monkeypatch.setenv("SKILLBRIDGE_SIGNING_KEY", pem)
    assert signing.public_key_pem() == signing.public_key_pem(key.public_key())


def test_check_character_catches_every_single_substitution():
    code = "ABCDEFGHJKL" + codes.check_character("ABCDEFGHJKL")
    assert codes.is_well_formed(code)
    for i in range(len(code)):
        for ch in codes.ALPHABET:
            if ch != code[i]:
                assert not codes.is_well_formed(code[:i] + ch + code[i + 1 :])
    assert codes.normalise(" abcd-efgh-jkl" + code[-1].lower()) == code
    assert codes.display(code) == f"ABCD-EFGH-JKL{code[-1]}"


def test_number_formats_per_type():
    assert number_warning("skill_level", "S320400000000000000001") == ""
    assert number_warning("special_operation", "T320402198805170011") == ""
    assert number_warning("special_equipment", "32040219880517001X") == ""
    assert number_warning("special_operation", "ABC").startswith(
        "证书编号格式与该类证书常见格式（T加18位身份证号码）不一致"
    )
