"""config.atomic_write / atomic_write_text: whole files or nothing."""

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
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
