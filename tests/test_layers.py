"""The layers of docs/dev/architecture.md hold: no package imports another's private names,
and no package imports from a layer above its own (imports inside functions count too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "optimlab"

#: Each package's layer; a package may import from its own layer and the ones below.
LAYERS = {
    "checks": 0,
    "files": 0,
    "optim": 1,
    "schedules": 1,
    "ewma": 1,
    "losses": 1,
    "landscapes": 1,
    "data": 1,
    "clip": 2,
    "metrics": 2,
    "models": 2,
    "theory": 2,
    "viz": 2,
    "train": 3,
    "lab": 4,
    "torch": 4,
    "sklearn": 4,
    "play": 4,
    "cli": 5,
    "console": 5,
    "__main__": 5,
}


def package_of(path: Path) -> str:
    relative = path.relative_to(SOURCE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def imports(path: Path) -> list[tuple[int, list[str], list[str]]]:
    """``(line, module parts after 'optimlab', imported names)`` of every optimlab import."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] == "optimlab":
                found.append((node.lineno, parts[1:], [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "optimlab":
                    found.append((node.lineno, parts[1:], []))
    return found


MODULES = sorted(p for p in SOURCE.rglob("*.py") if package_of(p) != "__init__")


def test_every_package_has_a_layer():
    assert {package_of(p) for p in MODULES} <= set(LAYERS)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SOURCE)))
def test_imports_are_public_and_point_down(path):
    own = package_of(path)
    for line, parts, names in imports(path):
        # "from optimlab import checks, files, __version__" names its targets
        targets = [parts[0]] if parts else [n for n in names if n != "__version__"]
        for name in targets:
            where = f"{path.relative_to(SOURCE)}:{line} imports optimlab.{name}"
            assert LAYERS[name] <= LAYERS[own], f"{where}, a layer above {own}"
            if name != own:
                private = [p for p in parts[1:] if p.startswith("_")]
                private += [n for n in names if n.startswith("_") and n != "__version__"]
                assert not private, f"{where}: private names {private}"
