"""Writing JSON with orjson (issuer.jsontext) changed no byte: every issuing path stores its
signed credential as ``json.dumps(credential, indent=2, ensure_ascii=False) + "\\n"``, with
non-ASCII names too, and the public documents and API answers are the bytes json and Flask's
own provider write (issue 13)."""

from __future__ import annotations

import json

from flask.json.provider import DefaultJSONProvider
from sqlalchemy import select

from issuer import db
from issuer.models import IssuedCredential, SignedCredential
from tests.issuing_paths import issue_by_every_path
from tests.service_fixtures import make_profile


def reference(document) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_every_stored_credential_has_the_bytes_json_writes(app, client):
    make_profile(app, name="Universität Zürich — ✓ 😀")
    issued = issue_by_every_path(app, client)
    assert issued
    with app.app_context():
        session = db.get_session()
        rows = [*session.scalars(select(IssuedCredential)),
                *session.scalars(select(SignedCredential))]
        assert len(rows) >= len(issued)
        for row in rows:
            document = json.loads(row.document)
            assert row.document == reference(document)
            assert "Zürich — ✓ 😀" in row.document  # written as UTF-8, not escaped
        credential_ids = [row.id for row in rows if isinstance(row, IssuedCredential)]
    for credential_id in credential_ids:
        answer = client.get(f"/credentials/{credential_id}",
                            headers={"Accept": "application/ld+json"})
        assert answer.status_code == 200
        assert answer.get_data(as_text=True) == reference(answer.get_json())
    for path in ("/.well-known/did.json", "/issuers/main"):
        answer = client.get(path, headers={"Accept": "application/ld+json"})
        assert answer.status_code == 200, path
        assert answer.get_data(as_text=True) == reference(answer.get_json()), path


def test_jsonify_writes_what_flasks_provider_writes(app):
    value = {"name": "Zoë 😀", "b": [1, 2.5, None, {"z": True}], "a": "\u2028"}
    with app.test_request_context():
        ours = app.json.response(value).get_data()
        assert ours == DefaultJSONProvider(app).response(value).get_data()
        assert ours.isascii()
