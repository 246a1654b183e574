"""The apps import each other in one direction only (docs/architecture.md, "Layers and events").

Reads every module of ``src/thudo`` (no import is executed) and fails on:

- an import of another app placed inside a function body (``apps.get_model("<app>", ...)`` counts
  as an import) (the way a cycle used to be hidden),
  except in ``AppConfig.ready``, where Django wants registrations to happen;
- an import of an app that is not below the importing one in :data:`LAYERS`;
- an ``except ImportError`` around an import of a thudo module ("app not installed": every app
  of the platform is installed; an optional dependency between apps is an event or a registry);
- an app missing from :data:`LAYERS` (a new app must be placed before it can import anything).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "thudo"

# Lower number = lower layer; an app imports only apps with a lower number (and itself).
LAYERS: dict[str, int] = {
    "core": 0,
    # services and leaf apps on top of core; they never import each other
    "identity": 1,
    "procedures": 1,
    "signing": 1,  # one signing service: receipts, results, later documents and minutes
    "notifications": 1,  # hears PersonNotified (core.events), knows no publisher
    "security": 1,
    # domain apps
    "dossiers": 2,
    "tasks": 2,  # directives and tasks; sources (documents, meetings, feedback) link by (kind, ref)
    "feedback": 2,  # citizen feedback (phản ánh); beside dossiers, never imports it
    # apps that read the domain apps' data
    "kpi": 3,
    "ops": 3,  # serve/worker commands, health, metrics: reads dossiers' and notifications' tables
    "opendata": 3,  # open-data catalogue: reads core, procedures, kpi; other apps plug in via LIVE_DATASETS
    # pages shell and project wiring
    "web": 4,
    "conf": 5,
    "locale": 5,
}


@dataclass(frozen=True)
class Import:
    module: str  # "thudo/dossiers/views.py"
    line: int
    target: str  # "thudo.signing.papers"
    in_function: str | None  # name of the enclosing function, if any

    @property
    def app(self) -> str:
        return Path(self.module).parts[1]

    @property
    def target_app(self) -> str:
        return self.target.split(".")[1]

    def __str__(self) -> str:
        where = f" (inside {self.in_function}())" if self.in_function else ""
        return f"{self.module}:{self.line} imports {self.target}{where}"


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _absolute(path: Path, node: ast.ImportFrom, root: Path) -> str:
    if node.level == 0:
        return node.module or ""
    package = list(path.relative_to(root).with_suffix("").parts)
    base = package[: len(package) - node.level]
    return ".".join(base + ([node.module] if node.module else []))


def _targets(path: Path, node: ast.AST, root: Path) -> list[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        module = _absolute(path, node, root)
        names = [module] if node.module or node.level == 0 else [f"{module}.{a.name}" for a in node.names]
        if module == "thudo":  # from thudo import kpi
            names = [f"thudo.{alias.name}" for alias in node.names]
    elif (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get_model"
    ):
        # apps.get_model("dossiers", "Dossier") / ("dossiers.Dossier"): an import by another name
        first = node.args[0] if node.args else None
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            return []
        names = [f"thudo.{first.value.split('.')[0]}"]
    else:
        return []
    return [n for n in names if n.startswith("thudo.") and len(n.split(".")) > 1]


def _walk(path: Path, root: Path = SRC) -> tuple[list[Import], list[str]]:
    """Every import of a thudo module in ``path``, and the ``except ImportError`` that guard one."""
    rel = path.relative_to(root).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
    found: list[Import] = []
    guarded: list[str] = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = function
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = child.name if function is None else function
            for target in _targets(path, child, root):
                found.append(Import(rel, child.lineno, target, function))
            if isinstance(child, ast.Try):
                catches = [
                    h
                    for h in child.handlers
                    if isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError")
                ]
                if catches and any(_targets(path, n, root) for stmt in child.body for n in ast.walk(stmt)):
                    guarded.append(f"{rel}:{catches[0].lineno}")
            visit(child, inner)

    visit(tree, None)
    return found, guarded


def _all() -> tuple[list[Import], list[str]]:
    imports: list[Import] = []
    guarded: list[str] = []
    for path in _modules():
        if path.parent == PACKAGE:  # thudo/__init__.py, thudo/__main__.py: the entry point
            continue
        found, caught = _walk(path, SRC)
        imports += found
        guarded += caught
    return imports, guarded


def test_every_app_has_a_place_in_the_layers():
    apps = {p.name for p in PACKAGE.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))}
    assert apps - set(LAYERS) == set(), "place the new app in LAYERS (and in docs/architecture.md)"


def test_no_app_imports_another_inside_a_function_body():
    imports, _guarded = _all()
    hidden = [
        str(i)
        for i in imports
        if i.in_function is not None
        and i.target_app != i.app
        and not (i.in_function == "ready" and i.module.endswith("/apps.py"))
    ]
    assert hidden == [], "use a module-level import (downward) or an event/registry (upward)"


def test_imports_between_apps_go_downward_only():
    imports, _guarded = _all()
    upward = [
        f"{i} — {i.app} (layer {LAYERS[i.app]}) may not import {i.target_app} (layer {LAYERS[i.target_app]})"
        for i in imports
        if i.target_app != i.app and LAYERS[i.target_app] >= LAYERS[i.app]
    ]
    assert upward == [], "an app below cannot import one above: publish an event or register a source"


def test_no_app_imports_kpi_or_notifications():
    """The service index and the notices follow the other apps through events, never imports."""
    imports, _guarded = _all()
    wired = {"conf"}  # the project mounts every app's router and urls
    found = [
        str(i)
        for i in imports
        if i.target_app in ("kpi", "notifications") and i.app not in wired | {i.target_app}
    ]
    assert found == []


def test_no_import_of_the_platform_is_guarded_by_except_import_error():
    _imports, guarded = _all()
    assert guarded == [], "every app of the platform is installed; do not hide an import failure"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "def f():\n    from thudo.kpi.tasks import x\n",
            ["thudo/dossiers/x.py:2 imports thudo.kpi.tasks (inside f())"],
        ),
        ("from thudo import kpi\n", ["thudo/dossiers/x.py:1 imports thudo.kpi"]),
        ("from ..kpi import tasks\n", ["thudo/dossiers/x.py:1 imports thudo.kpi"]),
        ("import thudo.kpi.tasks as t\n", ["thudo/dossiers/x.py:1 imports thudo.kpi.tasks"]),
        (
            "def f():\n    return apps.get_model('kpi', 'Snapshot')\n",
            ["thudo/dossiers/x.py:2 imports thudo.kpi (inside f())"],
        ),
    ],
)
def test_the_checker_sees_every_form_of_import(tmp_path, source, expected):
    """The rule is only as good as the parser: function-body, package, relative and dotted forms."""
    fake = tmp_path / "src"
    (fake / "thudo" / "dossiers").mkdir(parents=True)
    module = fake / "thudo" / "dossiers" / "x.py"
    module.write_text(source, encoding="utf-8")
    found, _guarded = _walk(module, fake)
    assert [str(i) for i in found] == expected


def test_the_checker_sees_a_guarded_import(tmp_path):
    fake = tmp_path / "src"
    (fake / "thudo" / "dossiers").mkdir(parents=True)
    module = fake / "thudo" / "dossiers" / "x.py"
    module.write_text(
        "def f():\n    try:\n        from thudo.kpi import tasks\n    except ImportError:\n        pass\n",
        encoding="utf-8",
    )
    _found, guarded = _walk(module, fake)
    assert guarded == ["thudo/dossiers/x.py:4"]
