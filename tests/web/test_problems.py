"""Errors become problem details (JSON) or a plain page; internals never reach the client."""

from __future__ import annotations

import logging

import pytest

from issuer import create_app
from issuer.errors import ValidationFailed


@pytest.fixture
def failing_app(app_config):
    app = create_app(app_config)

    @app.get("/_boom")
    def _boom():
        raise RuntimeError("internal secret detail")

    @app.get("/_invalid")
    def _invalid():
        raise ValidationFailed({"email": "Enter a valid email address."})

    return app


def test_unexpected_error_is_a_generic_500_and_logged(failing_app, caplog):
    client = failing_app.test_client()
    with caplog.at_level(logging.ERROR):
        response = client.get("/_boom", headers={"Accept": "application/json"})
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["title"] == "Internal Server Error" and body["status"] == 500
    assert "secret" not in response.get_data(as_text=True)
    assert "internal secret detail" in caplog.text  # for the operator, not the client
    page = client.get("/_boom")
    assert page.status_code == 500 and page.mimetype == "text/html"
    assert "secret" not in page.get_data(as_text=True)


def test_validation_errors_list_their_fields(failing_app):
    response = failing_app.test_client().get("/_invalid", headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"email": "Enter a valid email address."}
