"""Any method to a path the API does not have answers its JSON 404, also a POST from a
browser session without a CSRF token (it was Django's HTML 403 page)."""
from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options"])
@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("path", ["/api/nonexistent/", "/api/nonexistent/1/submit/", "/api/tasks/1/nonsense/x/"])
def test_unknown_api_path_answers_json_404(db, method, signed_in, path):
    client = Client(enforce_csrf_checks=True)
    if signed_in:
        client.force_login(UserFactory())
    body = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
    response = getattr(client, method)(path, **body)
    assert response.status_code == 404, (response.status_code, response.content[:200])
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到 (not found)", "code": "not_found"}
