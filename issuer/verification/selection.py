"""VC-API ``options.checks``: which checks decide the verdict.

Every check always runs and is reported. The structure of the credential (``context``,
``schema``) and its signature bound to its issuer (``proof`` and ``issuer``, and for a JWS
``jwt-claims``, the claims it signs; a signature not attributable to the issuer proves
nothing about it, which is also what Digital Bazaar's ``CredentialIssuancePurpose``
enforces) always decide. ``options.checks`` chooses which of
the others do as well: a failed check outside the choice becomes a warning. An unknown name
is refused (:class:`UnknownCheck`), never ignored.
"""

from __future__ import annotations

from typing import Any

ALWAYS = ("context", "schema", "proof", "jwt-claims", "issuer")
# option name -> our check ids (the VC-API names and ours)
NAMES: dict[str, tuple[str, ...]] = {
    "proof": ("proof", "issuer"),
    "issuer": ("issuer",),
    "context": ("context",),
    "schema": ("schema",),
    "validity": ("validity",),
    "expiration": ("validity",),
    "status": ("status",),
    "credentialStatus": ("status",),
    "relatedResource": ("relatedResource",),
    "recipient": ("recipient",),
}
MAX_NAMES = 32


class UnknownCheck(ValueError):
    """``options.checks`` is not a list of check names we know."""


def selected_checks(requested: Any) -> tuple[str, ...]:
    """The check ids that decide the verdict for ``options.checks`` = ``requested``."""
    if not isinstance(requested, list) or not all(isinstance(n, str) for n in requested):
        raise UnknownCheck("options.checks must be an array of check names")
    if len(requested) > MAX_NAMES:
        raise UnknownCheck(f"options.checks may name at most {MAX_NAMES} checks")
    unknown = [name for name in requested if name not in NAMES]
    if unknown:
        raise UnknownCheck(
            "options.checks names unknown check" + ("s " if len(unknown) > 1 else " ")
            + ", ".join(repr(name[:60]) for name in unknown)
            + "; known: " + ", ".join(NAMES))
    chosen = list(ALWAYS)
    for name in requested:
        chosen += [check for check in NAMES[name] if check not in chosen]
    return tuple(chosen)
