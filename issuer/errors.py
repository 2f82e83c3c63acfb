"""One exception hierarchy for the issuer; callers catch IssuerError."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def join_messages(messages: Iterable[str]) -> str:
    """Several messages as one line, ``"a; b."``: the closing full stop of every message but
    the last is dropped, so sentences never run together as ``"….; …"``."""
    parts = [message.strip() for message in messages if message and message.strip()]
    return "; ".join([part[:-1] if part.endswith(".") and not part.endswith("..") else part
                      for part in parts[:-1]] + parts[-1:])


def field_messages(errors: Mapping[str, str]) -> str:
    """``{"slug": "Use lower-case letters.", "name": "Give it a name."}`` as
    ``"slug: Use lower-case letters; name: Give it a name."``."""
    return join_messages(f"{field}: {message}" for field, message in errors.items())


class IssuerError(Exception):
    """Base class of every error the issuer raises on purpose.

    ``title``, ``status`` and ``problem_type`` become the RFC 9457 problem document's
    ``title``, ``status`` and ``type``; an instance may set its own ``problem_type``.
    """

    title = "Issuer error"
    status = 500
    # RFC 9457 §4.2.1: "about:blank" means the status code says it all.
    problem_type = "about:blank"


class InvalidRequest(IssuerError):
    """The caller sent something we cannot act on."""

    title = "Invalid request"
    status = 400


class NotFound(IssuerError):
    title = "Not found"
    status = 404


class DocumentLoaderError(IssuerError):
    """A JSON-LD document (context, DID document) could not be loaded offline."""

    title = "Document not available offline"
    status = 422


class UndefinedTermError(InvalidRequest):
    """The document uses terms no context defines; they would not be signed."""

    title = "Undefined JSON-LD terms"
    status = 422

    def __init__(self, terms: list[str]):
        self.terms = terms
        super().__init__(
            "undefined JSON-LD term(s), which the signature would not cover: "
            + ", ".join(terms)
        )


class InputTooComplex(InvalidRequest):
    """Untrusted input over a processing limit (issuer.dataintegrity.limits), refused before
    the work it would cost. ``problem_type`` names the limit; ``limit`` is its field name in
    ProcessingLimits and ``maximum`` its value."""

    title = "Input too complex"
    status = 422

    def __init__(self, detail: str, *, limit: str, maximum: float, problem_type: str):
        super().__init__(detail)
        self.limit = limit
        self.maximum = maximum
        self.problem_type = problem_type


class SigningError(IssuerError):
    title = "Signing failed"
    status = 422


class KeyError_(IssuerError):
    """A signing key could not be found, read or created."""

    title = "Key error"
    status = 400


class ValidationFailed(InvalidRequest):
    """Input that breaks a rule, with one message per field (rendered next to form fields,
    or as ``errors`` in problem-details JSON)."""

    title = "Invalid input"
    status = 422

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__(field_messages(self.errors))


class InvalidImage(ValidationFailed):
    """An uploaded image is not an acceptable PNG or SVG."""

    def __init__(self, message: str, field: str = "image"):
        super().__init__({field: message})


class Conflict(IssuerError):
    title = "Conflict"
    status = 409
