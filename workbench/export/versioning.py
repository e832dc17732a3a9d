"""Versioning an export with DVC (``workbench export --dvc``), through DVC's own Python API.

The export folder must lie inside a DVC repository's workspace (``dvc init`` there; ``--output``
chooses the folder). After the folder is complete, :func:`dvc_add_and_push` does what ``dvc add
FOLDER`` and ``dvc push FOLDER.dvc`` do: the folder goes into DVC's cache, a ``FOLDER.dvc`` file
records its md5 (``<md5>.dir``), and the objects go to the repository's default remote when one
is configured. The export's ``dataset_hash`` (in ``manifest.json``, inside the folder) and the
``.dvc`` file's md5 then name the same version; the registry (``export list``) records both.

Offline: DVC's API sends no analytics and checks for no updates (only its CLI does);
``DVC_NO_ANALYTICS=1`` is set anyway (:data:`workbench.config.OFFLINE_ENV`). Importing dvc puts
INFO log handlers on stdout and wraps ``sys.stdout``/``sys.stderr`` for colours; both are undone.

LakeFS is not wired in (no server here); a LakeFS repository is used through its own S3 gateway or
``lakectl`` on the export folder, which is a plain folder of files (docs/export.md).
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import BadInput, ServiceError


@dataclass(frozen=True)
class DvcVersion:
    dvc_file: Path
    md5: str
    remote: str | None  # the remote pushed to (None: no default remote, added only)


def _repo_class():
    os.environ.setdefault("DVC_NO_ANALYTICS", "1")
    out, err = sys.stdout, sys.stderr  # dvc's first import wraps them (colorama.init): put them back
    try:
        from dvc.repo import Repo
    except ImportError as exc:
        raise ServiceError(f"--dvc needs DVC installed (pip install 'workbench[dvc]'): {exc}") from None
    finally:
        sys.stdout, sys.stderr = out, err
    for name in ("dvc", "dvc_data", "dvc_objects"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return Repo


def dvc_root(path: Path) -> Path:
    """The DVC repository holding ``path`` (which need not exist yet); BadInput when none does."""
    p = Path(path).resolve()
    for candidate in [p, *p.parents]:
        if (candidate / ".dvc").is_dir():
            return candidate
    raise BadInput(f"--dvc: {path} is not inside a DVC repository (run `dvc init` in the project, or choose "
                   "--output inside one)")


def dvc_add_and_push(folder: Path) -> DvcVersion:
    """``dvc add`` the export folder and push it to the default remote (if any)."""
    Repo = _repo_class()
    folder = Path(folder).resolve()
    root = dvc_root(folder)
    try:
        with Repo(os.fspath(root)) as repo:
            (stage,) = repo.add(os.fspath(folder))
            md5 = stage.outs[0].hash_info.value
            remote = repo.config["core"].get("remote")
            if remote:
                repo.push(targets=[stage.path])
            return DvcVersion(dvc_file=Path(stage.path), md5=md5, remote=remote)
    except BadInput:
        raise
    except Exception as exc:  # noqa: BLE001 - DVC raises its own error types; name them, no traceback
        raise ServiceError(f"DVC could not version {folder}: {exc.__class__.__name__}: {exc}") from None
