"""Offline signing of an export folder with an elliptic-curve key (OpenSSF ``model-signing``).

Written against model-signing 1.0.1 with sigstore 3.6.7 (tuf 6.0.0) beside this project's
urllib3 1.26 pin (pyproject.toml pins both; constraints.txt holds cryptography 46, rich 14 and
python-dateutil 2.9, which sigstore 3.6.7 needs).

Two things in that version get in the way of offline key signing, and both are worked around
here, nowhere else:

* ``model_signing.signing.Config()`` always builds the Sigstore signer first, which fetches the
  Sigstore trust root (TUF metadata) and the OIDC issuer from the network, so it fails offline
  even when an elliptic key is then chosen. :func:`_offline_key_signer` builds the Config
  without running its ``__init__`` and uses only its public methods.
* tuf 6.0.0 imports ``urllib3.BaseHTTPResponse`` (urllib3 >= 2) although its metadata allows
  urllib3 1.x, and argilla-server's opensearch-py pins urllib3 < 2, so ``import model_signing``
  fails (python-tuf issue 2989). :func:`_model_signing` lends urllib3 that name for the import
  only; no TUF code runs on the paths used here.

Every file of the folder is signed (SHA-256 per file, Sigstore bundle with a DSSE envelope);
the signature file is left out when it lies inside the folder. A bundle made here also verifies
with the package's own CLI: ``model_signing verify key FOLDER --signature SIG --public_key PUB``
(run with the same urllib3 shim, e.g. from ``python -c``).
"""

from __future__ import annotations

import base64
import os
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Sequence

from workbench.config import atomic_write_text
from workbench.errors import BadInput, WorkbenchError
from workbench.safe_load import loads

#: A file or folder path as the functions here take it.
PathArg = str | os.PathLike[str]


def generate_key_pair(private_path: PathArg, public_path: PathArg) -> None:
    """Write a new NIST P-256 key pair as PEM: the private key unencrypted with mode 0o600 (PKCS#8),
    the public key with mode 0o644 (SubjectPublicKeyInfo). Refuses to overwrite either file."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    private_path, public_path = Path(private_path), Path(public_path)
    for path in (private_path, public_path):
        if path.exists():
            raise BadInput(f"{path} already exists; Workbench does not overwrite a key file")
    key = ec.generate_private_key(ec.SECP256R1())
    atomic_write_text(private_path, key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode("ascii"),
        0o600)
    atomic_write_text(public_path, key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii"), 0o644)


def public_fingerprint(key: PathArg) -> str:
    """``sha256:<hex>`` of the DER public key of a PEM private or public key (what ``export list``
    shows as the signer); never any secret material."""
    from cryptography.hazmat.primitives import serialization

    path = Path(key)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise BadInput(f"{path}: cannot read the key ({err.strerror})") from None
    try:
        if b"PRIVATE KEY" in data:
            pub = serialization.load_pem_private_key(data, password=None).public_key()
        else:
            pub = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise BadInput(f"{path}: not an unencrypted PEM key (make one with `workbench export keygen`)") from None
    der = pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    import hashlib

    return "sha256:" + hashlib.sha256(der).hexdigest()


def folder_signer(private_key: PathArg) -> tuple[Callable[[Path], None], str]:
    """``(sign, fingerprint)``: a ``sign(folder)`` function for
    :func:`workbench.export.folder.write_export` (it writes ``manifest.sig`` into the folder) and
    the signer's :func:`public_fingerprint`. The key is checked now, so a wrong one is BadInput
    before anything is written."""
    path = Path(private_key)
    fingerprint = public_fingerprint(path)
    if b"PRIVATE KEY" not in path.read_bytes():
        raise BadInput(f"--sign: {path} is a public key; signing needs the private key (PEM)")

    def sign(folder: Path) -> None:
        sign_folder(folder, path, Path(folder) / "manifest.sig")

    return sign, fingerprint


def verify_problem(folder: PathArg, public_key: PathArg, signature_path: PathArg) -> str | None:
    """What is wrong with ``folder``'s signature (None when it verifies)."""
    public_fingerprint(public_key)
    try:
        verify_folder(folder, public_key, signature_path)
    except BadInput as err:
        return str(err)
    return None


def sign_folder(folder: PathArg, private_key: PathArg, signature_path: PathArg) -> None:
    """Sign every file of ``folder`` with the PEM private key at ``private_key``, offline, and write
    the Sigstore bundle to ``signature_path`` (a temporary file renamed over it)."""
    ms = _model_signing()
    folder, signature = _folder(folder), Path(signature_path).resolve()
    if not signature.parent.is_dir():
        raise BadInput(f"cannot write the signature {signature}: {signature.parent} is not a folder")
    fd, tmp = tempfile.mkstemp(dir=signature.parent, prefix=f".{signature.name}.", suffix=".tmp")
    os.close(fd)
    try:
        try:
            _offline_key_signer(ms, private_key, ignore=[signature, Path(tmp)]).sign(folder, tmp)
        except (OSError, ValueError, TypeError) as err:  # unreadable or unsupported key, symlink in folder
            raise BadInput(f"cannot sign {folder} with the key {private_key}: {err}") from None
        os.chmod(tmp, 0o600)  # like every file of an export (owner-only)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, signature)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def verify_folder(folder: PathArg, public_key: PathArg, signature_path: PathArg) -> None:
    """Check ``folder`` against the bundle at ``signature_path`` with the PEM public key at
    ``public_key``; raise :class:`BadInput` naming what failed (the changed, added or missing
    files, or the key/signature), return None when every file matches."""
    ms = _model_signing()
    from cryptography.exceptions import InvalidSignature

    folder, signature = _folder(folder), Path(signature_path).resolve()
    if not signature.is_file():
        raise BadInput(f"signature file {signature} not found")
    hashing_config = _hashing_config(ms, ignore=[signature])
    try:
        ms.verifying.Config().use_elliptic_key_verifier(public_key=public_key).set_hashing_config(
            hashing_config).verify(folder, signature)
    except InvalidSignature:
        raise BadInput(f"signature {signature} was not made with the private key of {public_key} "
                       "(wrong key, or the signature file was altered)") from None
    except ValueError as err:
        if str(err) != "Signature mismatch":  # unreadable bundle or key, symlink in folder, ...
            raise BadInput(f"cannot verify {folder} against {signature}: {err}") from None
        # The bundle's signature is valid (checked before the files), so its file list can be read
        # to say which files differ; model-signing 1.0.1 itself only says "Signature mismatch".
        raise BadInput(f"{folder} does not match its signature {signature}: "
                       f"{_difference(hashing_config, folder, signature)}") from None
    except (OSError, KeyError, IndexError, TypeError) as err:
        raise BadInput(f"cannot verify {folder} against {signature} with {public_key}: {err!r}") from None


def _difference(hashing_config: Any, folder: Path, signature: Path) -> str:
    try:
        envelope = loads(signature.read_text(encoding="utf-8"))["dsseEnvelope"]  # nesting limited
        resources = loads(base64.b64decode(envelope["payload"]))["predicate"]["resources"]
        signed = {r["name"]: r["digest"] for r in resources}
    except (KeyError, TypeError, ValueError):  # a bundle without per-file digests (pre-1.0 format)
        return "files differ"
    actual = {d.identifier: d.digest.digest_hex for d in hashing_config.hash(folder).resource_descriptors()}
    parts = [(label, sorted(names)) for label, names in (
        ("changed", [n for n in signed.keys() & actual.keys() if signed[n] != actual[n]]),
        ("added since signing", actual.keys() - signed.keys()),
        ("missing since signing", signed.keys() - actual.keys()))]
    return "; ".join(f"{label}: {', '.join(names)}" for label, names in parts if names) or "files differ"


def _hashing_config(ms: ModuleType, ignore: list[Path]) -> Any:
    # Ignored paths are compared with the absolute paths the serializer walks (model-signing
    # 1.0.1 does not make them relative), hence the resolved paths. Git files are signed too.
    return ms.hashing.Config().set_ignored_paths(paths=ignore, ignore_git_paths=False)


def _offline_key_signer(ms: ModuleType, private_key: PathArg, ignore: list[Path]) -> Any:
    """The one place that goes around model-signing 1.0.1's API: ``signing.Config.__init__``
    would build the Sigstore signer (network: TUF trust root, OIDC issuer), so the instance is
    made with ``__new__`` and then set up only through its public methods."""
    config = ms.signing.Config.__new__(ms.signing.Config)
    return config.set_hashing_config(_hashing_config(ms, ignore)).use_elliptic_key_signer(
        private_key=Path(private_key))


def _model_signing() -> ModuleType:
    """Import model_signing, lending urllib3 1.x the ``BaseHTTPResponse`` name tuf 6.0.0 imports
    (used there only in annotations and in TUF downloads, which this module never makes)."""
    import urllib3

    lent = not hasattr(urllib3, "BaseHTTPResponse")
    if lent:
        urllib3.BaseHTTPResponse = urllib3.response.HTTPResponse
    try:
        import model_signing
        import model_signing.hashing
        import model_signing.signing
        import model_signing.verifying
    except ImportError as err:
        raise WorkbenchError(f"signing needs model-signing 1.0.1 with sigstore 3.6.7 installed: {err}") from None
    finally:
        if lent:
            del urllib3.BaseHTTPResponse
    return model_signing


def _folder(folder: PathArg) -> Path:
    path = Path(folder).resolve()
    if not path.is_dir():
        raise BadInput(f"{folder} is not a folder")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Run model-signing's own command line (``model_signing ...``) with the urllib3 shim above:
    ``python -m workbench.signing verify key FOLDER --signature SIG --public_key PUB``."""
    import sys

    _model_signing()
    import urllib3

    urllib3.BaseHTTPResponse = urllib3.response.HTTPResponse  # for the CLI's own lazy TUF imports
    from model_signing._cli import main as cli

    try:
        cli(args=list(sys.argv[1:] if argv is None else argv), prog_name="model_signing", standalone_mode=False)
    except SystemExit as exc:  # pragma: no cover - click's own exit
        return int(exc.code or 0)
    except Exception as exc:  # noqa: BLE001 - the CLI reports failures by raising
        print(f"Verification failed with error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
