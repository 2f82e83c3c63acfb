"""The admin dashboard and credential list through the Flask test client: views counted
server-side (browsers only, after the response), share clicks counted on the way to
LinkedIn, figures on the page, filters, sort, pagination, bad parameters as form messages,
and the CSV export (CSV-injection safe)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from issuer import db
from issuer.clock import utc_now
from issuer.models import CredentialActivity
from issuer.services import activity
from issuer.web.admin.insights import csv_cell
from tests.service_fixtures import issue_credential, make_achievement

CHROME = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/120.0 Safari/537.36")
BROWSER = {"User-Agent": CHROME, "Accept": "text/html"}


def _counts(app, credential_id: str) -> dict[str, int]:
    with app.app_context():
        rows = db.get_session().execute(
            select(CredentialActivity.kind, func.sum(CredentialActivity.count))
            .where(CredentialActivity.credential_id == credential_id)
            .group_by(CredentialActivity.kind)).all()
    return {kind: int(total) for kind, total in rows}


def _get(client, path: str, **headers):
    response = client.get(path, headers={**BROWSER, **headers})
    response.close()  # as a WSGI server does once it has sent the response
    return response


@pytest.fixture
def credential_id(app, profile):
    achievement_id = make_achievement(app, name="Data Wrangler")
    return issue_credential(app, achievement_id, email="grace@example.org", name="Grace")


def test_page_views_are_counted_for_browsers_only(app, client, credential_id):
    assert _get(client, f"/credentials/{credential_id}").status_code == 200
    assert _get(client, f"/credentials/{credential_id}").status_code == 200
    assert _counts(app, credential_id) == {activity.VIEW: 2}
    not_counted = [
        {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
        {"User-Agent": "facebookexternalhit/1.1"},
        {"User-Agent": "curl/8.5.0"},
        {"User-Agent": ""},
        {"Sec-Purpose": "prefetch;prerender"},
        {"Accept": "application/ld+json"},  # the JSON document is not a page view
    ]
    for headers in not_counted:
        assert _get(client, f"/credentials/{credential_id}", **headers).status_code == 200
    head = client.head(f"/credentials/{credential_id}", headers=BROWSER)
    head.close()
    assert head.status_code == 200
    assert _counts(app, credential_id) == {activity.VIEW: 2}


def test_downloads_and_share_clicks_are_counted(app, client, credential_id):
    assert _get(client, f"/credentials/{credential_id}/download").status_code == 200
    add = _get(client, f"/credentials/{credential_id}/share/linkedin-add")
    assert add.status_code == 302
    assert add.headers["Location"].startswith("https://www.linkedin.com/profile/add?")
    post = _get(client, f"/credentials/{credential_id}/share/linkedin")
    assert post.headers["Location"].startswith("https://www.linkedin.com/sharing/")
    assert _get(client, f"/credentials/{credential_id}/share/myspace").status_code == 404
    assert _counts(app, credential_id) == {activity.DOWNLOAD: 1, activity.LINKEDIN_ADD: 1,
                                           activity.LINKEDIN_SHARE: 1}


def test_a_revoked_credential_is_not_shared(app, client, admin_client, credential_id):
    from tests.service_fixtures import csrf_token

    token = csrf_token(admin_client, f"/admin/credentials/{credential_id}")
    admin_client.post(f"/admin/credentials/{credential_id}/revoke",
                      data={"csrf_token": token, "reason": "mistake", "confirm": "yes"})
    response = _get(client, f"/credentials/{credential_id}/share/linkedin-add")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/credentials/{credential_id}")
    assert activity.LINKEDIN_ADD not in _counts(app, credential_id)


def test_a_failed_count_never_costs_the_page(app, client, credential_id, caplog):
    """The counter table gone (a real database error, not a stand-in): the page is served,
    the count is lost and logged."""
    from sqlalchemy import text

    engine = db.engine_of(app)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE credential_activity RENAME TO activity_away"))
    try:
        response = _get(client, f"/credentials/{credential_id}")
    finally:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE activity_away RENAME TO credential_activity"))
    assert response.status_code == 200 and "Data Wrangler" in response.get_data(as_text=True)
    assert "credential activity not counted: kind=view" in caplog.text
    assert _counts(app, credential_id) == {}


def _numbers(page: str) -> dict[str, int]:
    return {name: int(value) for name, value in re.findall(
        r'id="stat-(\w+)">(?:<a [^>]*>)?<span class="number">(\d+)</span>', page)}


def test_dashboard_shows_the_figures(app, admin_client, credential_id):
    _get(admin_client, f"/credentials/{credential_id}")
    _get(admin_client, f"/credentials/{credential_id}/download")
    page = admin_client.get("/admin/").get_data(as_text=True)
    assert _numbers(page) == {"issued": 1, "active": 1, "claimed": 0, "wallet": 1, "shares": 0,
                              "viewed": 1, "suspended": 0, "revoked": 0, "expired": 0}
    assert "wallet: not recorded yet" in page
    assert re.search(r'data-period="\d{4}-\d{2}" data-count="1"', page)
    assert "Data Wrangler</a>: 1" in page  # top achievements
    assert "Command line" not in page and "Not recorded: 1" in page  # the fixture's path
    detail = admin_client.get(f"/admin/credentials/{credential_id}").get_data(as_text=True)
    assert ("1 page views · 1 downloads · 0 shares · claim link not opened" in detail
            and 'id="issued-via">not recorded<' in detail)
    by_day = admin_client.get("/admin/?by=day&issuer=main")
    assert by_day.status_code == 200
    assert len(re.findall(r'class="bar" data-period="\d{4}-\d{2}-\d{2}"',
                          by_day.get_data(as_text=True))) == 30


@pytest.mark.parametrize("query", ["?issuer=nobody", "?by=week", "?by=" + "x" * 300])
def test_bad_dashboard_parameters_are_a_message(admin_client, query):
    response = admin_client.get("/admin/" + query)
    assert response.status_code == 400
    assert 'id="dashboard-errors"' in response.get_data(as_text=True)


@pytest.fixture
def many(app, profile):
    python = make_achievement(app, name="Python")
    sql = make_achievement(app, name="=SQL")
    ids = [issue_credential(app, python, email=f"p{n:02}@example.org", name=f"P{n:02}")
           for n in range(27)]
    ids.append(issue_credential(app, sql, email="sql@example.org", name="@cmd",
                                valid_until=utc_now() + timedelta(days=30)))
    return {"python": python, "sql": sql, "ids": ids}


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr data-status="(\w+)"><td>[^<]*</td>\s*<td>([^<]*?) &lt;', page)


def test_credential_list_filters_sorts_and_pages(admin_client, many):
    page = admin_client.get("/admin/credentials?per_page=25").get_data(as_text=True)
    assert "28 credentials, page 1 of 2" in page and len(_rows(page)) == 25
    assert 'rel="next"' in page
    second = admin_client.get("/admin/credentials?per_page=25&page=2").get_data(as_text=True)
    assert len(_rows(second)) == 3 and 'rel="prev"' in second
    by_name = admin_client.get("/admin/credentials?sort=recipient&direction=asc&per_page=25")
    assert [name for _, name in _rows(by_name.get_data(as_text=True))][:2] == ["@cmd", "P00"]
    only_sql = admin_client.get(f"/admin/credentials?achievement={many['sql']}")
    assert [name for _, name in _rows(only_sql.get_data(as_text=True))] == ["@cmd"]
    today = utc_now().date().isoformat()
    dated = admin_client.get(f"/admin/credentials?issued_from={today}&issued_to={today}"
                             "&status=active&via=unknown")
    assert "28 credentials" in dated.get_data(as_text=True)
    assert "0 credentials" in admin_client.get(
        "/admin/credentials?status=revoked").get_data(as_text=True)


@pytest.mark.parametrize("query, field", [
    ("status=gone", "status"), ("via=fax", "via"), ("sort=password", "sort"),
    ("per_page=100000", "per_page"), ("page=0", "page"), ("page=x", "page"),
    ("issued_from=2026-02-30", "issued_from"), ("issued_from=2026-02-02&issued_to=2026-02-01",
                                                "issued_to"),
    ("achievement=not-an-id", "achievement"), ("issuer=nobody", "issuer"),
    ("direction=sideways", "direction"), ("q=" + "x" * 201, "q"),
])
def test_bad_list_parameters_are_form_messages(admin_client, many, query, field):
    for path in ("/admin/credentials?", "/admin/credentials.csv?"):
        response = admin_client.get(path + query)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, (path, query)
        assert f'id="{field}-error"' in page and 'id="filter-errors"' in page
        assert "No credentials." in page


def test_csv_export_of_the_filtered_list(admin_client, many):
    response = admin_client.get("/admin/credentials.csv?sort=recipient&direction=asc")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 28
    first = rows[0]
    assert first["recipient_name"] == "'@cmd" and first["achievement"] == "'=SQL"
    assert first["status"] == "active" and first["valid_until"]
    assert first["url"].endswith(f"/credentials/{first['id']}")
    only = admin_client.get(f"/admin/credentials.csv?achievement={many['python']}")
    assert len(list(csv.DictReader(io.StringIO(only.get_data(as_text=True))))) == 27
    page = admin_client.get(f"/admin/credentials?achievement={many['python']}")
    assert (f'href="/admin/credentials.csv?achievement={many["python"]}"'
            in page.get_data(as_text=True))


@pytest.mark.parametrize("value, cell", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=x", "'\t=x"), ("plain", "plain"), ("a=b", "a=b"), (None, ""), (3, "3"),
])
def test_csv_cells_cannot_be_formulas(value, cell):
    assert csv_cell(value) == cell


def test_list_and_dashboard_need_sign_in(client):
    for path in ("/admin/", "/admin/credentials", "/admin/credentials.csv"):
        assert client.get(path).status_code == 302


def test_the_admin_form_records_its_path(app, admin_client):
    from tests.service_fixtures import csrf_token

    achievement_id = make_achievement(app)
    response = admin_client.post("/admin/issue", data={
        "csrf_token": csrf_token(admin_client, "/admin/issue"), "achievement": achievement_id,
        "email": "hal@example.org", "name": "Hal"})
    assert response.status_code == 302
    detail = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="issued-via">Admin form<' in detail
    listed = admin_client.get("/admin/credentials?via=admin").get_data(as_text=True)
    assert "1 credential," in listed and "hal@example.org" in listed
