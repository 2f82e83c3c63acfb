"""``issuer bake``: put a credential into a PNG or SVG badge image (Open Badges 3.0 baking).

Also the reading side used by ``issuer verify``: take the credential out of a baked image.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from issuer.cli.inputs import unreadable


def register(group: click.Group) -> None:
    group.add_command(bake)


def _read_bytes(source: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        unreadable(f"cannot read {source}: {exc.strerror or exc}")


def read_credential_text(source: str) -> str:
    """A credential file's text, byte-exact: a JSON object (embedded proof) or a compact JWS
    (surrounding whitespace, e.g. a final newline, is dropped from a JWS only)."""
    from issuer.openbadges import baking

    data = _read_bytes(source)
    try:
        text = data.decode("utf-8-sig")
        kind = baking.check_credential(text)
    except UnicodeDecodeError:
        unreadable(f"{source} is not UTF-8 text")
    except baking.BakingError as exc:
        unreadable(f"cannot use {source}: {exc}")
    return text.strip() if kind == "jwt" else text


@click.command()
@click.argument("credential")
@click.argument("image", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the baked image (same format as IMAGE).")
def bake(credential: str, image: Path, output: Path) -> None:
    """Bake CREDENTIAL (a signed JSON file, kept byte for byte, or a compact JWS file; - for
    stdin) into IMAGE (PNG or SVG). A credential baked into IMAGE earlier is replaced.
    Prints the output path. Exit 0 baked, 2 unreadable input."""
    from issuer.openbadges import baking

    text = read_credential_text(credential)
    if baking.credential_kind(text) == "json" and "proof" not in json.loads(text):
        click.echo("warning: the credential has no proof (it is not signed)", err=True)
    try:
        baked = baking.bake(image.read_bytes(), text)
    except OSError as exc:
        unreadable(f"cannot read {image}: {exc.strerror or exc}")
    except baking.BakingError as exc:
        unreadable(f"cannot bake into {image}: {exc}")
    try:
        output.write_bytes(baked)
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(str(output))


__all__ = ["bake", "read_credential_text", "register"]
