"""renewal.toml: written and read back, hand-editing mistakes named by file and line, secrets
never written (whatever fields workflow.SolverChoice gains), and the days-left bar."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

import pytest

from tui import renewal
from tui.config import ConfigError
from tui.dashboard.panels.certificates_table import days_bar
from tui.renewal import RenewalSettings, load_settings, save_settings
from tui.workflow import SolverChoice


def _settings() -> RenewalSettings:
    return RenewalSettings(
        directory="https://ca.test/dir",
        account_key="/keys/account.pem",
        names=["a.example", "b.example"],
        challenge=SolverChoice(challenge="dns-01", dns_hook="/bin/hook", http_port=8080),
        key_type="rsa2048",
        reuse_key=True,
        deploy_hook="systemctl reload nginx",
    )


def test_written_and_read_back(tmp_path: Path) -> None:
    save_settings(tmp_path, _settings())
    text = (tmp_path / "renewal.toml").read_text()
    assert text.startswith("# How acmedash renews")
    assert load_settings(tmp_path) == _settings()
    assert load_settings(tmp_path / "nothing") is None


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("http_port = 8080", 'http_port = "8080"'),
            ":{line}:{col}: challenge.http_port must be an integer",
        ),
        (("reuse_key = true", "reuse_key = 1"), ":{line}:{col}: reuse_key must be true or false"),
        (('key_type = "rsa2048"', 'key_type = "rsa9"'), ":{line}:{col}: key_type must be one of"),
        (
            ('challenge = "dns-01"', 'challenge = "dns-02"'),
            ":{line}:{col}: challenge.challenge must be",
        ),
        (("reuse_key = true", "reuse_key = tru"), ":{line}:{col}: 'tru' is not a value"),
    ],
)
def test_a_hand_editing_mistake_names_file_and_line(
    tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    save_settings(tmp_path, _settings())
    path = tmp_path / "renewal.toml"
    text = path.read_text()
    assert edit[0] in text
    edited = text.replace(edit[0], edit[1])
    path.write_text(edited)
    line = next(n for n, t in enumerate(edited.splitlines(), 1) if edit[1] in t)
    col = edited.splitlines()[line - 1].index("= ") + 3  # where the value starts
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert str(caught.value).startswith(str(path))
    assert message.format(line=line, col=col) in str(caught.value)


def test_solver_fields_that_hold_secrets_are_never_remembered() -> None:
    """The [challenge] table is SolverChoice's fields, so a DNS method added there is
    remembered without a change here; a field named like a secret, or marked secret, is not."""

    @dataclass(frozen=True)
    class Choice:
        server: str = ""
        tsig_key_name: str = ""
        tsig_secret: str = ""
        provider_token: str = ""
        api_password: str = ""
        credentials: str = field(default="", metadata={"secret": True})

    kept = [f.name for f in fields(Choice) if not renewal._secret(f)]
    assert kept == ["server", "tsig_key_name"]
    assert renewal.remembered_fields() == [f.name for f in fields(SolverChoice)]


def test_days_bar() -> None:
    assert days_bar(30, 90) == "███░░░░░░░"
    assert days_bar(-1, 90) == "░" * 10 and days_bar(200, 90) == "█" * 10
