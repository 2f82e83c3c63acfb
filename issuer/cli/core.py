"""Core commands: keys, sign, verify. They need no database or web server."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from issuer.cli.bake import jwt_result
from issuer.clock import utc_now
from issuer.errors import IssuerError
from issuer.openbadges import baking
from issuer.services.keystore import FileKeyStore, KeyInfo
from issuer.services.signing import issuer_id_of, sign_credential
from issuer.verification.results import Status
from issuer.verification.verifier import verify_credential

EXIT_VERIFIED, EXIT_NOT_VERIFIED, EXIT_UNREADABLE = 0, 1, 2

keys_dir_option = click.option(
    "--keys-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: os.environ.get("ISSUER_KEYS_DIR", "keys"),
    show_default="$ISSUER_KEYS_DIR or keys/",
    help="Directory holding the signing keys.",
)


def register(group: click.Group) -> None:
    group.add_command(keys)
    group.add_command(sign)
    group.add_command(verify)


@click.group()
def keys() -> None:
    """Manage Ed25519 signing keys (private halves never leave the key directory)."""


@keys.command("generate")
@keys_dir_option
@click.option("--controller", help="Issuer id (DID or URL) the key signs for.")
def keys_generate(keys_dir: Path, controller: str | None) -> None:
    """Create a key and print its did:key."""
    try:
        info = FileKeyStore(keys_dir).generate(controller=controller)
    except (IssuerError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(info.did_key)


@keys.command("list")
@keys_dir_option
def keys_list(keys_dir: Path) -> None:
    """List keys: did:key, created, active or retired, controller."""
    try:
        infos = FileKeyStore(keys_dir).list()
    except IssuerError as exc:
        raise click.ClickException(str(exc)) from None
    for info in infos:
        state = "active" if info.active else "retired"
        click.echo(f"{info.did_key}\t{info.created:%Y-%m-%dT%H:%M:%SZ}\t{state}\t{info.controller or '-'}")


def _read_json(source: str, *, baked: bool = False) -> Any:
    """Parse JSON from a path or '-' (stdin); raise click.UsageError-like exit 2 on failure.

    With ``baked`` the file may also be a baked PNG / SVG or a compact JWS; a JWS (VC-JWT) is
    returned as a ``baking.Extracted`` for the caller to report.
    """
    try:
        if baked:
            data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
            found = baking.extract_credential(data)
            return found if found.kind == "jwt" else json.loads(found.text)
        if source == "-":
            text = sys.stdin.read()
        else:
            text = Path(source).read_text("utf-8")
        return json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError, baking.BakingError) as exc:
        click.echo(f"error: cannot read a JSON credential from {source}: {exc}", err=True)
        sys.exit(EXIT_UNREADABLE)


def _pick_key(store: FileKeyStore, credential: dict[str, Any], key: str | None) -> KeyInfo:
    if key:
        return store.resolve(key)
    issuer_id = issuer_id_of(credential)
    if issuer_id.startswith("did:key:"):
        return store.resolve(issuer_id)
    try:
        return store.active_key(issuer_id)
    except IssuerError:
        # Only a key bound to no issuer may sign for an issuer that has none of its own.
        return store.active_key(None)


@click.command()
@click.argument("file")
@click.option("--key", help="Key to sign with: publicKeyMultibase, did:key or verification method id.")
@keys_dir_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the signed credential here instead of stdout.")
def sign(file: str, key: str | None, keys_dir: Path, output: Path | None) -> None:
    """Sign an unsigned credential (FILE or - for stdin) with eddsa-rdfc-2022."""
    credential = _read_json(file)
    if not isinstance(credential, dict):
        click.echo("error: the credential must be a JSON object", err=True)
        sys.exit(EXIT_UNREADABLE)
    store = FileKeyStore(keys_dir)
    try:
        info = _pick_key(store, credential, key)
        signed = sign_credential(credential, keystore=store, key=info, created=utc_now())
    except IssuerError as exc:
        raise click.ClickException(str(exc)) from None
    text = json.dumps(signed, indent=2, ensure_ascii=False) + "\n"
    if output:
        try:
            output.write_text(text, "utf-8")
        except OSError as exc:
            raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
    else:
        click.echo(text, nl=False)


SYMBOLS = {
    Status.PASSED: "PASS",
    Status.FAILED: "FAIL",
    Status.NOT_CHECKED: "SKIP",
    Status.NOT_APPLICABLE: " -- ",
}


@click.command()
@click.argument("file")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--email", help="Also check that the credential was awarded to this email address.")
@click.option("--controller-document", "controller_documents", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A DID / controller document (JSON) to resolve keys with, e.g. a did:web "
                   "document. Repeatable. Nothing is fetched from the network.")
def verify(file: str, as_json: bool, email: str | None, controller_documents: tuple[Path, ...]) -> None:
    """Verify a credential (FILE or - for stdin). Exit 0 verified, 1 not, 2 unreadable.

    FILE may be JSON, a baked PNG or SVG badge image, or a compact JWS. VC-JWT (JWS) proofs
    are not supported yet: such a credential is reported NOT VERIFIED (exit 1) with that reason.
    """
    credential = _read_json(file, baked=True)
    documents: dict[str, dict] = {}
    for path in controller_documents:
        document = _read_json(str(path))
        if isinstance(document, dict) and isinstance(document.get("id"), str):
            documents[document["id"]] = document
    if isinstance(credential, baking.Extracted):  # a VC-JWT: we cannot check it yet
        result = jwt_result(credential)
    else:
        result = verify_credential(
            credential,
            now=utc_now(),
            resolve_controller=documents.get,
            recipient_email=email,
        )
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        click.echo("VERIFIED" if result.verified else "NOT VERIFIED")
        for check in result.checks:
            click.echo(f"  [{SYMBOLS[check.status]}] {check.title}: {check.detail}")
        for warning in result.all_warnings:
            if not warning.split(": ", 1)[-1].startswith("not checked"):
                click.echo(f"  warning: {warning}")
    sys.exit(EXIT_VERIFIED if result.verified else EXIT_NOT_VERIFIED)


__all__ = ["register"]
