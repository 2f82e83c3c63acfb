"""The achievement form's expiry-reminder setting (issue 14, item 4), and that without mail
(no ISSUER_SMTP_URL) the periodic scan uses up no reminder."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from issuer import db, jobs
from issuer.clock import utc_now
from issuer.models import Achievement
from issuer.reminder_models import CredentialReminder, ReminderSetting
from tests.service_fixtures import csrf_token, issue_credential

FORM = {"name": "First Aid", "description": "Knows first aid.",
        "criteria_narrative": "Pass the course.", "image_source": "design"}


def _post(client, path, data):
    return client.post(path, data={"csrf_token": csrf_token(client, path), **data})


def _setting(app):
    with app.app_context():
        row = db.get_session().scalar(select(ReminderSetting))
        return None if row is None else (row.days_before, row.renewal_url)


def test_the_setting_is_saved_shown_and_turned_off(app, admin_client):
    response = _post(admin_client, "/admin/achievements/new",
                     {**FORM, "remind_days": "30", "renewal_url": "https://learn.example/fa"})
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    assert _setting(app) == (30, "https://learn.example/fa")
    path = response.headers["Location"]
    page = admin_client.get(path).get_data(as_text=True)
    assert 'name="remind_days"' in page and 'value="30"' in page
    assert 'value="https://learn.example/fa"' in page
    assert _post(admin_client, path, {**FORM, "remind_days": "0"}).status_code == 302
    assert _setting(app) is None
    assert _post(admin_client, path, {**FORM, "remind_days": ""}).status_code == 302
    assert _setting(app) is None


def test_bad_values_are_form_errors_and_kept(app, admin_client):
    response = _post(admin_client, "/admin/achievements/new",
                     {**FORM, "remind_days": "400", "renewal_url": "ftp://files.example/x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="remind_days-error">Give a number of days from 1 to 365' in page
    assert 'id="renewal_url-error">Give an http(s) URL' in page
    assert 'value="400"' in page and 'value="ftp://files.example/x"' in page
    with app.app_context():
        assert db.get_session().scalar(select(func.count()).select_from(Achievement)) == 0


def test_without_mail_the_scan_claims_nothing(app, admin_client):
    assert not app.config.get("SMTP_URL")
    response = _post(admin_client, "/admin/achievements/new", {**FORM, "remind_days": "30"})
    achievement_id = response.headers["Location"].rsplit("/", 1)[1]
    credential = issue_credential(app, achievement_id,
                                  valid_until=utc_now() + timedelta(days=3))
    assert jobs.run_reminder_scan(app, jobs.jobs_of(app).community.deliver_mail) == 0
    with app.app_context():
        assert db.get_session().scalar(
            select(func.count()).select_from(CredentialReminder)) == 0
    page = admin_client.get(f"/admin/credentials/{credential}").get_data(as_text=True)
    assert 'id="expiry-reminder">Not sent yet: due 30 days before it expires' in page
