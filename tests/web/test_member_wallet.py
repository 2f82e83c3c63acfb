"""A signed-in member's own wallet page for one of their badges (issue 12, items 4 and 5):
"Add to wallet" offers that work, the wallets the badge went to, and nobody else's view."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.service_fixtures import csrf_token, issue_credential, make_achievement
from tests.web.presentation_helpers import HOLDER_KEY, did_of, signed_presentation
from tests.web.test_wallet_pages import award_id, lcw_link, open_claim  # noqa: F401 (fixture)


def _sign_in_by_claim(app, client, award_id):
    open_claim(app, client, award_id)
    answer = client.post("/claim/credential",
                         data={"csrf_token": csrf_token(client, "/claim/credential")})
    assert answer.status_code == 302


def test_the_member_adds_a_badge_to_a_wallet_and_sees_where_it_went(app, client, award_id):
    _sign_in_by_claim(app, client, award_id)
    edit = client.get("/members/me").get_data(as_text=True)
    url = f"/members/me/credentials/{award_id}/wallet"
    assert f'id="wallet-{award_id}" href="{url}"' in edit
    page = client.get(url)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert 'id="lcw-qr"' in text and 'id="oid4vci-qr"' in text and 'id="no-copies"' in text
    params = {k: v[0] for k, v in parse_qs(urlsplit(lcw_link(text)).query).items()}
    presentation = signed_presentation([], key=HOLDER_KEY, challenge=params["challenge"],
                                       domain=None)
    delivered = client.post(urlsplit(params["vc_request_url"]).path, json=presentation)
    assert delivered.status_code == 200, delivered.get_json()
    again = client.get(url).get_data(as_text=True)
    assert 'id="wallet-copies"' in again and did_of(HOLDER_KEY) in again
    assert "Learner Credential Wallet ·" in again


def test_nobody_else_sees_a_members_wallet_page(app, client, award_id):
    url = f"/members/me/credentials/{award_id}/wallet"
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/members/sign-in" in anonymous.headers["Location"]
    # Another recipient, signed in by their own claim link: the same 404 as an unknown id.
    other = issue_credential(app, make_achievement(app, name="Other"), email="bob@example.org")
    _sign_in_by_claim(app, client, other)
    assert client.get(url).status_code == 404
    assert client.get(f"/members/me/credentials/{other}/wallet").status_code == 200
    unknown = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/members/me/credentials/{unknown}/wallet").status_code == 404
