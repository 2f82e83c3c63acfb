"""``issuer offer CREDENTIAL --protocol vcapi|lcw|oid4vci [--tx-code]``: offer an award to a
wallet and print the URL alone on stdout (for admins who deliver it by their own channels).

``vcapi`` prints the VCALM interaction URL (``<base>/exchanges/<id>?iuv=1``), ``lcw`` the
Learner Credential Wallet deep link (``https://lcw.app/request?issuer=…&vc_request_url=…``),
``oid4vci`` the OpenID4VCI offer URI (``openid-credential-offer://?credential_offer_uri=…``);
``--tx-code`` (oid4vci) emails the recipient a code the wallet must enter.
Other protocols registered in issuer.services.offers are accepted by name. The exchange is
recorded as created by "cli" and expires after ISSUER_EXCHANGE_LIFETIME_SECONDS.
"""

from __future__ import annotations

import click

from issuer.cli.service import app_context
from issuer.cli.status import credential_id_of


def register(group: click.Group) -> None:
    group.add_command(offer)


def run_offer(credential: str, protocol: str, options: dict | None = None) -> None:
    """Make the offer and print its URL (shared by protocol-specific options)."""
    from issuer import db
    from issuer.clock import utc_now
    from issuer.services import issuance, offers, status

    with app_context() as app:
        session = db.get_session()
        row = issuance.get_credential(session, credential_id_of(credential))
        made = offers.make_offer(session, row, protocol=protocol, actor=status.CLI,
                                 base_url=app.config["BASE_URL"], now=utc_now(),
                                 lifetime_seconds=app.config["EXCHANGE_LIFETIME_SECONDS"],
                                 options=options)
        click.echo(made.url)


@click.command()
@click.argument("credential")
@click.option("--protocol", required=True,
              help="vcapi (VCALM interaction URL), lcw (Learner Credential Wallet link) or "
                   "oid4vci (OpenID4VCI credential offer).")
@click.option("--tx-code", is_flag=True,
              help="oid4vci: email the recipient a 6-digit code the wallet must enter.")
def offer(credential: str, protocol: str, tx_code: bool) -> None:
    """Offer CREDENTIAL (its id or URL) to a wallet; prints the URL to open with it."""
    run_offer(credential, protocol.strip().lower(), {"tx_code": True} if tx_code else None)
