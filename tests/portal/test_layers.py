"""The layer contract in pyproject.toml is enforced: `make lint` runs import-linter, and an
import that points up the layers breaks it."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
APPS = [
    "portal",
    "meetups",
    "members",
    "rsvp",
    "cfp",
    "live",
    "notify",
    "feedback",
    "reminders",
    "organise",
]


def _lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)},
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path):
    """A copy of the apps' Python files and the contract, to break on purpose."""
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("templates"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_layers_contract_lists_every_app_of_the_portal():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    assert config["root_packages"] == APPS
    (contract,) = config["contracts"]
    assert contract["layers"] == [
        "organise",
        "feedback | reminders",
        "live | cfp | notify",
        "rsvp",
        "members",
        "meetups",
        "portal",
    ]


def test_layers_contract_kept_by_the_code_as_it_is(tree):
    result = _lint(tree)
    assert result.returncode == 0, result.stdout
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_way"),
    [
        ("meetups/models.py", "import rsvp.models"),  # the base app learning of one above it
        ("rsvp/selectors.py", "from cfp import selectors"),
        ("cfp/services/voting.py", "from live import services"),  # siblings stay independent
        ("live/views.py", "from organise import selectors"),
        ("portal/errors.py", "import meetups.models"),
    ],
)
def test_layers_contract_broken_by_an_import_up_the_layers(tree, module, wrong_way):
    path = tree / module
    path.write_text(path.read_text() + f"\n{wrong_way}  # noqa\n")
    result = _lint(tree)
    assert result.returncode == 1, result.stdout
    assert "0 kept, 1 broken" in result.stdout
