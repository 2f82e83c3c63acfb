"""Reading the files commands are given: JSON from a path or stdin (``-``), optionally a baked
PNG / SVG or a compact JWS. Unreadable input ends the command with exit status 2."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

EXIT_UNREADABLE = 2


def unreadable(message: str) -> NoReturn:
    """Say what is wrong with the input on stderr and exit with status 2."""
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_UNREADABLE)


def read_json(source: str, *, baked: bool = False) -> Any:
    """Parse JSON from a path or '-' (stdin); exit 2 with a message on failure.

    With ``baked`` the file may also be a baked PNG / SVG or a compact JWS; a JWS (VC-JWT or
    signed OB 2.0) is returned as a ``baking.Extracted`` for the caller to report, and an
    OB 1.0/2.0 image baked with a URL as an ``ob2.HostedAssertion``.
    """
    try:
        if baked:
            data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
            text = _json_object_text(data)
            # a JSON object is what baking.extract_credential would return; only other files
            # need the image readers
            return json.loads(text) if text is not None else _extract(data)
        if source == "-":
            text = sys.stdin.read()
        else:
            text = Path(source).read_text("utf-8")
        return json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        unreadable(f"cannot read a JSON credential from {source}: {exc}")


def _extract(data: bytes) -> Any:
    from issuer.openbadges import baking

    try:
        found = baking.extract_credential(data)
    except baking.BakingError as exc:
        raise ValueError(str(exc)) from None
    if found.kind == "url":
        from issuer.verification.ob2 import HostedAssertion

        return HostedAssertion(found.text)
    return found if found.kind == "jwt" else json.loads(found.text)


def _json_object_text(data: bytes) -> str | None:
    """The text of a file that is a JSON object (UTF-8, a BOM allowed), else None."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return text if text.strip().startswith("{") else None


def read_documents(paths: tuple[Path, ...], what: str) -> dict[str, tuple[Path, dict[str, Any]]]:
    """JSON documents by their ``id`` (each file must hold an object with a string id)."""
    documents: dict[str, tuple[Path, dict[str, Any]]] = {}
    for path in paths:
        try:
            document = json.loads(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            unreadable(f"cannot read {what} {path}: {exc}")
        if not isinstance(document, dict) or not isinstance(document.get("id"), str):
            unreadable(f"{what} {path} is not a JSON object with an \"id\"")
        documents[document["id"]] = (path, document)
    return documents
