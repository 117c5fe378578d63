"""The message catalogue (``ledger.cli.i18n.CATALOGUE``) is complete and consistent with the code.

Every key has Swedish and English text with the same placeholders; every key the code asks for
exists (literal ``t("…")`` and ``opt("…")`` keys, keys built with f-strings, error keys, and the
reason/kind/rule codes that error messages translate); and every call fills every placeholder.
"""

from __future__ import annotations

import ast
import functools
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.cli.i18n import CATALOGUE
from ledger.domain import errors
from tests.conftest import TEST_PNR, TEST_SAMORDNING

ROOT = Path(__file__).resolve().parents[2]
CLI_FILES = sorted((ROOT / "cli").rglob("*.py"))
SOURCE_FILES = sorted([*(ROOT / "src" / "ledger").rglob("*.py"), *(ROOT / "projections").rglob("*.py"), *CLI_FILES])
ERROR_CLASSES = {
    name: cls for name, cls in vars(errors).items()
    if isinstance(cls, type) and issubclass(cls, errors.LedgerError)
}


def placeholders(text: str) -> set[str]:
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}


@functools.cache
def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _calls(tree: ast.AST, *names: str) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name in names:
                yield node


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


# -- the catalogue itself ---------------------------------------------------------------------------------


def test_catalogue_is_not_trivially_small() -> None:
    assert len(CATALOGUE) > 200


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_both_languages_have_text_with_the_same_placeholders(key: str) -> None:
    texts = CATALOGUE[key]
    assert isinstance(texts, tuple) and len(texts) == 2, key
    sv, en = texts
    assert isinstance(sv, str) and sv.strip(), f"{key}: no Swedish text"
    assert isinstance(en, str) and en.strip(), f"{key}: no English text"
    assert placeholders(sv) == placeholders(en), f"{key}: {placeholders(sv)} != {placeholders(en)}"


def test_help_texts_mention_only_test_identity_numbers() -> None:
    allowed = set(TEST_PNR) | set(TEST_SAMORDNING)
    for key, texts in CATALOGUE.items():
        for text in texts:
            for number in re.findall(r"(?<!\d)(\d{12}|\d{8}-\d{4}|\d{6}[-+]\d{4})(?!\d)", text):
                digits = number.replace("-", "").replace("+", "")
                assert any(a.endswith(digits) for a in allowed), f"{key} shows a number that is not a test number"


# -- keys used by the code ----------------------------------------------------------------------------


def _literal_keys() -> dict[str, str]:
    """``t("key")`` and ``opt("key", ...)`` across cli/**: key -> where."""
    found: dict[str, str] = {}
    for path in CLI_FILES:
        for call in _calls(_parse(path), "t", "opt"):
            if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
                found.setdefault(call.args[0].value, _where(path, call))
    return found


def test_literal_keys_are_found() -> None:
    keys = _literal_keys()
    assert len(keys) > 150, "the scan found too few t()/opt() calls: is the pattern still right?"
    assert {"app.help", "cmd.case.open", "opt.json", "done.recorded", "err.prefix"} <= set(keys)


def test_every_literal_key_exists() -> None:
    missing = {key: where for key, where in _literal_keys().items() if key not in CATALOGUE}
    assert missing == {}


def _recorded_events() -> set[str]:
    """The ``what`` passed to ``recorded(as_json, case, what, ...)``."""
    found = set()
    for path in CLI_FILES:
        for call in _calls(_parse(path), "recorded"):
            arg = call.args[2] if len(call.args) > 2 else next((k.value for k in call.keywords if k.arg == "what"), None)
            assert isinstance(arg, ast.Constant), f"{_where(path, call)}: recorded() with a computed event name"
            found.add(arg.value)
    return found


def _dynamic_values(prefix: str) -> set[str] | None:
    """Where the code builds ``prefix + value`` from data rather than a loop over literals."""
    if prefix == "what.":
        return _recorded_events()
    if prefix == "attention.":
        from ledger.projections.case_list import ATTENTION

        return set(ATTENTION)
    if prefix == "budget.by.":
        from ledger.projections.budget import BREAKDOWNS

        return set(BREAKDOWNS)
    if prefix == "col.":
        from ledger.cli.render import _CASE_COLUMNS

        return {key for key, _ in _CASE_COLUMNS}
    if prefix == "role.":
        from ledger.domain.permissions import Role

        return {r.value for r in Role}
    if prefix == "audit.":
        from ledger.domain.consent_audit import PROBLEMS

        return {"ok", "legal_basis", *PROBLEMS}
    return None


def _literals(node: ast.AST) -> list[str] | None:
    if isinstance(node, (ast.Tuple, ast.List)) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
    ):
        return [e.value for e in node.elts]  # type: ignore[attr-defined]
    return None


def _fstring_keys() -> tuple[dict[str, str], list[str]]:
    """Keys built as ``t(f"prefix.{name}")``: resolved from the enclosing ``for name in (...)`` loop or
    from :func:`_dynamic_values`. Returns (key -> where, unresolved places)."""
    found: dict[str, str] = {}
    unresolved: list[str] = []

    def visit(node: ast.AST, loops: dict[str, list[str]], path: Path) -> None:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            # columns = [c for c in ("paid", "committed") if ...]: a subset of the literals
            branches = [node.value.body, node.value.orelse] if isinstance(node.value, ast.IfExp) else [node.value]
            literal: list[str] | None = []
            for value in branches:
                if isinstance(value, ast.ListComp | ast.GeneratorExp | ast.SetComp):
                    value = value.generators[0].iter
                more = _literals(value)
                literal = None if more is None or literal is None else literal + more
            if literal:
                assigned[node.targets[0].id] = literal
        if isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.target, ast.Name):
            literal = _literals(node.iter)
            if literal is None and isinstance(node.iter, ast.Name):
                literal = assigned.get(node.iter.id)
            if literal is not None:
                loops = {**loops, node.target.id: literal}
        if isinstance(node, ast.ListComp | ast.GeneratorExp | ast.SetComp | ast.DictComp):
            for gen in node.generators:
                visit(gen, loops, path)
                literal = _literals(gen.iter)
                if isinstance(gen.target, ast.Name) and literal is not None:
                    loops = {**loops, gen.target.id: literal}
        if (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t"
            and node.args and isinstance(node.args[0], ast.JoinedStr)
        ):
            parts = node.args[0].values
            where = _where(path, node)
            if len(parts) == 2 and isinstance(parts[0], ast.Constant) and isinstance(parts[1], ast.FormattedValue):
                prefix, expr = parts[0].value, parts[1].value
                values = loops.get(expr.id) if isinstance(expr, ast.Name) else None
                if values is None:
                    dynamic = _dynamic_values(prefix)
                    values = sorted(dynamic) if dynamic is not None else None
                if values:
                    for value in values:
                        found.setdefault(f"{prefix}{value}", where)
                    return
            unresolved.append(where)
        for child in ast.iter_child_nodes(node):
            visit(child, loops, path)

    for path in CLI_FILES:
        assigned: dict[str, list[str]] = {}
        visit(_parse(path), {}, path)
    return found, unresolved


def test_every_fstring_key_exists() -> None:
    keys, unresolved = _fstring_keys()
    assert unresolved == [], f"t(f'...') keys this test cannot resolve; teach _dynamic_values: {unresolved}"
    assert {"what.contact", "what.payment", "what.reopened", "col.case", "budget.paid"} <= set(keys)
    missing = {key: where for key, where in keys.items() if key not in CATALOGUE}
    assert missing == {}


def test_every_recorded_event_has_a_name() -> None:
    events = _recorded_events()
    assert len(events) > 20
    assert {f"what.{e}" for e in events} - set(CATALOGUE) == set()


@pytest.mark.parametrize("name", sorted(ERROR_CLASSES))
def test_every_error_has_a_message(name: str) -> None:
    assert ERROR_CLASSES[name].key in CATALOGUE


# -- codes inside error messages -------------------------------------------------------------------------


def _error_params() -> list[tuple[str, str, dict[str, str | None], set[str]]]:
    """Every ``SomeError(...)`` in the sources: (class, where, literal keyword values, keyword names).

    A keyword given as a variable resolves to every string constant assigned to that variable in
    the same function (``reason = "locked"`` ... ``StorageError(reason=reason)``)."""
    found = []
    for path in SOURCE_FILES:
        tree = _parse(path)
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        for call in _calls(tree, *ERROR_CLASSES):
            name = call.func.id if isinstance(call.func, ast.Name) else call.func.attr  # type: ignore[union-attr]
            names = {k.arg for k in call.keywords if k.arg}
            found.append((name, _where(path, call), {}, names))
            for keyword in call.keywords:
                if keyword.arg not in ("reason", "kind", "rule"):
                    continue
                value = keyword.value
                if isinstance(value, ast.Constant):
                    found.append((name, _where(path, call), {keyword.arg: value.value}, names))
                elif isinstance(value, ast.Name):
                    scope = next(
                        (f for f in functions if f.lineno <= call.lineno <= (f.end_lineno or f.lineno)), tree
                    )
                    assigned = [
                        n.value.value for n in ast.walk(scope)
                        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)
                        and any(isinstance(t, ast.Name) and t.id == value.id for t in n.targets)
                    ]
                    for code in assigned:
                        found.append((name, _where(path, call), {keyword.arg: code}, names))
    return found


def test_error_codes_are_found() -> None:
    codes = {(k, v) for _, _, params, _ in _error_params() for k, v in params.items()}
    assert ("reason", "checksum_or_date") in codes and ("reason", "not_positive") in codes
    assert ("reason", "disk_full") in codes, "StorageError's reasons (assigned to a variable) were not found"
    assert ("kind", "case") in codes and ("rule", "running_interventions") in codes


def test_every_reason_kind_and_rule_code_has_a_text() -> None:
    missing = {
        f"{k}.{v}": where for _, where, params, _ in _error_params() for k, v in params.items()
        if f"{k}.{v}" not in CATALOGUE
    }
    assert missing == {}


def test_every_reason_raised_in_src_has_a_text() -> None:
    """The plain grep the brief asks for, as a cross-check of the AST scan."""
    codes = set()
    for path in (ROOT / "src" / "ledger").rglob("*.py"):
        codes |= set(re.findall(r"\breason\s*=\s*\"([a-z_]+)\"", path.read_text(encoding="utf-8")))
    assert "format" in codes
    assert {c for c in codes if f"reason.{c}" not in CATALOGUE} == set()


def test_every_error_is_raised_with_the_parameters_its_message_needs() -> None:
    """A missing parameter would turn the message into the generic 'the action was refused'."""
    wrong = []
    for name, where, _, given in _error_params():
        cls = ERROR_CLASSES[name]
        if cls.key == "rule_violation":  # formatted specially: {rule} and {details} from any parameters
            assert "rule" in given, f"{where}: RuleViolation without rule="
            continue
        needed = set().union(*(placeholders(text) for text in CATALOGUE[cls.key]))
        if needed - given:
            wrong.append(f"{where}: {name} lacks {sorted(needed - given)}")
    assert wrong == []


def test_every_literal_t_call_fills_every_placeholder() -> None:
    wrong = []
    for path in CLI_FILES:
        for call in _calls(_parse(path), "t"):
            if not (call.args and isinstance(call.args[0], ast.Constant)) or call.args[0].value not in CATALOGUE:
                continue
            if any(k.arg is None for k in call.keywords):  # t(key, **params)
                continue
            needed = set().union(*(placeholders(text) for text in CATALOGUE[call.args[0].value]))
            given = {k.arg for k in call.keywords}
            if needed != given:
                wrong.append(f"{_where(path, call)}: {call.args[0].value} needs {sorted(needed)}, given {sorted(given)}")
    assert wrong == []
