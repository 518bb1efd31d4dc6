"""The OpenAPI schema is generated from the code, valid, and served with its docs page."""
import pytest
from django.core.management import call_command


def test_schema_generates_valid_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    text = (tmp_path / "schema.yml").read_text(encoding="utf-8")
    assert "/api/reports/{id}/submit/" in text and "If-Match" in text


@pytest.mark.django_db
def test_docs_page_is_served_from_this_site(admin_client):
    response = admin_client.get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn." not in html
