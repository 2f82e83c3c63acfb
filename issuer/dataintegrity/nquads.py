"""Canonical N-Quads terms (RDFC-1.0 §4.3) and RDFC-1.0's hash algorithms: shared by the
reference canonicalization (canonicalize), the fast RDFC-1.0 labelling (rdfc) and the proof
configuration template (proof_config)."""

from __future__ import annotations

SHA256, SHA384 = "sha256", "sha384"
HASH_ALGORITHMS = (SHA256, SHA384)  # RDFC-1.0's hash parameter (§4.2, "hash algorithm")

# RDFC-1.0 §4.3: ECHAR for BS HT LF FF CR " \ ; UCHAR (upper-case hex) for the other
# control characters U+0000-U+001F and U+007F. Everything else is written as is.
_LITERAL_ESCAPES = {code: f"\\u{code:04X}" for code in [*range(0x20), 0x7F]}
_LITERAL_ESCAPES.update(
    {
        0x08: "\\b",
        0x09: "\\t",
        0x0A: "\\n",
        0x0C: "\\f",
        0x0D: "\\r",
        0x22: '\\"',
        0x5C: "\\\\",
    }
)


def escape_literal(value: str) -> str:
    """Escape a literal's lexical form as canonical N-Quads requires."""
    return value.translate(_LITERAL_ESCAPES)
