"""Core commands: keys, sign (and verify, in issuer/cli/verify.py). They need no database or
web server. Heavy modules (nacl, pyld) are imported inside the commands, so ``issuer --help``
stays fast."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from issuer.cli import verify as verify_command
from issuer.cli.inputs import EXIT_UNREADABLE, read_json

if TYPE_CHECKING:
    from issuer.services.keystore import FileKeyStore, KeyInfo

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
    verify_command.register(group)


@click.group()
def keys() -> None:
    """Manage Ed25519 signing keys (private halves never leave the key directory)."""


@keys.command("generate")
@keys_dir_option
@click.option("--controller", help="Issuer id (DID or URL) the key signs for.")
def keys_generate(keys_dir: Path, controller: str | None) -> None:
    """Create a key and print its did:key."""
    from issuer.errors import IssuerError
    from issuer.services.keystore import FileKeyStore

    try:
        info = FileKeyStore(keys_dir).generate(controller=controller)
    except (IssuerError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(info.did_key)


@keys.command("list")
@keys_dir_option
def keys_list(keys_dir: Path) -> None:
    """List keys: did:key, created, active or retired, controller."""
    from issuer.errors import IssuerError
    from issuer.services.keystore import FileKeyStore

    try:
        infos = FileKeyStore(keys_dir).list()
    except IssuerError as exc:
        raise click.ClickException(str(exc)) from None
    for info in infos:
        state = "active" if info.active else "retired"
        click.echo(f"{info.did_key}\t{info.created:%Y-%m-%dT%H:%M:%SZ}\t{state}\t{info.controller or '-'}")


def _pick_key(store: FileKeyStore, credential: dict[str, Any], key: str | None) -> KeyInfo:
    from issuer.errors import IssuerError
    from issuer.services.signing import issuer_id_of

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
    from issuer.clock import utc_now
    from issuer.errors import IssuerError
    from issuer.services.keystore import FileKeyStore
    from issuer.services.signing import sign_credential

    credential = read_json(file)
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


__all__ = ["register"]
