"""`make mutation`: mutmut 3 as configured in pyproject.toml, with three changes.

1. The rules' predicates are mutated too. mutmut 3 leaves every decorated function alone (a
   decorator may register the function, so copying it once per mutant could register it
   again). Most of each app's `rules.py` is functions decorated with `@rules.predicate`, which
   only wraps them; here such a function is mutated like an undecorated one (the decorator
   stays on the trampoline that picks the active mutant), and the trampoline carries the
   function's signature, because django-rules counts a predicate's parameters to decide what
   to pass it (`has_perm(perm)` without an object passes `None` for it).
2. A mutant of an app is judged by that app's tests only (tests/<app>/ of those mutmut saw
   reach the mutated function): the portal's structural tests and the other apps' pages reach
   almost every rule, and running them for every surviving mutant would take an hour here.
3. The tests run fastest first, so a mutant dies in the first second where it can.
4. The process every run forks from also builds the test database once (tests/mutmut_db.py)
   and then freezes its objects, so a run neither builds its own database nor has the garbage
   collection pytest forces at its end walk everything the warm-up made: two thirds of a short
   run's time.
5. After a fresh stats run, mutmut's separate "clean" run of the same tests on the same code is
   skipped: the stats run just passed it (a failing test stops mutmut there).
6. Hypothesis runs its fixed examples without shrinking a failure (the `mutation` profile in
   tests/conftest.py): a mutant only needs catching, and shrinking can take minutes.
7. A mutant reviewed as equivalent is not run again while its function is the one reviewed:
   tests/mutmut_equivalent.toml keeps, under `[reviewed]`, the hash mutmut gives each such
   function (of its syntax tree), and a mutant whose function still has that hash is marked
   skipped. A surviving equivalent costs every test of its app that reaches it (the seat-rules
   state machine among them), about 4 1/2 minutes of a whole run. `MUTATION_RECHECK=1` runs
   them all, for when what a reason leans on (another function, the database) has changed.

`python tests/mutmut_run.py scores` prints the score of each module after a run, as the table in
docs/testing.md; mutants reviewed and found equivalent (no test can tell them from the code)
are listed in tests/mutmut_equivalent.toml with the reason, and count as neither killed nor
survived. After reviewing a run's survivors and listing the equivalent ones,
`python tests/mutmut_run.py pin` records their functions' hashes from that run.

Each change is checked against the installed mutmut, so an upgrade that moves what it relies
on fails loudly here rather than quietly mutating less.

Run as a script (`python tests/mutmut_run.py run`), not with `-m`: mutmut then imports the
copied tree in mutants/ only, never this checkout's packages.
"""

import gc
import inspect
import json
import os
import sys
import tomllib
from collections import Counter
from pathlib import Path

import libcst as cst
from libcst.metadata import PositionProvider
from mutmut import __main__ as mutmut_main
from mutmut.mutation import file_mutation, trampoline
from mutmut.runners import harness
from mutmut.state import state
from mutmut.utils.file_utils import change_cwd
from mutmut.utils.format_utils import mangled_name_from_mutant_name as _function_of

# Running as a script put tests/ first on sys.path; mutmut must not import anything from here.
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]


def _is_rules_predicate(node: cst.CSTNode) -> bool:
    if not isinstance(node, cst.FunctionDef) or len(node.decorators) != 1:
        return False
    decorator = node.decorators[0].decorator
    return (
        isinstance(decorator, cst.Attribute)
        and isinstance(decorator.value, cst.Name)
        and (decorator.value.value, decorator.attr.value) == ("rules", "predicate")
    )


_skip_node_and_children = file_mutation.MutationVisitor._skip_node_and_children


def _skip_unless_predicate(self, node: cst.CSTNode) -> bool:
    if not _is_rules_predicate(node):
        return _skip_node_and_children(self, node)
    position = self.get_metadata(PositionProvider, node, None)
    if position and position.start.line in self._ignored_node_lines:  # pragma: no mutate block
        self.ignored_functions.add(node.name.value)
        return True
    return False


_wrap_in_trampoline = trampoline.wrap_in_trampoline


def _wrap_keeping_signature(mutants_dict, is_classmethod: bool = False):
    wrap = _wrap_in_trampoline(mutants_dict, is_classmethod)

    def decorate(func):
        wrapper = wrap(func)
        wrapper.__signature__ = inspect.signature(func)
        return wrapper

    return decorate


def _own_tests_only(function: str, tests: set[str]) -> set[str]:
    app = function.split(".", 1)[0]
    return {test for test in tests if test.startswith(f"tests/{app}/")}


_collect_or_load_stats = mutmut_main.collect_or_load_stats
_run_stats_collection = mutmut_main.run_stats_collection
_stats_ran_here = False


def _run_stats_collection_noted(runner, tests=None):
    global _stats_ran_here
    _run_stats_collection(runner, tests)  # exits the process if a test fails
    _stats_ran_here = _stats_ran_here or not tests  # all of them (new ones only: not enough)


def _collect_then_keep_own_tests(*args, **kwargs):
    _collect_or_load_stats(*args, **kwargs)
    by_function = state().tests_by_mangled_function_name
    for function, tests in by_function.items():
        by_function[function] = _own_tests_only(function, tests)


_warm_up = harness.PytestRunner.warm_up


def _warm_up_then_freeze(self) -> None:
    _warm_up(self)
    with change_cwd("mutants"):
        if self.execute_pytest(["-q", "tests/mutmut_db.py"]) != 0:
            raise RuntimeError("could not build the test database (tests/mutmut_db.py)")
    gc.freeze()


_get_mutant_runner = mutmut_main.get_mutant_runner


def _runner_fastest_tests_first(*args, **kwargs):
    runner = _get_mutant_runner(*args, **kwargs)
    submit = runner.submit

    def submit_sorted(mutant_name, tests, *rest, **kw):
        durations = state().duration_by_test
        return submit(mutant_name, sorted(tests, key=lambda t: (durations[t], t)), *rest, **kw)

    runner.submit = submit_sorted
    run_clean_tests = runner.run_clean_tests
    runner.run_clean_tests = lambda tests: 0 if _stats_ran_here else run_clean_tests(tests)
    return runner


# Reviewed survivors that no test can kill: the mutant behaves as the code does; and the hash
# of each one's function when it was reviewed.
EQUIVALENT_FILE = Path(__file__).parent / "mutmut_equivalent.toml"
_equivalent_toml = tomllib.loads(EQUIVALENT_FILE.read_text())
EQUIVALENT: dict[str, str] = _equivalent_toml["equivalent"]
REVIEWED: dict[str, str] = _equivalent_toml.get("reviewed", {})
SKIPPED = 34  # mutmut's exit code for "skipped"


def _module_of(mutant: str) -> str:
    return mutant.split(".x_", 1)[0].split(".xǁ", 1)[0]


def _reviewed_unchanged(mutant: str, hash_by_function_name: dict[str, str]) -> bool:
    if mutant not in EQUIVALENT:
        return False
    function = _function_of(mutant)
    current = hash_by_function_name.get(function.rpartition(".")[2])
    return current is not None and REVIEWED.get(function) == current


_collect_source_file_mutation_data = mutmut_main.collect_source_file_mutation_data


def _collect_skipping_reviewed(*, mutant_names):
    mutants, data_by_path = _collect_source_file_mutation_data(mutant_names=mutant_names)
    if os.environ.get("MUTATION_RECHECK") == "1":
        return mutants, data_by_path
    kept = []
    skipped_in = set()
    for data, mutant, result in mutants:
        if _reviewed_unchanged(mutant, data.hash_by_function_name):
            data.exit_code_by_key[mutant] = SKIPPED
            skipped_in.add(data)
        else:
            kept.append((data, mutant, result))
    for data in skipped_in:
        data.save()
    return kept, data_by_path


def _run_results() -> tuple[dict[str, tuple[str, int | None]], dict[str, str]]:
    """The last run's mutants/: each mutant's file and exit code, each function's hash."""
    results: dict[str, tuple[str, int | None]] = {}
    hashes: dict[str, str] = {}
    for meta in sorted(Path("mutants").rglob("*.py.meta")):
        path = str(meta.relative_to("mutants")).removesuffix(".meta")
        module = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        data = json.loads(meta.read_text())
        results.update({m: (path, code) for m, code in data["exit_code_by_key"].items()})
        hashes.update({f"{module}.{f}": h for f, h in data["hash_by_function_name"].items()})
    return results, hashes


def scores() -> None:
    """One Markdown row per mutated module: mutants, killed (timeouts included), survived,
    untested, equivalent, and the score (killed / (mutants - equivalent)); then the entries of
    tests/mutmut_equivalent.toml that no longer name a surviving mutant."""
    from mutmut.stats import status_by_exit_code

    rows: dict[str, Counter] = {}
    results, hashes = _run_results()
    stale: list[str] = []
    unpinned: list[str] = []
    for mutant, (module, code) in sorted(results.items()):
        status = status_by_exit_code[code]
        status = "killed" if status == "timeout" else status
        if mutant in EQUIVALENT:
            # A listed mutant that a test now kills is no longer equivalent: the entry
            # names another mutation since the code moved, or a test was written for it.
            if status in ("survived", "skipped"):
                status = "equivalent"
                if REVIEWED.get(_function_of(mutant)) != hashes.get(_function_of(mutant)):
                    unpinned.append(mutant)
            elif status == "killed":
                stale.append(mutant)
        rows.setdefault(module, Counter())[status] += 1
    print("| module | mutants | killed | survived | no tests | equivalent | score |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for module, count in sorted(rows.items()):
        total = sum(count.values())
        if count["not checked"] == total:
            continue  # not in this run (a run of some mutants by name)
        judged = total - count["equivalent"]
        score = f"{100 * count['killed'] / judged:.1f}%" if judged else "n/a"
        print(
            f"| {module} | {total} | {count['killed']} | {count['survived']} | "
            f"{count['no tests']} | {count['equivalent']} | {score} |"
        )
    run_modules = {_module_of(mutant) for mutant in results}
    stale += [m for m in EQUIVALENT if _module_of(m) in run_modules and m not in results]
    if stale:
        print("\nListed in tests/mutmut_equivalent.toml but killed or gone in this run")
        print("(re-key the entry to the mutant it describes, or drop it):")
        for mutant in stale:
            print(f"- {mutant}")
    if unpinned:
        print("\nListed and surviving, but their function is not the one reviewed (check the")
        print("reason still holds, then `python tests/mutmut_run.py pin`):")
        for mutant in unpinned:
            print(f"- {mutant}")


def pin() -> None:
    """Record under `[reviewed]` the hash of every function with a listed mutant, from the last
    run: run it once that run's survivors are reviewed. Refuses while a listed mutant of a
    module in the run was killed or is gone (the entry is stale)."""
    from mutmut.stats import status_by_exit_code

    results, hashes = _run_results()
    run_modules = {_module_of(m) for m, (_, code) in results.items() if code is not None}
    listed = [m for m in EQUIVALENT if _module_of(m) in run_modules]
    stale = [
        m
        for m in listed
        if m not in results or status_by_exit_code[results[m][1]] not in ("survived", "skipped")
    ]
    if stale:
        sys.exit("not pinned; listed but killed, unchecked or gone:\n" + "\n".join(stale))
    reviewed = dict(REVIEWED) | {_function_of(m): hashes[_function_of(m)] for m in listed}
    head = EQUIVALENT_FILE.read_text().partition("\n[reviewed]\n")[0].rstrip("\n")
    table = "".join(f'"{function}" = "{reviewed[function]}"\n' for function in sorted(reviewed))
    EQUIVALENT_FILE.write_text(f"{head}\n\n[reviewed]\n{table}")
    print(f"pinned {len(listed)} mutants' functions ({len(reviewed)} functions in all)")


def _install() -> None:
    visitor = file_mutation.MutationVisitor
    assert hasattr(visitor, "_ignored_node_lines") or "_ignored_node_lines" in inspect.getsource(
        visitor.__init__
    ), "mutmut changed: MutationVisitor no longer tracks pragma'd nodes"
    assert "_mutmut_mutated" in file_mutation.trampoline_imports, "mutmut changed its trampoline"
    assert "tests_by_mangled_function_name" in inspect.getsource(mutmut_main._run)
    assert "runner.submit(" in inspect.getsource(mutmut_main._run)
    assert "collect_source_file_mutation_data(" in inspect.getsource(mutmut_main._run)
    visitor._skip_node_and_children = _skip_unless_predicate
    trampoline.wrap_in_trampoline = _wrap_keeping_signature
    mutmut_main.collect_or_load_stats = _collect_then_keep_own_tests
    mutmut_main.run_stats_collection = _run_stats_collection_noted
    mutmut_main.get_mutant_runner = _runner_fastest_tests_first
    mutmut_main.collect_source_file_mutation_data = _collect_skipping_reviewed
    harness.PytestRunner.warm_up = _warm_up_then_freeze


if __name__ == "__main__":
    os.environ["HYPOTHESIS_PROFILE"] = "mutation"
    if sys.argv[1:] == ["scores"]:
        scores()
    elif sys.argv[1:] == ["pin"]:
        pin()
    else:
        _install()
        mutmut_main.cli(prog_name="mutmut")
