"""Signing keys in a key directory: one 0600 JSON file per key, never logged.

Ed25519 keys by default (``eddsa-rdfc-2022``); P-256 and P-384 keys (``ecdsa-rdfc-2019``) on
request (``generate(algorithm=...)``). Files are named after the public Multikey (``z6Mk…``,
``zDn…``, ``z82…``).

A key file ``<publicKeyMultibase>.json`` holds the public and secret Multikey values, when it
was created, an optional controller (the issuer id it signs for) and whether it is the
controller's active key. Rotation activates a new key and keeps the old ones, so their public
halves stay published and credentials they signed still verify.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import nacl.signing
from cryptography.hazmat.primitives.asymmetric import ec

from issuer.clock import format_datetime, parse_datetime, utc_now
from issuer.dataintegrity import ecdsa_rdfc_2019, multikey
from issuer.dataintegrity.cryptosuites import SigningKey
from issuer.dataintegrity.processing_errors import ProofError
from issuer.errors import KeyError_

KEY_FILE_MODE = 0o600
# Secret keys read so far, by (directory, publicKeyMultibase): FileKeyStore.signing_key.
_SECRETS: dict[tuple[str, str], SigningKey] = {}
_SECRETS_LOCK = threading.Lock()


@dataclass(frozen=True)
class KeyInfo:
    """The public facts of a key. Carries no secret, so it is safe to print and log."""

    public_key_multibase: str
    created: datetime
    controller: str | None = None
    active: bool = False

    @property
    def did_key(self) -> str:
        return multikey.did_key(self.public_key_multibase)

    @property
    def public_key(self) -> bytes:
        """The raw public key (Ed25519), or the compressed point (P-256, P-384)."""
        return multikey.decode_multikey(self.public_key_multibase).key

    @property
    def algorithm(self) -> str:
        """``Ed25519``, ``P-256`` or ``P-384``."""
        return multikey.decode_multikey(self.public_key_multibase).algorithm


class FileKeyStore:
    """Keys as files in one directory (``ISSUER_KEYS_DIR``)."""

    def __init__(self, directory: str | os.PathLike[str]):
        self.directory = Path(directory)

    def __repr__(self) -> str:
        return f"FileKeyStore({str(self.directory)!r})"

    # -- reading ----------------------------------------------------------------------------

    def _path(self, public_key_multibase: str) -> Path:
        try:
            multikey.decode_multikey(public_key_multibase)  # also rejects path tricks
        except multikey.MultikeyError:
            raise KeyError_(f"{public_key_multibase!r} does not name an Ed25519 key (nor a P-256 "
                            "or P-384 one)") from None
        return self.directory / f"{public_key_multibase}.json"

    def _read(self, path: Path) -> dict:
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise KeyError_(f"cannot read key file {path.name}: {exc.__class__.__name__}") from None
        if not isinstance(data, dict) or "publicKeyMultibase" not in data:
            raise KeyError_(f"{path.name} is not a key file")
        return data

    @staticmethod
    def _info(data: dict) -> KeyInfo:
        return KeyInfo(
            public_key_multibase=data["publicKeyMultibase"],
            created=parse_datetime(data["created"]),
            controller=data.get("controller"),
            active=bool(data.get("active", False)),
        )

    def list(self) -> list[KeyInfo]:
        """Every key, oldest first."""
        if not self.directory.is_dir():
            return []
        infos = [self._info(self._read(path)) for path in self.directory.glob("z*.json")]
        return sorted(infos, key=lambda info: (info.created, info.public_key_multibase))

    def resolve(self, key: str) -> KeyInfo:
        """A key by publicKeyMultibase, did:key, or ``<controller>#<z6Mk...>`` id."""
        public_key_multibase = key.rsplit("#", 1)[-1].removeprefix("did:key:")
        path = self._path(public_key_multibase)
        if not path.exists():
            raise KeyError_(f"no key {public_key_multibase} in {self.directory}")
        return self._info(self._read(path))

    def keys_for(self, controller: str) -> list[KeyInfo]:
        """The keys of one controller (active and retired), oldest first."""
        return [info for info in self.list() if info.controller == controller]

    def active_key(self, controller: str | None = None) -> KeyInfo:
        """The active key of ``controller``; with None, the active key bound to no issuer."""
        candidates = [info for info in self.list() if info.active and info.controller == controller]
        if not candidates:
            raise KeyError_(
                "no active signing key" + (f" for {controller}" if controller else "")
                + "; create one with `issuer keys generate`"
            )
        return candidates[-1]

    def signing_key(self, public_key_multibase: str) -> SigningKey:
        """The private key (a nacl SigningKey for Ed25519, a cryptography EC key for P-256 /
        P-384). Callers must never log, print or store what this returns.

        Read from its file once per process: a key file is named after its public key and
        must hold that key's secret (checked), so what was read stays right (content-
        addressed); the cache holds key objects in memory only, never in a log or repr."""
        slot = (str(self.directory.resolve()), public_key_multibase)
        with _SECRETS_LOCK:
            found = _SECRETS.get(slot)
        if found is not None:
            return found
        found = self._read_signing_key(public_key_multibase)
        with _SECRETS_LOCK:
            _SECRETS[slot] = found
        return found

    def _read_signing_key(self, public_key_multibase: str) -> SigningKey:
        data = self._read(self._path(public_key_multibase))
        try:
            algorithm, secret = multikey.decode_secret_multikey(data.get("secretKeyMultibase", ""))
            signing_key: SigningKey = (
                nacl.signing.SigningKey(secret) if algorithm == multikey.ED25519
                else ecdsa_rdfc_2019.private_key_from(algorithm, secret))
        except (multikey.MultikeyError, ProofError, ValueError):
            raise KeyError_(f"key file {public_key_multibase}.json holds no valid secret key") from None
        if _multibases(signing_key)[0] != public_key_multibase:
            raise KeyError_(f"key file {public_key_multibase}.json does not hold that key")
        return signing_key

    # -- writing ----------------------------------------------------------------------------

    def generate(
        self, *, controller: str | None = None, activate: bool = True, now: datetime | None = None,
        algorithm: str = multikey.ED25519,
    ) -> KeyInfo:
        """Create a new key (file mode 0600): Ed25519, or ``algorithm`` ``P-256`` / ``P-384``.
        With ``activate``, it becomes the controller's active key and the previous one is
        retired (still listed and published)."""
        if algorithm == multikey.ED25519:
            signing_key: SigningKey = nacl.signing.SigningKey.generate()
        elif algorithm in ecdsa_rdfc_2019.CURVES:
            signing_key = ec.generate_private_key(ecdsa_rdfc_2019.CURVES[algorithm].curve)
        else:
            raise KeyError_(f"unknown key algorithm {algorithm!r} (Ed25519, P-256 or P-384)")
        return self.add(signing_key, controller=controller, activate=activate, now=now)

    def add(
        self,
        signing_key: SigningKey,
        *,
        controller: str | None = None,
        activate: bool = True,
        now: datetime | None = None,
    ) -> KeyInfo:
        """Store an existing key (for imports and tests)."""
        public_key_multibase, secret_key_multibase = _multibases(signing_key)
        data = {
            "type": "Multikey",
            "publicKeyMultibase": public_key_multibase,
            "secretKeyMultibase": secret_key_multibase,
            "created": format_datetime(now or utc_now()),
            "controller": controller,
            "active": False,
        }
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self._path(public_key_multibase)
        if path.exists():
            raise KeyError_(f"key {public_key_multibase} already exists")
        self._write(path, data, exclusive=True)
        if activate:
            self.activate(public_key_multibase)
        return self.resolve(public_key_multibase)

    def activate(self, public_key_multibase: str) -> KeyInfo:
        """Make a key its controller's active key; the controller's other keys are retired."""
        target = self._read(self._path(public_key_multibase))
        for info in self.list():
            if info.controller == target.get("controller") and info.active:
                path = self._path(info.public_key_multibase)
                self._write(path, {**self._read(path), "active": False})
        path = self._path(public_key_multibase)
        self._write(path, {**self._read(path), "active": True})
        return self.resolve(public_key_multibase)

    def set_controller(self, public_key_multibase: str, controller: str | None) -> KeyInfo:
        path = self._path(public_key_multibase)
        self._write(path, {**self._read(path), "controller": controller})
        return self.resolve(public_key_multibase)

    def _write(self, path: Path, data: dict, *, exclusive: bool = False) -> None:
        """Write a key file with mode 0600 from the first byte (atomic replace)."""
        text = json.dumps(data, indent=2) + "\n"
        if exclusive:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KEY_FILE_MODE)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            return
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            os.fchmod(fd, KEY_FILE_MODE)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _multibases(signing_key: SigningKey) -> tuple[str, str]:
    """(publicKeyMultibase, secretKeyMultibase) of an Ed25519 or P-256 / P-384 private key."""
    if isinstance(signing_key, nacl.signing.SigningKey):
        return (multikey.encode_public_key(bytes(signing_key.verify_key)),
                multikey.encode_secret_key(bytes(signing_key)))
    try:
        public = ecdsa_rdfc_2019.public_multikey(signing_key)
    except ProofError as exc:
        raise KeyError_(str(exc)) from None
    size = ecdsa_rdfc_2019.CURVES[public.algorithm].size
    secret = signing_key.private_numbers().private_value.to_bytes(size, "big")
    return multikey.encode_multikey(public), multikey.encode_secret_multikey(public.algorithm, secret)
