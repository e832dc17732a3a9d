"""config: atomic writes (whole files or nothing), an owner-only home, the secrets file."""

from __future__ import annotations

import os
import stat

import pytest

from workbench import config


def test_atomic_write_text_replaces_whole_file_with_mode(tmp_path):
    path = tmp_path / "sub" / "state.json"
    config.atomic_write_text(path, "first\n", mode=0o600)
    config.atomic_write_text(path, "second\n", mode=0o600)
    assert path.read_text(encoding="utf-8") == "second\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert os.listdir(path.parent) == ["state.json"]


def test_atomic_write_failure_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("previous\n", encoding="utf-8")

    def render(fh):
        fh.write("a,b\r\n")
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError, match="disk gone"):
        config.atomic_write(path, render, newline="")
    assert path.read_text(encoding="utf-8") == "previous\n"
    assert os.listdir(tmp_path) == ["out.csv"]

    config.atomic_write(path, lambda fh: fh.write("a,b\r\n"), newline="")
    assert path.read_bytes() == b"a,b\r\n"  # newline="" writes line ends as given
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # owner-only unless asked otherwise


def test_home_is_created_owner_only_and_a_wider_one_is_narrowed(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "new"))
    assert stat.S_IMODE(config.home().stat().st_mode) == 0o700
    old = tmp_path / "old"
    old.mkdir(mode=0o755)
    old.chmod(0o755)
    monkeypatch.setenv("WORKBENCH_HOME", str(old))
    assert stat.S_IMODE(config.home().stat().st_mode) == 0o700


def test_make_private_narrows_everything_below_and_leaves_links(tmp_path):
    (tmp_path / "argilla").mkdir(mode=0o755)
    db = tmp_path / "argilla" / "argilla.db"
    db.write_text("api key inside")
    db.chmod(0o644)
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("not ours to change")
    outside.chmod(0o644)
    (tmp_path / "link").symlink_to(outside)
    (tmp_path / "argilla").chmod(0o755)
    tmp_path.chmod(0o755)

    assert config.make_private(tmp_path / "argilla") == 2
    assert config.make_private(tmp_path) == 2  # the home itself and run.sh
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "argilla").stat().st_mode) == 0o700
    assert stat.S_IMODE(script.stat().st_mode) == 0o700  # execute bit kept for the owner
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644  # a link's target is left alone
    assert config.make_private(tmp_path) == 0


def test_token_secret_is_generated_once_and_kept_beside_the_owner_credentials(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    for key in ("ARGILLA_AUTH_SECRET_KEY", "WORKBENCH_OWNER_USERNAME", "WORKBENCH_OWNER_PASSWORD",
                "WORKBENCH_OWNER_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    secret = config.token_secret()  # before any credentials exist
    assert len(secret) >= 32
    creds = config.owner_credentials()
    assert config.token_secret() == secret
    monkeypatch.setenv("WORKBENCH_OWNER_PASSWORD", "a-new-password")  # the file is rewritten ...
    assert config.owner_credentials().password == "a-new-password"
    assert config.token_secret() == secret  # ... and keeps the token secret
    assert config.owner_credentials().api_key == creds.api_key
    assert stat.S_IMODE(config.credentials_path().stat().st_mode) == 0o600
    monkeypatch.setenv("ARGILLA_AUTH_SECRET_KEY", "from-the-environment")
    assert config.token_secret() == "from-the-environment"
