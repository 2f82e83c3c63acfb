"""Endorsements from the command line (`issuer endorsements …`) and the API
(/api/v1/endorsements, attach to an achievement or the profile)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from issuer import db
from issuer.cli import main
from issuer.clock import utc_now
from issuer.endorsement_models import ReceivedEndorsement
from issuer.models import IssuedCredential
from issuer.services.fetch import FetchPolicy
from issuer.services.verification import verify_document
from issuer.verification.results import Verdict
from tests.api_helpers import ISSUER_DID, make_token
from tests.cli.test_status_cli import env  # noqa: F401  (the CLI's environment for this app)
from tests.endorsements.helpers import partner_endorsement, tampered
from tests.service_fixtures import BASE_URL, issue_credential, make_achievement, make_profile


@pytest.fixture
def achievement(app):
    make_profile(app)
    make_profile(app, slug="guild", name="Guild of Testers")
    return make_achievement(app)


def run(env, *args, **options):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False, **options)


def _verdict(app, document):
    with app.app_context():
        return verify_document(db.get_session(), document, base_url=BASE_URL, now=utc_now(),
                               policy=FetchPolicy(), network=False)


def test_cli_gives_lists_and_revokes(app, env, achievement, client):  # noqa: F811
    ours = f"{BASE_URL}/achievements/{achievement}"
    given = run(env, "endorsements", "give", "--issuer", "guild", "--endorsed", ours,
                "--comment", "Well assessed.")
    assert given.exit_code == 0, given.output
    url = given.stdout.strip()
    assert url.startswith(f"{BASE_URL}/credentials/")
    document = json.loads(client.get(url.removeprefix(BASE_URL),
                                     headers={"Accept": "application/json"}).data)
    assert document["credentialSubject"]["endorsementComment"] == "Well assessed."
    assert _verdict(app, document).verdict is Verdict.VERIFIED
    listed = run(env, "endorsements", "list")
    assert listed.stdout.split("\t")[1:4] == [url, "active", "guild"]
    revoked = run(env, "endorsements", "revoke", url, "--reason", "Withdrawn")
    assert (revoked.exit_code, revoked.stdout) == (0, "revoked\n")
    assert _verdict(app, document).check("status").failed
    again = run(env, "endorsements", "revoke", url, "--reason", "Twice")
    assert again.exit_code == 1 and "already revoked" in again.output
    other = run(env, "endorsements", "give", "--endorsed", "https://x.example/a/1")
    assert other.exit_code == 1 and "achievement's or a profile's" in other.output


def test_cli_attaches_verified_endorsements_only(app, env, achievement, tmp_path):  # noqa: F811
    ours = f"{BASE_URL}/achievements/{achievement}"
    good = partner_endorsement(tmp_path / "partner", ours)
    path = tmp_path / "endorsement.json"
    path.write_text(json.dumps(tampered(good)))
    refused = run(env, "endorsements", "attach", str(path), "--achievement", achievement)
    assert refused.exit_code == 1 and "did not verify" in refused.stderr
    token = partner_endorsement(tmp_path / "partner", ours, jwt=True)
    attached = run(env, "endorsements", "attach", "-", "--achievement", achievement,
                   input=token)
    assert attached.exit_code == 0, attached.output
    with app.app_context():
        row = db.get_session().get(ReceivedEndorsement, int(attached.stdout))
        assert (row.form, row.document) == ("jwt", token)
    issued = json.loads(_credential(app, achievement))
    assert issued["credentialSubject"]["achievement"]["endorsementJwt"] == [token]
    badge = tmp_path / "badge.json"
    badge.write_text(json.dumps(issued))
    shown = run(env, "verify", str(badge), "--offline")
    assert "  endorsement by Partner Guild (achievement): VERIFIED" in shown.stdout
    checked = run(env, "endorsements", "check")

    assert checked.stdout.split("\t")[:2] == [attached.stdout.strip(), "verified"]


def _credential(app, achievement):
    credential_id = issue_credential(app, achievement)
    with app.app_context():
        return db.get_session().get(IssuedCredential, credential_id).document


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_api_gives_reads_and_revokes(app, client, achievement):
    token = make_token(app, issuer="guild", scopes=("issue", "read", "revoke"))
    ours = f"{BASE_URL}/achievements/{achievement}"
    made = client.post("/api/v1/endorsements", headers=bearer(token),
                       json={"endorsed": ours, "comment": "Sound."})
    assert made.status_code == 201, made.json
    answer = made.json
    assert answer["endorsedType"] == "achievement" and answer["state"] == "active"
    assert answer["credential"]["credentialSubject"]["id"] == ours
    assert _verdict(app, answer["credential"]).verdict is Verdict.VERIFIED
    external = client.post("/api/v1/endorsements", headers=bearer(token), json={
        "endorsed": "did:web:partner.example", "endorsedType": "profile",
        "endorsedName": "Partner"})
    assert external.status_code == 201 and external.json["endorsedName"] == "Partner"
    listed = client.get("/api/v1/endorsements", headers=bearer(token)).json["endorsements"]
    assert [item["id"] for item in listed] == [external.json["id"], answer["id"]]
    refused = client.post("/api/v1/endorsements", headers=bearer(token),
                          json={"endorsed": "https://x.example/1"})
    assert refused.status_code == 422
    assert refused.json["errors"] == {"endorsedType": "Say whether the id is an achievement's "
                                                      "or a profile's."}
    revoked = client.post(f"/api/v1/endorsements/{answer['id']}/revoke", headers=bearer(token),
                          json={"reason": "Withdrawn"})
    assert revoked.status_code == 200 and revoked.json["state"] == "revoked"
    assert revoked.json["reason"] == "Withdrawn"
    main = make_token(app, scopes=("read",))
    assert client.get(f"/api/v1/endorsements/{answer['id']}",
                      headers=bearer(main)).status_code == 403


def test_api_attaches_received_endorsements(app, client, achievement, tmp_path):
    token = make_token(app, scopes=("issue",))
    ours = f"{BASE_URL}/achievements/{achievement}"
    good = partner_endorsement(tmp_path / "partner", ours)
    body = json.dumps(good, indent=1)
    at = f"/api/v1/achievements/{achievement}/endorsements"
    refused = client.post(at, headers=bearer(token), data=json.dumps(tampered(good)),
                          content_type="application/json")
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    assert "did not verify" in refused.json["errors"]["endorsement"]
    kept = client.post(at, headers=bearer(token), data=body,
                       content_type="application/vc+ld+json")
    assert kept.status_code == 201, kept.json
    assert kept.json["verdict"] == "verified" and kept.json["form"] == "json"
    with app.app_context():
        assert db.get_session().get(ReceivedEndorsement, kept.json["id"]).document == body
    jws = partner_endorsement(tmp_path / "partner", ISSUER_DID, jwt=True)
    profile_kept = client.post("/api/v1/profile/endorsements", headers=bearer(token),
                               data=jws, content_type="text/plain")
    assert profile_kept.status_code == 201 and profile_kept.json["form"] == "jwt"
    issued = json.loads(_credential(app, achievement))
    assert issued["issuer"]["endorsementJwt"] == [jws]
    assert issued["credentialSubject"]["achievement"]["endorsement"] == [good]
    outcome = _verdict(app, issued)
    assert outcome.verdict is Verdict.VERIFIED, outcome.to_dict()
    assert {(item.where, item.verdict) for item in outcome.endorsements} == {
        ("issuer", Verdict.VERIFIED), ("achievement", Verdict.VERIFIED)}
    served = client.get(f"/achievements/{achievement}", headers={"Accept": "application/ld+json"})
    assert json.loads(served.data)["endorsement"] == [good]
