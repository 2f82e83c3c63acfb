"""``issuer verify``: verify any credential or presentation and say plainly how far it could
be checked.

A presentation (a VerifiablePresentation, an EnvelopedVerifiablePresentation or a vp+jwt) is
verified with the ``--challenge`` and ``--domain`` the verifier gave the holder, and each
credential in it is verified and reported as a credential on its own would be; the verdict
and the exit status are the presentation's (which fails when any credential fails).

It fails closed. By default the issuer's keys (did:web, http(s) issuer profiles) and the
status lists are fetched through the same safe fetcher as the web verifier (public
addresses only unless ISSUER_VERIFY_FETCH_PRIVATE); documents given with
``--controller-document`` / ``--status-list`` are used instead of fetching them. A check
that could not be made is never counted as passed: the verdict is then NOT FULLY VERIFIED,
exit status 3.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from issuer.cli.inputs import read_documents, read_json, unreadable

EXIT_VERIFIED, EXIT_NOT_VERIFIED, EXIT_UNREADABLE, EXIT_INCOMPLETE = 0, 1, 2, 3
EXIT_CODES = {"verified": EXIT_VERIFIED, "not_verified": EXIT_NOT_VERIFIED,
              "incomplete": EXIT_INCOMPLETE}
FETCH_PRIVATE_ENV = "ISSUER_VERIFY_FETCH_PRIVATE"

SYMBOLS = {"passed": "PASS", "failed": "FAIL", "not_checked": "SKIP", "not_applicable": " -- "}


def register(group: click.Group) -> None:
    group.add_command(verify)


@click.command(epilog="Exit status: 0 verified; 1 not verified (a check failed: e.g. revoked, "
                      "suspended, expired, tampered; for a presentation also a wrong "
                      "challenge or domain, or any credential in it not verified); 2 "
                      "unreadable input or options that do not apply; 3 not fully verified "
                      "(nothing failed, but a check could not be made: a document could not be "
                      "fetched, or --offline).")
@click.argument("file")
@click.option("--json", "as_json", is_flag=True,
              help="Print the result as JSON (with a \"verdict\": verified, not_verified or "
                   "incomplete).")
@click.option("--email", help="Also check that the credential was awarded to this email address.")
@click.option("--offline", is_flag=True,
              help="Fetch nothing. Checks that need a document not given here are then not "
                   "made, and the verdict says so (exit 3).")
@click.option("--controller-document", "controller_documents", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A DID / controller document (JSON, e.g. a did:web document or an issuer "
                   "profile) to use instead of fetching it. Repeatable.")
@click.option("--challenge", help="A presentation's proof must carry this challenge (a JWS: "
                                  "nonce), the one you gave the holder.")
@click.option("--domain", help="A presentation's proof must be made for this domain (a JWS: aud).")
@click.option("--unsigned-presentation", "unsigned_presentation", is_flag=True,
              help="Take a presentation without a proof: only its credentials are verified.")
@click.option("--status-list", "status_lists", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A status list credential (JSON) to use instead of fetching the one whose "
                   "URL is its id. Repeatable.")
def verify(file: str, as_json: bool, email: str | None, offline: bool,
           controller_documents: tuple[Path, ...], challenge: str | None, domain: str | None,
           unsigned_presentation: bool, status_lists: tuple[Path, ...]) -> None:
    """Verify a credential or a presentation (FILE or - for stdin): JSON, a baked PNG or SVG
    badge image, or a compact JWS (a VC-JWT: VC-JOSE-COSE or OB 3.0; a vp+jwt)."""
    from issuer.clock import utc_now
    from issuer.config import ConfigError, parse_flag
    from issuer.services.standalone_verification import (
        fetch_policy,
        verify_standalone,
        verify_standalone_presentation,
    )
    from issuer.verification.presentation import PresentationOptions, is_presentation

    credential = read_json(file, baked=True)
    controllers = read_documents(controller_documents, "controller document")
    lists = read_documents(status_lists, "status list")
    try:
        allow_private = parse_flag(os.environ.get(FETCH_PRIVATE_ENV), FETCH_PRIVATE_ENV)
    except ConfigError as exc:
        unreadable(str(exc))
    used: set[str] = set()
    if not isinstance(credential, dict):  # a VC-JWT (baking.Extracted): the compact JWS
        from issuer.openbadges import baking

        if isinstance(credential, baking.Extracted):
            credential = credential.text.strip()
    presentation = is_presentation(credential)
    asked = [flag for flag, value in (("--challenge", challenge), ("--domain", domain),
                                      ("--unsigned-presentation", unsigned_presentation))
             if value]
    if not presentation and asked:
        unreadable(f"{', '.join(asked)}: {file} is a credential, not a presentation")
    if presentation and email:
        unreadable("--email checks a credential; verify the credentials of a presentation "
                   "one by one to match their recipient")
    lookups = dict(now=utc_now(), policy=fetch_policy(allow_private=allow_private),
                   network=not offline, controllers=_lookup(controllers, used),
                   status_lists=_lookup(lists, used))
    if presentation:
        outcome = verify_standalone_presentation(credential, options=PresentationOptions(
            challenge=challenge, domain=domain, allow_unsigned=unsigned_presentation), **lookups)
        result = outcome.presentation
    else:
        outcome = None
        result = verify_standalone(credential, recipient_email=email, **lookups)
    for given, what in ((controllers, "--controller-document"), (lists, "--status-list")):
        for document_id, (path, _document) in given.items():
            if document_id not in used:
                click.echo(f"warning: {what} {path} ({document_id}) was not needed", err=True)
    verdict = result.verdict.value
    if as_json:
        report = {**(outcome or result).to_dict(), "verdict": verdict,
                  "notChecked": [check.id for check in result.not_checked]}
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo(verdict_line(result, offline=offline))
        _print_checks(result, "  ")
        for found in result.endorsements:  # each embedded endorsement, apart from the verdict
            click.echo(f"  endorsement by {found.info.endorser_name or found.info.endorser_id}"
                       f" ({found.where}): " + verdict_line(found.result, offline=offline))
            _print_checks(found.result, "    ")
        for item in outcome.credentials if outcome else ():
            named = f" ({item.credential_id})" if item.credential_id else ""
            click.echo(f"  credential {item.index + 1}{named}: "
                       + verdict_line(item.result, offline=offline))
            _print_checks(item.result, "    ")
    sys.exit(EXIT_CODES[verdict])


def _print_checks(result, indent: str) -> None:
    for check in result.checks:
        click.echo(f"{indent}[{SYMBOLS[check.status.value]}] {check.title}: {check.detail}")
    for warning in result.all_warnings:
        if not warning.split(": ", 1)[-1].startswith("not checked"):
            click.echo(f"{indent}warning: {warning}")


def _lookup(documents: dict[str, tuple[Path, dict[str, Any]]],
            used: set[str]) -> Callable[[str], dict[str, Any] | None]:
    def lookup(document_id: str) -> dict[str, Any] | None:
        found = documents.get(document_id)
        if found is None:
            return None
        used.add(document_id)
        return found[1]

    return lookup


def verdict_line(result, *, offline: bool) -> str:
    """VERIFIED, NOT VERIFIED: <what failed>, or NOT FULLY VERIFIED: <what was not checked>."""
    verdict = result.verdict.value
    if verdict == "verified":
        return "VERIFIED"
    if verdict == "not_verified":
        failed = [check for check in result.checks if check.failed]
        if not failed:  # nothing failed, but no signature of a kind we can check
            return "NOT VERIFIED: no signature of a kind this verifier can check"
        return f"NOT VERIFIED: {_count(failed, 'failed')}: " + ", ".join(c.title for c in failed)
    unchecked = result.not_checked
    return (f"NOT FULLY VERIFIED: {_count(unchecked, 'could not be made')}"
            + (" (offline)" if offline else "") + ": " + ", ".join(c.title for c in unchecked))


def _count(checks, what: str) -> str:
    return f"{len(checks)} check{'s' if len(checks) != 1 else ''} {what}"


__all__ = ["EXIT_CODES", "register", "verdict_line"]
