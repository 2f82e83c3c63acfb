"""The tx_code of an OpenID4VCI offer goes to the recipient through the outbox (a real local
SMTP server), is never stored, and redeems the offer at the token endpoint."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from issuer.clock import utc_now
from issuer.community.models import OutboxMessage
from issuer.models import IssuedCredential
from issuer.services import oid4vci, status
from tests.community.conftest import drain
from tests.service_fixtures import BASE_URL, issue_credential, make_achievement, make_profile

PRE_AUTH = oid4vci.PRE_AUTHORIZED_GRANT


def test_the_tx_code_is_emailed_and_redeems_the_offer(app, client, session, smtp_server):
    make_profile(app)
    award = session.get(IssuedCredential, issue_credential(app, make_achievement(app),
                                                           email="ada@example.org"))
    drain(app)
    smtp_server.wait_for(1)  # the award's own announcement
    offer = oid4vci.create_offer(session, award, actor=status.CLI, base_url=BASE_URL,
                                 now=utc_now(), lifetime_seconds=900, tx_code=True)
    row = session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "oid4vci_tx_code")).one()
    assert row.exchange_id == offer.exchange.id
    drain(app)
    delivered = smtp_server.wait_for(2)[-1]
    assert delivered.rcpt_tos == ["ada@example.org"]
    text = delivered.message.get_body(("plain",)).get_content()
    code = re.search(r"^ +(\d{6})\s*$", text, re.MULTILINE).group(1)
    assert code == oid4vci.tx_code_of(app.config["SECRET_KEY"], offer.exchange.id)
    stored = json.dumps([[str(value) for value in r] for r in session.execute(
        select(OutboxMessage.__table__))])
    assert code not in stored
    code_value = offer.offer["grants"][PRE_AUTH]["pre-authorized_code"]
    response = client.post("/ob/oauth/token", data={
        "grant_type": PRE_AUTH, "pre-authorized_code": code_value, "tx_code": code})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["token_type"] == "Bearer"
