"""The ``issuer`` command line. Scripts read one plain value from stdout; messages go to stderr."""

from __future__ import annotations

import click

from issuer.cli import api, bake, community, core, service, status


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Issue and verify Open Badges 3.0 credentials."""


core.register(main)
bake.register(main)
service.register(main)
status.register(main)
api.register(main)
community.register(main)  # issue 7
