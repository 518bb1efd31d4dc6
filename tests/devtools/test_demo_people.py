"""Demo accounts are people: each has a name, a position and a phone, kept when edited."""
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from devtools.demo import demo_accounts_ensure, demo_person
from plans import services
from plans.models import Profile, person_label


@pytest.fixture
def demo(db):
    call_command("load_seed_plans", verbosity=0)
    return demo_accounts_ensure()


def test_every_demo_account_has_a_plausible_name_position_and_phone(demo):
    users = get_user_model().objects.filter(username__in=[account["username"] for account in demo])
    profiles = {profile.user_id: profile for profile in Profile.objects.filter(user__in=users)}

    assert len(profiles) == len(demo) > 100
    for profile in profiles.values():
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}", profile.name), profile.name
        assert profile.position and re.fullmatch(r"0\d{3}-\d{7}", profile.phone)
    names = [profile.name for profile in profiles.values()]
    assert len(set(names)) > 0.8 * len(names)  # people, not one name repeated
    assert {account["name"] for account in demo} == set(names)


def test_a_unit_account_reads_as_its_name_and_unit_not_its_login(demo):
    account = next(account for account in demo if account["role"] == "leader")
    user = get_user_model().objects.get(username=account["username"])

    assert str(user) == person_label(user) == f"{account['name']}（{user.membership.unit}）"
    assert account["username"] not in str(user)


def test_a_name_the_office_changed_is_kept_when_the_demo_runs_again(demo):
    user = get_user_model().objects.get(username=demo[1]["username"])
    services.profile_save(user=user, account=user, name="周正", phone="0392-1234567")

    again = demo_accounts_ensure()

    assert Profile.objects.get(user=user).name == "周正"
    assert next(a for a in again if a["username"] == user.username)["name"] == "周正"


def test_the_same_username_is_always_the_same_person():
    assert demo_person("uabc123-leader", "leader") == demo_person("uabc123-leader", "leader")
    assert demo_person("uabc123-leader", "leader")["position"] in ("副局长", "副主任", "党组成员、副局长", "副县长", "局长")
