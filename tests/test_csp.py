"""Every page carries a Content-Security-Policy: scripts only from this site (no inline
script, no eval), no plugins, no framing, forms posting only here. Inline styles stay
allowed: the templates colour readings and bars with style attributes. The browser test
(tests/browser/test_csp_pages.py) shows the pages still work under it."""
from __future__ import annotations

import pytest
from django.conf import settings

from tests.factories import UserFactory


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


@pytest.fixture
def office_client(client, db):
    client.force_login(UserFactory(is_superuser=True))
    return client


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/login/", "/admin/plans/task/", "/admin/dashboard/", "/api/docs/", "/api/plans/", "/api/nowhere/", "/healthz", "/nowhere"],
)
def test_every_response_has_the_policy(office_client, path):
    response = office_client.get(path)
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]


def test_anonymous_and_public_pages_too(client, db):
    for path in ["/admin/login/", "/public/plans/999999/", "/calendar/nonsense.ics"]:
        assert "script-src 'self'" in client.get(path)["Content-Security-Policy"], path


def test_the_api_docs_page_has_no_inline_script(office_client):
    html = office_client.get("/api/docs/").content.decode()
    assert "<script>" not in html.replace(" ", "")
    script = office_client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_the_policy_is_a_setting():
    assert settings.CONTENT_SECURITY_POLICY.startswith("default-src 'self'")
