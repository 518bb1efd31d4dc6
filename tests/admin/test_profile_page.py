"""我的信息: a person names themself; the header then greets them by name and unit."""
import pytest
from django.urls import reverse

from plans.models import Profile
from tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def official(client):
    user = MembershipFactory(user=UserFactory(username="u-7f3a-official"), unit=UnitFactory(short_name="市环保局")).user
    client.force_login(user)
    return user


def test_a_person_saves_their_name_and_the_header_shows_it_not_the_login(client, official):
    response = client.post(reverse("profile"), {"name": "王芳", "position": "科员", "phone": "0392-3312345"})

    assert response.status_code == 302
    assert Profile.objects.get(user=official).phone == "0392-3312345"
    page = client.get(reverse("inbox")).content.decode()
    assert "王芳（市环保局）" in page and "u-7f3a-official" not in page


def test_an_empty_name_is_refused_with_the_form_and_nothing_is_stored(client, official):
    response = client.post(reverse("profile"), {"name": "", "phone": "123"})

    assert response.status_code == 200 and response.context["form"].errors["name"]
    assert not Profile.objects.filter(user=official).exists()


def test_the_page_changes_only_ones_own_details(client, official):
    other = UserFactory(username="someone-else")

    client.post(reverse("profile"), {"name": "王芳", "user": other.pk})

    assert not Profile.objects.filter(user=other).exists()
    assert Profile.objects.get(user=official).name == "王芳"
