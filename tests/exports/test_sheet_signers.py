"""The progress sheet's footer names the people who answer for it, from their profiles."""
from plans import services
from tests.exports.conftest import load, plan_bytes, unit_bytes


def footer_of(data: bytes) -> str:
    sheet = load(data).worksheets[0]
    texts = [str(sheet.cell(row, 1).value or "") for row in range(1, sheet.max_row + 1)]
    return next(text for text in texts if text.startswith("单位负责人"))


def name(world, key: str, person: str, phone: str = "", position: str = ""):
    user = world.users[key]
    services.profile_save(user=user, account=user, name=person, phone=phone, position=position)


def test_a_units_sheet_is_signed_by_its_leader_and_the_official_who_downloads_it(sheet_world):
    name(sheet_world, "leader_A", "张伟", "0392-3301111", "副局长")
    name(sheet_world, "official_A", "李娜", "0392-3302222")

    footer = footer_of(unit_bytes(sheet_world, "A"))

    assert footer.startswith("单位负责人：张伟　")
    assert "填报人：李娜　" in footer and "联系电话：0392-3302222" in footer
    assert "审核人：　　" in footer  # the office signs by hand
    assert "official_A" not in footer and "leader_A" not in footer


def test_a_leader_downloading_names_the_units_official_and_the_leader(sheet_world):
    name(sheet_world, "leader_B", "王强")
    name(sheet_world, "official_B", "赵敏", "0392-3303333")

    footer = footer_of(unit_bytes(sheet_world, "B", user=sheet_world.users["leader_B"]))

    assert footer.startswith("单位负责人：王强　") and "填报人：赵敏　" in footer and "0392-3303333" in footer


def test_accounts_without_a_name_leave_the_blanks_to_fill_by_hand(sheet_world):
    footer = footer_of(unit_bytes(sheet_world, "A"))

    assert footer.startswith("单位负责人：　　　　　　审核人：")
    assert "official_A" not in footer


def test_the_plans_sheet_is_signed_by_the_office_person_who_made_it(sheet_world):
    name(sheet_world, "office", "陈静", "0392-3304444", "督查室主任")

    footer = footer_of(plan_bytes(sheet_world))

    assert "填报人：陈静　" in footer and "联系电话：0392-3304444" in footer
    assert footer.startswith("单位负责人：　　")
