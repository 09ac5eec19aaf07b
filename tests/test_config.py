from __future__ import annotations

import os
from dataclasses import fields
from pathlib import Path

import pytest

from tui.acme.errors import InputError
from tui.config import (
    EAB_KEY_ENV,
    ConfigError,
    Settings,
    Timeouts,
    configured_eab_mac_key,
    import_ini,
    load_settings,
    save_settings,
)
from tui.contacts import normalise_contact
from tui.secret_file import MAX_SECRET_BYTES, read_secret_file


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "none.toml")
    assert settings.endpoint == "letsencrypt-staging"
    assert settings.timeouts.connect == 10.0 and settings.timeouts.read == 30.0


def test_round_trip_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "c" / "config.toml"
    settings = Settings(endpoint="pebble", account_key="~/k.pem", contacts=["mailto:a@example.org"])
    settings.keymap = {"new_account": "ctrl+n"}
    settings.remember_account("https://staging/dir", "T1", "https://staging/acct/1")
    settings.remember_account("https://prod/dir", "T1", "https://prod/acct/9")
    save_settings(settings, path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    loaded = load_settings(path)
    assert loaded == settings
    assert loaded.account_for("https://prod/dir", "T1") == "https://prod/acct/9"
    assert loaded.account_for("https://staging/dir", "T1") == "https://staging/acct/1"
    assert loaded.account_for("https://prod/dir", "T2") is None


def test_unknown_keys_survive_a_save(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('endpoint = "pebble"\nfuture_option = 3\n[future_table]\nx = "y"\n')
    settings = load_settings(path)
    save_settings(settings, path)
    text = path.read_text()
    assert "future_option = 3" in text and 'x = "y"' in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'endpoint = "pebble"\nlanguage = de\n',
            ":2:12: 'de' is not a value (a string needs quotes)",
        ),
        ('endpoint = "pebble"\nlanguage =\n', ":2:11: expected a value after '='"),
        (
            'endpoint = "x"\nlanguage = ""\nendpoint = "y"\n',
            ":3:1: duplicate key 'endpoint' (first set on line 1)",
        ),
        (
            "[timeouts]\nread = 1\n\n[timeouts]\n",
            ":4:1: table [timeouts] declared twice (first on line 1)",
        ),
        (
            'endpoint = "pebble\nlanguage = ""\n',
            ":1:12: string not closed (its closing quote is missing)",
        ),
        ("user_agent = 'x\n", ":1:14: string not closed (its closing quote is missing)"),
        (
            'a = 1\nuser_agent = """x\nlanguage = ""\n',
            ":2:14: string not closed (its closing quote is missing)",
        ),
        (
            'contacts = [\n  "a@b.org",\n  # more later\nlanguage = "de"\n',
            ":1:12: array not closed",
        ),
        ('endpoint = "x" "y"\n', ":1:16: unexpected text after the value: '\"y\"'"),
        ("[timeouts\n", ":1:10: table header not closed (']' missing)"),
        ("= 3\n", ":1:1: expected 'key = value' or a [table] header"),
    ],
    ids=[
        "bad value",
        "no value",
        "duplicate key",
        "duplicate table",
        "unclosed string",
        "unclosed literal string",
        "unclosed multi-line string",
        "unclosed array",
        "text after value",
        "unclosed header",
        "no key",
    ],
)
def test_a_syntax_error_says_file_line_column_and_what_is_wrong(
    tmp_path: Path, text: str, expected: str
) -> None:
    """Issue 11 (forms): one line in the form editors jump to, no 'near key' guesswork; the
    line and column are where the mistake starts (tomllib reports an unclosed string or array
    at the end of the file, or past the mistake)."""
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value) == f"{path}{expected}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("eab_hmac_key = c2VjcmV0bWFj\n", ":1:16: the value of 'eab_hmac_key' is not a value"),
        (
            '[dns.cloudflare]\nauth_token = "a" "c2VjcmV0bWFj"\n',
            ":2:18: unexpected text after the value of 'auth_token'",
        ),
    ],
)
def test_a_syntax_error_never_quotes_a_secret(tmp_path: Path, text: str, expected: str) -> None:
    """The EAB MAC key written without quotes was quoted back whole in the error (attacker
    review, session 8), on a terminal or in a timer's journal; a provider token too."""
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value).startswith(f"{path}{expected}"), str(info.value)
    assert "c2VjcmV0bWFj" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('endpoint = "pebble"\naccount_key = 5\n', ":2:15: account_key must be a string, not int"),
        ('contacts = "mailto:a@b.org"\n', ":1:12: contacts must be a list of strings, not str"),
        (
            'endpoint = "x"\n\n[timeouts]\nconnect = 1\nread =  "slow"\n',
            ":5:9: timeouts.read must be",
        ),
        (
            '[[accounts]]\ndirectory = "d"\nthumbprint = 1\nurl = "u"\n',
            ":3:14: accounts.thumbprint must be",
        ),
    ],
)
def test_a_wrong_type_says_file_line_column_and_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value).startswith(f"{path}{expected}")


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("schema_version = 99\n")
    with pytest.raises(ConfigError, match="newer"):
        load_settings(path)


def test_import_ini(tmp_path: Path) -> None:
    ini = tmp_path / "acme.ini"
    ini.write_text(
        "[acme-neoprime]\n"
        "UserAgent = NeoPrime-ACME/1.0\n"
        "AccountKeyFile = /etc/acme/account.key\n"
        "CSRFile = /etc/acme/domain.csr\n"
        "ChainFile = /etc/acme/chain.pem\n"
        "ACMEDirectory = https://acme-staging-v02.api.letsencrypt.org/directory\n"
        "Contacts = admin@example.org;mailto:ops@example.org\n"
        "Language = de\n"
    )
    settings = Settings()
    changed = import_ini(ini, settings)
    assert settings.endpoint == "letsencrypt-staging"
    assert settings.user_agent == "NeoPrime-ACME/1.0"
    assert settings.account_key == "/etc/acme/account.key"
    assert settings.csr_file == "/etc/acme/domain.csr"
    assert settings.chain_file == "/etc/acme/chain.pem"
    assert settings.language == "de"
    assert settings.contacts == ["mailto:admin@example.org", "mailto:ops@example.org"]
    assert len(changed) == 7


def test_import_ini_without_section(tmp_path: Path) -> None:
    ini = tmp_path / "acme.ini"
    ini.write_text("[other]\nx = 1\n")
    with pytest.raises(ConfigError, match=r"no \[acme-neoprime\] section"):
        import_ini(ini, Settings())


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("a@example.org", "mailto:a@example.org"),
        ("mailto:b@x.example", "mailto:b@x.example"),
        ("tel:+1-555", "tel:+1-555"),
    ],
)
def test_contact_normalisation(given: str, expected: str) -> None:
    assert normalise_contact(given) == expected


@pytest.mark.parametrize(
    "bad", ["mailto:a@b.org,c@d.org", "mailto:nobody", "no-at-sign", "mailto:a b@c.org"]
)
def test_contact_validation(bad: str) -> None:
    with pytest.raises(InputError):
        normalise_contact(bad)


def test_example_config_parses_and_documents_every_key(tmp_path: Path) -> None:
    example = Path(__file__).parent.parent / "config.toml.example"
    settings = load_settings(example)
    assert settings.extra == {}, "the example uses only keys acmedash knows"
    text = example.read_text()
    tables = {
        "timeouts": "[timeouts]",
        "keymap": "[keymap]",
        "accounts": "[[accounts]]",
        "dns": "[dns]",
    }
    names = [tables.get(f.name, f"{f.name} =") for f in fields(Settings) if f.name != "extra"]
    names += [f"{f.name} =" for f in fields(Timeouts)]
    for name in names:
        assert name in text


def _secret(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "secret"
    path.write_text(text)
    path.chmod(mode)
    return path


def test_secret_file_only_when_no_one_else_can_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert read_secret_file(_secret(tmp_path, " s3cret\n"), "test") == "s3cret"
    assert read_secret_file(_secret(tmp_path, "s3cret", 0o400), "test") == "s3cret"
    for mode in (0o640, 0o604, 0o700, 0o666):
        with pytest.raises(InputError, match=f"mode {mode:04o}, so others may read it") as caught:
            read_secret_file(_secret(tmp_path, "s3cret", mode), "test")
        assert "s3cret" not in str(caught.value)
    path = _secret(tmp_path, "s3cret")
    monkeypatch.setattr(os, "getuid", lambda: path.stat().st_uid + 1)
    with pytest.raises(InputError, match="belongs to another user"):
        read_secret_file(path, "test")


def test_secret_file_that_is_not_one(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo, 0o600)
    cases = [
        (tmp_path / "missing", "cannot read the test file"),
        (tmp_path, "not a regular file"),
        (fifo, "not a regular file"),  # and no hang waiting for a writer
        (_secret(tmp_path, "  \n"), "is empty"),
    ]
    for path, message in cases:
        with pytest.raises(InputError, match=message):
            read_secret_file(path, "test")
    big = _secret(tmp_path, "x" * (MAX_SECRET_BYTES + 1))
    with pytest.raises(InputError, match="larger than"):
        read_secret_file(big, "test")


def test_eab_mac_key_from_environment_then_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(EAB_KEY_ENV, raising=False)
    settings = Settings(eab_hmac_key="in-config")
    assert configured_eab_mac_key(settings) == "in-config"
    settings = Settings(eab_hmac_key_file=str(_secret(tmp_path, "in-file\n")))
    assert configured_eab_mac_key(settings) == "in-file"
    monkeypatch.setenv(EAB_KEY_ENV, "in-env")
    assert configured_eab_mac_key(settings) == "in-env"
    monkeypatch.delenv(EAB_KEY_ENV)
    both = Settings(eab_hmac_key="a", eab_hmac_key_file=settings.eab_hmac_key_file)
    with pytest.raises(ConfigError, match="not both"):
        configured_eab_mac_key(both)
    assert configured_eab_mac_key(Settings()) == ""
