"""The layout ARCHITECTURE.md describes, held by reading the source (no imports run): the
layers import only downwards, no import cycle, no private name imported across modules,
modules small enough to read in one sitting, and domain data written only by plans.services."""
import ast
import re
from collections import defaultdict
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("plans", "devtools", "tracker")
MAX_LINES = 500

# What each part of the code may not import (ARCHITECTURE.md, "What may import what").
INTERFACES = (
    "plans.admin", "plans.api", "plans.views", "plans.management", "plans.middleware", "plans.urls", "plans.jobs",
    "plans.import_jobs",
)
FORBIDDEN = {
    "plans.models": ("plans.services", "plans.selectors", "plans.permissions", "plans.exports", "plans.importers", *INTERFACES),
    "plans.importers": ("plans.services", "plans.selectors", *INTERFACES),
    "plans.exports": ("plans.services", "plans.selectors", *INTERFACES),
    "plans.selectors": ("plans.services", "plans.exports", "plans.importers", *INTERFACES),
    "plans.permissions": ("plans.services", "plans.selectors", "plans.exports", "plans.importers", *INTERFACES),
    "plans.services": INTERFACES,
    "plans.admin": ("plans.api", "plans.views"),
    "plans.api": ("plans.admin", "plans.views"),
    "plans": ("devtools",),
}
for read_model in (
    "rollup", "indicators", "dashboard", "public", "feeds", "reminders", "progress", "periods", "measures", "history",
    "timeline",
):
    FORBIDDEN[f"plans.{read_model}"] = ("plans.services", "plans.exports", "plans.importers", *INTERFACES)

# The few writes outside plans.services, none of domain data.
WRITES_ALLOWED = {
    ("plans/login_limits.py", "delete"): "failed-login records of django-axes (access control, not domain data)",
    ("plans/roles.py", "get_or_create"): "the permission groups, set up after migrate",
    ("plans/views/sheets.py", "save"): "SheetUploadForm.save, which calls services.sheet_upload",
}
ORM_WRITES = {"update", "delete", "create", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    }


@cache
def tree(name: str) -> ast.Module:
    return ast.parse(modules()[name].read_text(encoding="utf-8"))


def project_module(name: str) -> str | None:
    """The project module `name` is, or lies in (a name imported from a module)."""
    while name and name not in modules():
        name = name.rpartition(".")[0]
    return name or None


def imports(name: str) -> list[tuple[str, str, int]]:
    """(module imported, name taken from it or "", line) for each project import of `name`."""
    package = name if modules()[name].name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree(name)):
        if isinstance(node, ast.Import):
            found += [(project_module(alias.name), "", node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in modules():
                    found.append((submodule, "", node.lineno))
                else:
                    found.append((project_module(base), alias.name, node.lineno))
    return [(target, taken, line) for target, taken, line in found if target and target != name]


def within(name: str, part: str) -> bool:
    return name == part or name.startswith(part + ".")


def test_each_part_imports_only_the_layers_below_it():
    wrong = [
        f"{name}:{line} imports {target}"
        for name in modules()
        for target, _taken, line in imports(name)
        for part, forbidden in FORBIDDEN.items()
        if within(name, part) and any(within(target, below) for below in forbidden)
    ]
    assert not wrong, wrong


def test_no_import_cycle():
    graph = {name: {target for target, _taken, _line in imports(name)} for name in modules()}
    index, low, stack, on_stack, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(node):  # Tarjan's strongly connected components
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    assert not cycles, cycles


def test_no_private_name_is_imported_from_another_module():
    private = [
        f"{name}:{line} takes {taken} from {target}"
        for name in modules()
        for target, taken, line in imports(name)
        if taken.startswith("_") and not taken.startswith("__")
    ]
    assert not private, private


def test_every_module_reads_in_one_sitting():
    """The application, the dev tooling and the benchmark scripts (tests are not held to it)."""
    scripts = sorted((ROOT / "benchmarks").rglob("*.py"))
    long = {
        path.relative_to(ROOT).as_posix(): lines
        for path in [*modules().values(), *scripts]
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, long


def _receiver(node: ast.AST) -> str:
    return ast.unparse(node)


def test_domain_data_is_written_only_by_the_services():
    """ORM writes (Model.objects….update/delete/create…) and argument-less save()/delete()
    calls on rows, anywhere in plans/ but the services and the models themselves."""
    found = set()
    for name, path in modules().items():
        if not within(name, "plans") or within(name, "plans.services") or within(name, "plans.models"):
            continue
        for node in ast.walk(tree(name)):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            method, receiver = node.func.attr, _receiver(node.func.value)
            orm = method in ORM_WRITES and re.search(r"\bobjects\b|\.filter\(|\.exclude\(|\.all\(\)", receiver)
            row = method in {"save", "delete"} and not node.args and not node.keywords
            if orm or row or method in {"bulk_create_with_history", "get_or_create", "update_or_create"}:
                found.add((path.relative_to(ROOT).as_posix(), method, node.lineno))
    unexplained = sorted(f"{path}:{line} .{method}()" for path, method, line in found if (path, method) not in WRITES_ALLOWED)
    assert not unexplained, unexplained
    assert {(path, method) for path, method, _line in found} == set(WRITES_ALLOWED)  # the list stays true


def test_the_checks_see_the_code():
    """Control: the readers find the app's modules and their imports (a wrong root or parser
    would pass every test above)."""
    assert {"plans.models", "plans.services", "plans.admin.tasks", "devtools.scale"} <= set(modules())
    assert ("plans.services.common", "deny", ) in {(target, taken) for target, taken, _line in imports("plans.services.structure")}
    graph = defaultdict(set)
    for name in modules():
        graph[name] = {target for target, _taken, _line in imports(name)}
    assert "plans.models" in {target for name in graph for target in graph[name] if within(name, "plans.services")}
