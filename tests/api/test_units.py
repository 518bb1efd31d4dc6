"""/api/units/: shared reference data every signed-in account reads."""
from plans.models import UnitKind
from tests.api.conftest import count_queries
from tests.factories import UnitFactory, UserFactory


def test_unit_has_the_contract_fields(api, db):
    collective = UnitFactory(name="鹤壁市各县区政府(管委)", short_name="各县区政府(管委)", jurisdiction="鹤壁市", kind=UnitKind.COLLECTIVE)
    member = UnitFactory(name="浚县人民政府", jurisdiction="鹤壁市", kind=UnitKind.LOCAL_GOVERNMENT)
    collective.members.add(member)
    body = api(UserFactory()).get(f"/api/units/{collective.pk}/").json()
    assert body == {
        "id": collective.pk, "name": "鹤壁市各县区政府(管委)", "short_name": "各县区政府(管委)",
        "jurisdiction": "鹤壁市", "kind": "collective", "members": [member.pk],
    }


def test_every_signed_in_account_lists_all_units(api, db):
    units = {UnitFactory().pk for _ in range(3)}
    response = api(UserFactory()).get("/api/units/")
    assert {row["id"] for row in response.json()["results"]} == units


def test_anonymous_unit_list_is_401(api, db):
    assert api().get("/api/units/").status_code == 401


def test_token_authenticates(api, db):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=UserFactory())
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/units/").status_code == 200


def test_filter_units_by_kind(api, db):
    collective = UnitFactory(kind=UnitKind.COLLECTIVE)
    UnitFactory()
    response = api(UserFactory()).get("/api/units/?kind=collective")
    assert [row["id"] for row in response.json()["results"]] == [collective.pk]


def test_filter_units_by_jurisdiction(api, db):
    fujian = UnitFactory(jurisdiction="福建省")
    UnitFactory(jurisdiction="鹤壁市")
    response = api(UserFactory()).get("/api/units/?jurisdiction=福建省")
    assert [row["id"] for row in response.json()["results"]] == [fujian.pk]


def test_unknown_unit_is_404(api, db):
    assert api(UserFactory()).get("/api/units/999999/").status_code == 404


def test_units_are_read_only(api, db):
    assert api(UserFactory(is_superuser=True)).post("/api/units/", {"name": "新单位"}).status_code == 405


def test_unit_list_runs_the_same_queries_for_3_and_12_rows(api, db):
    for _ in range(12):
        collective = UnitFactory(kind=UnitKind.COLLECTIVE)
        collective.members.add(UnitFactory())
    client = api(UserFactory())
    assert count_queries(client, "/api/units/?page_size=3") == count_queries(client, "/api/units/?page_size=12")
