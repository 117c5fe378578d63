"""The commands' frozen value records (:mod:`ledger.domain.record`) behave as frozen dataclasses did."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date

import pytest

from ledger.domain import commands as c
from ledger.domain.errors import InputError
from ledger.domain.record import field, record, replace
from ledger.domain.vocab import ContactChannel, ProtectionLevel


@record
class Sample:
    name: str
    count: int = 0
    tags: dict[str, str] = field(default_factory=dict)


def test_fields_by_position_keyword_and_default() -> None:
    assert (Sample("a").name, Sample("a").count, Sample("a").tags) == ("a", 0, {})
    made = Sample("b", 2, tags={"x": "y"})
    assert (made.name, made.count, made.tags) == ("b", 2, {"x": "y"})
    assert Sample(count=3, name="c").count == 3


def test_a_default_factory_makes_a_new_value_each_time() -> None:
    first, second = Sample("a"), Sample("a")
    first.tags["k"] = "v"
    assert second.tags == {}
    assert "tags" not in vars(Sample)  # no shared default left on the class


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    ((), {}, "missing required argument: 'name'"),
    (("a", 1, {}, 4), {}, "takes 3 positional arguments but 4 were given"),
    (("a",), {"name": "b"}, "multiple values for argument 'name'"),
    (("a",), {"colour": "red"}, "unexpected keyword argument 'colour'"),
])
def test_wrong_arguments_are_refused_as_a_dataclass_would(args: tuple, kwargs: dict, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        Sample(*args, **kwargs)


def test_frozen() -> None:
    made = Sample("a")
    with pytest.raises(FrozenInstanceError):
        made.name = "b"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del made.count  # type: ignore[misc]
    assert made.name == "a"


def test_equality_and_hash_by_value_within_one_class() -> None:
    assert Sample("a", 1) == Sample("a", 1)
    assert Sample("a", 1) != Sample("a", 2)
    assert hash(c.RecordContact(ContactChannel.PHONE)) == hash(c.RecordContact(ContactChannel.PHONE))
    assert len({c.RecordContact(ContactChannel.PHONE), c.RecordContact(ContactChannel.PHONE, "mamma")}) == 2
    assert c.RecordRelative("x") != c.AssignCase("x")  # same values, other command
    with pytest.raises(TypeError):
        hash(Sample("a"))  # a dict field: unhashable, as with a dataclass


def test_repr_and_pattern_matching() -> None:
    assert repr(Sample("a", 1)) == "Sample(name='a', count=1, tags={})"
    match c.ProtectCase(ProtectionLevel.NONE):
        case c.ProtectCase(level):
            assert level == ProtectionLevel.NONE
        case _:
            pytest.fail("no match")


def test_post_init_checks_construction_and_replace() -> None:
    with pytest.raises(InputError):
        c.GrantAccess(to="anna", until=date(2026, 12, 31), reason="  ")
    granted = c.GrantAccess(to="anna", until=date(2026, 12, 31), reason="vikarie")
    assert replace(granted, to="bo") == c.GrantAccess(to="bo", until=date(2026, 12, 31), reason="vikarie")
    assert granted.to == "anna"
    with pytest.raises(InputError):
        replace(granted, reason="")


def test_a_record_does_not_extend_a_record() -> None:
    with pytest.raises(TypeError, match="does not extend"):
        @record
        class Child(Sample):
            extra: int = 0


def test_a_required_field_after_a_default_is_refused() -> None:
    with pytest.raises(TypeError, match="without a default"):
        @record
        class Wrong:
            first: int = 0
            second: int



def test_class_variables_are_not_fields_and_mutable_defaults_are_refused() -> None:
    from typing import ClassVar

    @record
    class WithClassVar:
        kind: ClassVar[str] = "x"
        value: int = 1

    assert WithClassVar(2).value == 2 and WithClassVar.kind == "x"
    assert WithClassVar.__match_args__ == ("value",)
    with pytest.raises(TypeError, match="mutable default"):
        @record
        class Shared:
            items: list[str] = []  # noqa: RUF012 - the mistake under test


def test_replace_wants_a_record() -> None:
    with pytest.raises(TypeError, match="on a record"):
        replace(object())
