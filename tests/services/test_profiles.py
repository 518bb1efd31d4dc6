"""A person's name, position and phone: set by the person or a superuser, shown instead of the login."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from plans import services
from plans.models import Profile, person_label
from tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_person_names_themself_and_is_then_shown_by_name_and_unit():
    official = MembershipFactory(user=UserFactory(username="u-official"), unit=UnitFactory(short_name="市发改委")).user

    services.profile_save(user=official, account=official, name=" 张伟 ", position="科员", phone="0392-3300000")

    assert Profile.objects.get(user=official).name == "张伟"
    assert str(official) == "张伟（市发改委）"


def test_another_person_cannot_change_someones_details_and_nothing_is_stored():
    official, other = UserFactory(username="a"), UserFactory(username="b")

    with pytest.raises(PermissionDenied, match="只能修改本人的信息"):
        services.profile_save(user=other, account=official, name="冒名")

    assert not Profile.objects.filter(user=official).exists()


def test_a_superuser_names_any_account_and_an_unknown_field_is_refused():
    admin, account = UserFactory(username="root", is_superuser=True), UserFactory(username="c")

    services.profile_save(user=admin, account=account, name="李娜", position="督查室主任")
    with pytest.raises(ValidationError):
        services.profile_save(user=admin, account=account, name="李娜", username="x")

    assert str(account) == person_label(account) == "李娜（督查室主任）"


def test_an_empty_name_is_refused_and_an_unnamed_account_shows_its_login():
    account = UserFactory(username="d")

    with pytest.raises(ValidationError):
        services.profile_save(user=account, account=account, name="  ")

    assert str(account) == "d"
