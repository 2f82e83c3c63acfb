"""A bulk CSV larger than the app-wide MAX_CONTENT_LENGTH (but within BULK_MAX_BYTES) is
accepted: the bulk upload's own limit is set before anything (the NUL check, CSRF) reads the
body."""

from __future__ import annotations

from sqlalchemy import func, select

from issuer import db
from issuer.models import BulkRow
from tests.service_fixtures import csrf_token, make_achievement


def test_a_2_mb_bulk_csv_is_accepted(app, admin_client):
    achievement = make_achievement(app)
    lines = ["email,name,valid_until"]
    lines += [f"person{i}@example.org,{'Person ' + str(i) + ' ' + 'x' * 180},2099-12-31"
              for i in range(9000)]
    data = ("\n".join(lines) + "\n").encode()
    assert 2 * 1024 * 1024 > len(data) > 1.9 * 1024 * 1024
    assert len(data) > 2 * app.config["MAX_CONTENT_LENGTH"]
    # A raw multipart body (the test client would spool a dict body to an unclosed temp file).
    boundary = "b0undary"
    fields = {"csrf_token": csrf_token(admin_client, "/admin/bulk/"), "achievement": achievement}
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                    f"{value}\r\n".encode() for name, value in fields.items())
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
             f'filename="people.csv"\r\nContent-Type: text/csv\r\n\r\n').encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    response = admin_client.post("/admin/bulk/", data=body,
                                 content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with app.app_context():
        assert db.get_session().scalar(select(func.count()).select_from(BulkRow)) == 9000
