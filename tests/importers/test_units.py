"""Unit lists: splitting, shared prefixes, kinds, official names and aliases."""
import pytest

from plans.importers.units import canonical_unit_name, looks_like_unit, split_units, unit_aliases, unit_kind


def test_split_mixed_separators_and_trailing_full_stop():
    assert split_units("市发改委,各县区政府(管委)。") == ["市发改委", "各县区政府(管委)"]


def test_split_shares_written_prefix():
    assert split_units("市财政局、商务局。") == ["市财政局", "市商务局"]


def test_split_never_inside_names_with_he():
    assert split_units("市发改委、工业和信息化委员会、环保局") == ["市发改委", "市工业和信息化委员会", "市环保局"]
    assert split_units("市住房和城乡建设局、环保局") == ["市住房和城乡建设局", "市环保局"]


def test_split_at_he_between_two_units():
    assert split_units("市环保局和财政局") == ["市环保局", "市财政局"]


def test_split_at_ji_between_two_units():
    assert split_units("各县区政府及市直有关部门") == ["各县区政府", "市直有关部门"]


def test_split_provincial_prefix_shared():
    assert split_units("省工信厅、发改委") == ["省工信厅", "省发改委"]


def test_split_after_etc_and_a_conjunction():
    """National plans: "X、Y等和各有关省级人民政府负责": the others, then the local governments."""
    assert split_units("商务部、供销合作总社等和各有关省级人民政府") == ["商务部", "供销合作总社", "各有关省级人民政府"]
    assert split_units("海关总署和财政部") == ["海关总署", "财政部"]


def test_split_with_huitong():
    """"X会同Y": X and Y, X first; "会同有关部门" only says "and others"."""
    assert split_units("国家发展改革委会同有关部门") == ["国家发展改革委"]
    assert split_units("财政部会同教育部、人力资源社会保障部") == ["财政部", "教育部", "人力资源社会保障部"]


def test_and_other_departments_and_units_are_no_unit():
    assert split_units("人力资源社会保障部等有关部门和单位") == ["人力资源社会保障部"]
    assert split_units("财政部、民政部等部门及单位") == ["财政部", "民政部"]


def test_a_list_closing_with_the_other_departments_drops_them_and_a_collective_of_levels_stays_whole():
    assert split_units("区发改局、区审改办，区级相关部门") == ["区发改局", "区审改办"]
    assert split_units("区发改局、各街道、各相关单位") == ["区发改局", "各街道"]
    assert split_units("各相关单位") == ["各相关单位"]  # the only party named: kept
    assert split_units("市经信局、滁州经开区管委会等，各县、市、区政府") == ["市经信局", "滁州经开区管委会", "各县、市、区政府"]


def test_each_goes_with_every_level_named_after_it():
    assert split_units("市教育局、各区、县级市") == ["市教育局", "各区", "各县级市"]
    assert split_units("市科协、各有关区、县级市") == ["市科协", "各有关区", "各有关县级市"]
    assert split_units("市工商局、团市委") == ["市工商局", "团市委"]
    assert split_units("市委组织部、各有关单位，各区") == ["市委组织部", "各区"]
    assert split_units("各有关单位，各区、县级市") == ["各有关单位", "各区", "各县级市"]  # no named unit before it
    assert split_units("各县、市、区人民政府") == ["各县、市、区人民政府"]


def test_a_convention_written_beside_a_unit_is_no_part_of_its_name():
    assert split_units("市发改委、市财政局（第一责任单位为牵头单位，下同）") == ["市发改委", "市财政局"]


def test_a_conjunction_after_departments_splits_but_not_before_a_bare_noun():
    assert split_units("市级各有关部门及各县市区政府") == ["市级各有关部门", "各县市区政府"]
    assert split_units("各有关部门和单位") == ["各有关部门和单位"]


def test_split_semicolons():
    assert split_units("市公安局；交通运输局;环保局") == ["市公安局", "市交通运输局", "市环保局"]


def test_split_strips_deng_bumen_and_deng_danwei():
    assert split_units("省发改委、工信厅等部门") == ["省发改委", "省工信厅"]
    assert split_units("福州海关、厦门海关等单位") == ["福州海关", "厦门海关"]
    assert split_units("省商务厅等") == ["省商务厅"]


def test_split_latest_written_prefix_is_in_force():
    text = "国家金融监督管理总局福建监管局、省委金融办、省商务厅、财政厅、中国人民银行福建省分行，各有关金融机构"
    assert split_units(text) == [
        "国家金融监督管理总局福建监管局",
        "省委金融办",
        "省商务厅",
        "省财政厅",
        "中国人民银行福建省分行",
        "各有关金融机构",
    ]


def test_split_no_prefix_on_units_with_a_place_name():
    text = "市广播电视台、鹤壁日报社、移动鹤壁分公司、联通鹤壁分公司、电信鹤壁分公司。"
    assert split_units(text) == ["市广播电视台", "鹤壁日报社", "移动鹤壁分公司", "联通鹤壁分公司", "电信鹤壁分公司"]


def test_split_no_prefix_on_customs_and_branches():
    text = "省商务厅、财政厅、中国人民银行福建省分行、外汇管理局福建省分局、外汇管理局厦门市分局"
    assert split_units(text) == ["省商务厅", "省财政厅", "中国人民银行福建省分行", "外汇管理局福建省分局", "外汇管理局厦门市分局"]
    assert split_units("省发改委、福州海关、中国信保福建分公司") == ["省发改委", "福州海关", "中国信保福建分公司"]


def test_split_no_prefix_on_enterprises_and_banks():
    assert split_units("市发改委、兴业银行、国网公司") == ["市发改委", "兴业银行", "国网公司"]


def test_split_market_regulator_gets_prefix_not_treated_as_prefix():
    assert split_units("省林业局、市场监管局") == ["省林业局", "省市场监管局"]


def test_split_accepts_caller_place_names():
    assert split_units("市环保局、淇县环保分局", place_names=("淇县",)) == ["市环保局", "淇县环保分局"]


def test_split_default_prefix():
    assert split_units("发改委、财政局", "市") == ["市发改委", "市财政局"]


def test_split_removes_line_break_artefacts():
    assert split_units("省工信厅、科\n技厅、商 务厅") == ["省工信厅", "省科技厅", "省商务厅"]


def test_split_no_duplicates_in_written_order():
    assert split_units("市环保局、市财政局、环保局") == ["市环保局", "市财政局"]


def test_split_keeps_collective_units_as_written():
    assert split_units("各县区政府(管委),市大气污染防治联席会议成员单位。") == [
        "各县区政府(管委)",
        "市大气污染防治联席会议成员单位",
    ]


def test_split_drops_lead_marker():
    assert split_units("市发改委（牵头）、财政局") == ["市发改委", "市财政局"]


@pytest.mark.parametrize(
    "name, kind",
    [
        ("市环保局", "department"),
        ("省商务厅", "department"),
        ("市工业和信息化委员会", "department"),
        ("省市场监管局", "department"),
        ("平潭综合实验区管委会", "local_government"),
        ("淇县人民政府", "local_government"),
        ("福州海关", "central_branch"),
        ("国家金融监督管理总局福建监管局", "central_branch"),
        ("中国人民银行福建省分行", "central_branch"),
        ("外汇管理局福建省分局", "central_branch"),
        ("厦门市税务局", "central_branch"),
        ("市气象局", "central_branch"),
        ("中国信保福建分公司", "enterprise"),
        ("兴业银行", "enterprise"),
        ("移动鹤壁分公司", "enterprise"),
        ("鹤壁日报社", "media"),
        ("市广播电视台", "media"),
        ("各县区政府(管委)", "collective"),
        ("各设区市人民政府", "collective"),
        ("市大气污染防治联席会议成员单位", "collective"),
        ("各有关金融机构", "collective"),
        ("省委金融办", "party"),
        ("中共福建省委金融委员会办公室", "party"),
        ("行业协会会员", "other"),
    ],
)
def test_unit_kind(name, kind):
    assert unit_kind(name) == kind


@pytest.mark.parametrize(
    "name, jurisdiction, canonical",
    [
        ("市发改委", "鹤壁市", "鹤壁市发展和改革委员会"),
        ("省工信厅", "福建省", "福建省工业和信息化厅"),
        ("市环保局", "鹤壁市", "鹤壁市环境保护局"),
        ("市工业和信息化委员会", "鹤壁市", "鹤壁市工业和信息化委员会"),
        ("市住房和城乡建设局", "鹤壁市", "鹤壁市住房和城乡建设局"),
        ("市质监局", "鹤壁市", "鹤壁市质量技术监督局"),
        ("市事管局", "鹤壁市", "鹤壁市机关事务管理局"),
        ("省市场监管局", "福建省", "福建省市场监督管理局"),
        ("省卫健委", "福建省", "福建省卫生健康委员会"),
        ("省委金融办", "福建省", "中共福建省委金融委员会办公室"),
        ("省税务局", "福建省", "国家税务总局福建省税务局"),
        ("发改委", "鹤壁市", "鹤壁市发展和改革委员会"),
        ("福建省发改委", "福建省", "福建省发展和改革委员会"),
        ("福州海关", "福建省", "福州海关"),
        ("厦门市税务局", "福建省", "厦门市税务局"),
        ("各县区政府(管委)", "鹤壁市", "各县区政府(管委)"),
        ("鹤壁日报社", "鹤壁市", "鹤壁日报社"),
        ("省环保厅", "鹤壁市", "省环境保护厅"),
    ],
)
def test_canonical_unit_name(name, jurisdiction, canonical):
    assert canonical_unit_name(name, jurisdiction) == canonical


def test_aliases_resolve_written_short_and_full_forms_to_one_unit():
    spellings = ["市发改委", "发改委", "鹤壁市发展和改革委员会"]
    alias_sets = [set(unit_aliases(name, "鹤壁市")) for name in spellings]
    for aliases in alias_sets:
        assert set(spellings) <= aliases
        assert "鹤壁市发展和改革委员会" in aliases


def test_aliases_start_with_written_name_then_canonical():
    assert unit_aliases("省工信厅", "福建省")[:2] == ["省工信厅", "福建省工业和信息化厅"]


def test_aliases_of_party_office():
    assert {"省委金融办", "中共福建省委金融委员会办公室"} <= set(unit_aliases("省委金融办", "福建省"))


def test_looks_like_unit_rejects_sentences():
    assert looks_like_unit("省商务厅")
    assert not looks_like_unit("含自备机组")
    assert not looks_like_unit("市场主体，个人")


def test_the_other_departments_of_the_level_just_named_are_no_unit_of_their_own():
    assert split_units("区经济发展局、人民银行平潭支行、区直各相关单位") == ["区经济发展局", "人民银行平潭支行"]
    assert split_units("各县区政府及市直有关部门") == ["各县区政府", "市直有关部门"]


def test_a_vertically_managed_office_does_not_take_the_shared_prefix():
    assert split_units("区财政金融局、银监办、通信管理办") == ["区财政金融局", "银监办", "通信管理办"]


def test_a_unit_with_its_alias_in_brackets_reads_as_a_unit_and_takes_the_shared_prefix():
    assert looks_like_unit("智慧岛服务管理中心（区数字办）")
    assert split_units("区行政审批局、智慧岛服务管理中心（区数字办）") == ["区行政审批局", "区智慧岛服务管理中心（区数字办）"]


def test_a_body_the_gazetteer_knows_reads_as_a_unit_though_its_name_ends_unlike_a_department():
    assert looks_like_unit("供销合作总社") and looks_like_unit("国家开发银行")
    assert not looks_like_unit("财政资金") and not looks_like_unit("市场主体")


def test_units_run_together_in_one_cell_are_split_by_the_gazetteer_but_a_department_of_a_body_is_not():
    assert split_units("区行政审批局区交通建设局") == ["区行政审批局", "区交通建设局"]
    assert split_units("县农业农村局县水利局县林业局") == ["县农业农村局", "县水利局", "县林业局"]
    assert split_units("区党工委党群工作部、区经济发展局") == ["区党工委党群工作部", "区经济发展局"]


def test_units_run_together_are_cut_where_the_next_one_names_its_level():
    assert split_units("各片区（乡镇、街道）区党工委党群工作部区社会事业局") == ["各片区（乡镇、街道）", "区党工委党群工作部", "区社会事业局"]
    assert split_units("市生态环境局淇滨区分局") == ["市生态环境局淇滨区分局"]
