"""``python -m issuer.cli``: the ``issuer`` command."""

from issuer.cli import main

main()
