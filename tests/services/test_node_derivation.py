"""services.node_create and node_update derive a node's place in its plan's tree: its level
(one below its parent), its path (its parent's and its label) and its position (after the
plan's last live node), unless the caller gives them, as the importer and devtools do."""
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from plans import services
from plans.models import NodeKind, Task
from tests.factories import PlanFactory, SectionFactory, TaskFactory


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "pw")


@pytest.fixture
def plan(db):
    return PlanFactory()


@pytest.fixture
def tree(plan):
    top = SectionFactory(plan=plan, label="三、", path="三、", level=1, position=0)
    middle = SectionFactory(plan=plan, parent=top, label="(一)", path="三、(一)", level=2, position=1)
    task = TaskFactory(plan=plan, parent=middle, label="1.", path="三、(一)1.", level=3, position=2)
    leaf = TaskFactory(plan=plan, parent=task, label="(1)", path="三、(一)1.(1)", level=4, position=3)
    other = SectionFactory(plan=plan, label="四、", path="四、", level=1, position=4)
    return {"top": top, "middle": middle, "task": task, "leaf": leaf, "other": other}


def place(node):
    node = Task.objects.get(pk=node.pk)
    return node.path, node.level, node.position


def test_a_new_task_under_a_section_is_one_level_below_it_after_the_plans_last_node(root, plan, tree):
    task = services.node_create(
        user=root, plan=plan, kind=NodeKind.TASK, parent=tree["middle"], label="2.", title="新增任务",
    )

    assert place(task) == ("三、(一)2.", 3, 5)


def test_a_new_node_without_a_parent_is_at_the_top_and_an_unlabelled_one_shares_its_parents_path(root, plan, tree):
    section = services.node_create(user=root, plan=plan, kind=NodeKind.SECTION, label="五、", title="保障措施")
    paragraph = services.node_create(user=root, plan=plan, kind=NodeKind.TASK, parent=section, title="无编号段落")

    assert place(section) == ("五、", 1, 5)
    assert place(paragraph) == ("五、", 2, 6)


def test_the_first_node_of_an_empty_plan_is_at_position_0(root, plan):
    assert place(services.node_create(user=root, plan=plan, kind=NodeKind.SECTION, label="一、", title="总体要求")) == (
        "一、", 1, 0,
    )


def test_a_new_node_goes_after_the_live_nodes_not_after_those_a_revision_retired(root, plan, tree):
    TaskFactory(plan=plan, position=services.structure.RETIRED_POSITION + 77, is_active=False)

    task = services.node_create(user=root, plan=plan, kind=NodeKind.TASK, parent=tree["other"], label="(一)", title="新")

    assert place(task) == ("四、(一)", 2, 5)


def test_values_a_caller_gives_are_kept(root, plan, tree):
    task = services.node_create(
        user=root, plan=plan, kind=NodeKind.TASK, parent=tree["middle"], label="2.", path="三、(一)第2项", level=5,
        position=40, title="给定的位置",
    )

    assert place(task) == ("三、(一)第2项", 5, 40)


def test_a_new_label_renumbers_the_node_and_everything_below_it(root, tree):
    before = Task.objects.get(pk=tree["leaf"].pk).version

    services.node_update(user=root, node=tree["middle"], label="(二)")

    assert place(tree["middle"]) == ("三、(二)", 2, 1)
    assert place(tree["task"]) == ("三、(二)1.", 3, 2)
    assert place(tree["leaf"]) == ("三、(二)1.(1)", 4, 3)
    assert Task.objects.get(pk=tree["leaf"].pk).version == before + 1  # saved with its history, not behind it


def test_a_new_parent_re_derives_level_and_path_and_the_subtree_keeps_its_shape(root, tree):
    services.node_update(user=root, node=tree["task"], parent=tree["other"])

    assert place(tree["task"]) == ("四、1.", 2, 2)
    assert place(tree["leaf"]) == ("四、1.(1)", 3, 3)
    assert place(tree["middle"]) == ("三、(一)", 2, 1)


def test_moving_a_node_to_the_top_makes_it_level_1(root, tree):
    services.node_update(user=root, node=tree["task"], parent=None, label="六、")

    assert place(tree["task"]) == ("六、", 1, 2)
    assert place(tree["leaf"]) == ("六、(1)", 2, 3)


def test_an_edit_of_the_text_leaves_a_path_the_importer_wrote_as_it_is(root, plan):
    task = TaskFactory(plan=plan, label="1.", path="三、(一)1.", level=3, position=9)  # its parent not in the tree

    services.node_update(user=root, node=task, title="新的标题", text="正文")

    assert place(task) == ("三、(一)1.", 3, 9)


def test_a_path_or_level_given_with_a_new_parent_is_kept_and_followed_below(root, tree):
    services.node_update(user=root, node=tree["task"], parent=tree["other"], path="四、第一项", level=2)

    assert place(tree["task"]) == ("四、第一项", 2, 2)
    assert place(tree["leaf"]) == ("四、第一项(1)", 3, 3)


def test_a_parent_from_another_plan_is_refused(root, plan, tree):
    elsewhere = SectionFactory(plan=PlanFactory(), label="一、", path="一、")

    with pytest.raises(ValidationError, match="上级须属于同一行动方案"):
        services.node_create(user=root, plan=plan, kind=NodeKind.TASK, parent=elsewhere, label="1.", title="错")
    with pytest.raises(ValidationError, match="上级须属于同一行动方案"):
        services.node_update(user=root, node=tree["task"], parent=elsewhere)

    assert not Task.objects.filter(title="错").exists()
    assert Task.objects.get(pk=tree["task"].pk).parent_id == tree["middle"].pk


@pytest.mark.parametrize("below", ["task", "leaf"])
def test_a_node_cannot_be_put_under_itself_or_its_own_descendant(root, tree, below):
    with pytest.raises(ValidationError, match="上级不能是本身或其下级"):
        services.node_update(user=root, node=tree["task"], parent=tree[below])

    assert place(tree["task"]) == ("三、(一)1.", 3, 2)


def test_a_node_with_children_stays_in_its_plan(root, tree):
    with pytest.raises(ValidationError, match="有下级的节点不能移到其他方案"):
        services.node_update(user=root, node=tree["middle"], plan=PlanFactory(), parent=None)


def test_a_childless_node_moved_to_another_plan_goes_after_that_plans_nodes(root, tree):
    target = PlanFactory()
    SectionFactory(plan=target, label="一、", path="一、", position=0)

    services.node_update(user=root, node=tree["leaf"], plan=target, parent=None, label="二、")

    assert place(tree["leaf"]) == ("二、", 1, 1)
