from __future__ import annotations

import contextlib
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
from hypothesis import given

from tests.json_strategies import json_objects
from tui.acme import jose, keys
from tui.acme.errors import InputError, PassphraseRequired


def _pem(key: object, fmt: serialization.PrivateFormat, password: bytes | None = None) -> bytes:
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, fmt, encryption)  # type: ignore[attr-defined,no-any-return]


@pytest.mark.parametrize("key_type", keys.KEY_TYPES)
def test_generate_save_load_round_trip(tmp_path: Path, key_type: str) -> None:
    key = keys.generate_key(key_type)
    path = tmp_path / "sub" / "account.pem"
    keys.save_key(key, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    loaded = keys.load_key(path)
    assert keys.describe_key(loaded) == key_type
    assert jose.public_jwk(loaded) == jose.public_jwk(key)
    assert [p.name for p in path.parent.iterdir()] == ["account.pem"], "temp file left behind"


def test_save_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "account.pem"
    path.write_bytes(b"precious")
    with pytest.raises(InputError, match="refusing to overwrite"):
        keys.save_key(keys.generate_key("ec256"), path)
    assert path.read_bytes() == b"precious"


def test_load_pkcs1_and_sec1(tmp_path: Path) -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP384R1())
    (tmp_path / "rsa.pem").write_bytes(
        _pem(rsa_key, serialization.PrivateFormat.TraditionalOpenSSL)
    )
    (tmp_path / "ec.pem").write_bytes(_pem(ec_key, serialization.PrivateFormat.TraditionalOpenSSL))
    assert b"BEGIN RSA PRIVATE KEY" in (tmp_path / "rsa.pem").read_bytes()
    assert b"BEGIN EC PRIVATE KEY" in (tmp_path / "ec.pem").read_bytes()
    assert jose.public_jwk(keys.load_key(tmp_path / "rsa.pem")) == jose.public_jwk(rsa_key)
    assert jose.public_jwk(keys.load_key(tmp_path / "ec.pem")) == jose.public_jwk(ec_key)


def test_encrypted_key_needs_the_right_passphrase(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / "enc.pem"
    path.write_bytes(_pem(key, serialization.PrivateFormat.PKCS8, b"s3cret"))
    with pytest.raises(PassphraseRequired, match="passphrase is needed"):
        keys.load_key(path)
    with pytest.raises(PassphraseRequired, match="wrong passphrase"):
        keys.load_key(path, b"nope")
    assert jose.public_jwk(keys.load_key(path, b"s3cret")) == jose.public_jwk(key)


def _int_b64(value: int) -> str:
    return jose.b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def test_certbot_jwk_rsa_and_ec(tmp_path: Path) -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    n = rsa_key.private_numbers()
    rsa_jwk = {
        "kty": "RSA",
        "n": _int_b64(n.public_numbers.n),
        "e": _int_b64(n.public_numbers.e),
        "d": _int_b64(n.d),
        "p": _int_b64(n.p),
        "q": _int_b64(n.q),
        "dp": _int_b64(n.dmp1),
        "dq": _int_b64(n.dmq1),
        "qi": _int_b64(n.iqmp),
    }
    (tmp_path / "private_key.json").write_text(json.dumps(rsa_jwk))
    loaded = keys.load_key(tmp_path / "private_key.json")
    assert jose.thumbprint(jose.public_jwk(loaded)) == jose.thumbprint(jose.public_jwk(rsa_key))

    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_jwk = {**jose.public_jwk(ec_key), "d": _int_b64(ec_key.private_numbers().private_value)}
    (tmp_path / "ec.json").write_text(json.dumps(ec_jwk))
    assert jose.public_jwk(keys.load_key(tmp_path / "ec.json")) == jose.public_jwk(ec_key)


def test_public_jwk_json_is_not_a_private_key(tmp_path: Path) -> None:
    path = tmp_path / "pub.json"
    path.write_text(json.dumps(jose.public_jwk(keys.generate_key("ec256"))))
    with pytest.raises(InputError, match="not a private JWK"):
        keys.load_key(path)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (ed25519.Ed25519PrivateKey.generate, "Ed25519 keys are not accepted"),
        (lambda: dsa.generate_private_key(key_size=2048), "DSA keys are not accepted"),
        (lambda: ec.generate_private_key(ec.SECP521R1()), "secp521r1 is not accepted"),
        (lambda: rsa.generate_private_key(public_exponent=65537, key_size=1024), "too small"),  # noqa: S505
    ],
)
def test_unsupported_keys_get_a_clear_error(tmp_path: Path, make: object, message: str) -> None:
    path = tmp_path / "k.pem"
    path.write_bytes(_pem(make(), serialization.PrivateFormat.PKCS8))  # type: ignore[operator]
    with pytest.raises(InputError, match=message):
        keys.load_key(path)


def test_corrupt_pem_error_leaks_no_content(tmp_path: Path) -> None:
    key_pem = _pem(ec.generate_private_key(ec.SECP256R1()), serialization.PrivateFormat.PKCS8)
    body = key_pem.splitlines()[1]
    corrupt = key_pem.replace(body, body[:10] + b"!!" + body[12:])
    path = tmp_path / "bad.pem"
    path.write_bytes(corrupt)
    with pytest.raises(InputError) as info:
        keys.load_key(path)
    assert body[:10].decode() not in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_and_directory_paths(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        keys.load_key(tmp_path / "nope.pem")
    with pytest.raises(InputError, match="is a directory"):
        keys.load_key(tmp_path)


def test_unknown_key_type() -> None:
    with pytest.raises(InputError, match="unknown key type"):
        keys.generate_key("ec521")


@given(json_objects)
def test_any_json_object_as_a_key_file_is_a_key_or_input_error(obj: dict[str, object]) -> None:
    """certbot's JWK format is JSON: whatever the file holds, a key or one clear InputError."""
    with contextlib.suppress(InputError):
        keys.parse_key(json.dumps({"d": "AQ", **obj}).encode(), "k.json")


@pytest.mark.parametrize(
    ("member", "value", "message"),
    [
        ("d", 5, "member 'd' is not a base64url string"),
        ("x", None, None),
        ("crv", ["P-256"], "curve of type list"),
        ("kty", {"a": 1}, "key type of type dict"),
        ("d", "a+b/", "member 'd' is not a base64url string"),
    ],
)
def test_jwk_key_file_with_non_string_members(
    tmp_path: Path, member: str, value: object, message: str | None
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    jwk = {**jose.public_jwk(key), "d": _int_b64(key.private_numbers().private_value)}
    path = tmp_path / "k.json"
    path.write_text(json.dumps({**jwk, member: value}))
    if message is None:  # only the private scalar is read: x and y follow from it
        keys.load_key(path)
        return
    with pytest.raises(InputError, match=message):
        keys.load_key(path)


@pytest.mark.parametrize(
    ("names", "sans"),
    [
        (["Name.Example."], ["name.example"]),
        (
            ["bücher.example", "*.Bücher.example"],
            ["xn--bcher-kva.example", "*.xn--bcher-kva.example"],
        ),
        (["2001:DB8::1", "b.example"], ["2001:db8::1", "b.example"]),
    ],
)
def test_csr_names_are_the_order_names(names: list[str], sans: list[str]) -> None:
    """The CSR's SANs are the order's identifiers, normalised the same way: `-d name.example.`
    once made finalize fail with "CSR is missing Order domain"."""
    from cryptography import x509

    from tui.acme.orders import identifier_for

    csr = x509.load_der_x509_csr(keys.make_csr(keys.generate_key(), names))
    san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    written = [str(v) for v in san.get_values_for_type(x509.IPAddress)]
    written += san.get_values_for_type(x509.DNSName)
    assert sorted(written) == sorted(sans) == sorted(identifier_for(n).value for n in names)
    common_name = csr.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    assert [a.value for a in common_name] == [s for s in sans if ":" not in s][:1]
