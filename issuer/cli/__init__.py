"""The ``issuer`` command line. Scripts read one plain value from stdout; messages go to stderr.

Only click is imported here and at the top of the command modules: every heavy module (pyld,
nacl, SQLAlchemy, Flask, Pillow, …) is imported inside the commands that need it, so that
``issuer --help`` answers at once (tests/cli/test_cli_startup.py checks it).
"""

from __future__ import annotations

import click

from issuer.cli import (
    admins, api, bake, community, core, endorsements, offer, service, status, webhooks,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="issuer", prog_name="issuer", message="%(prog)s %(version)s")
def main() -> None:
    """Issue and verify Open Badges 3.0 credentials."""


core.register(main)
bake.register(main)
service.register(main)
status.register(main)
offer.register(main)  # issue 12
api.register(main)
community.register(main)  # issue 7
webhooks.register(main)  # issue 15
endorsements.register(main)  # issue 15
admins.register(main)  # issue 14: several admins with roles
