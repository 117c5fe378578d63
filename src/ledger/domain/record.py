"""Frozen value records: what ``@dataclass(frozen=True)`` gives the commands, made without compiling.

:func:`record` gives a class of annotated fields what the commands used from the standard library's
frozen dataclasses: construction by position or keyword with defaults (:func:`field` for a default
made anew each time), ``__post_init__`` (a command checks what was typed there), immutability
(:class:`dataclasses.FrozenInstanceError`), equality and a hash by value within one class, a
``repr``, ``__match_args__`` and :func:`replace`.

Why not the dataclass itself: on Python 3.11 ``dataclass`` writes and compiles six functions per
class, and the 38 command classes cost about 23 ms of every command's start, 5 % of a recording
command's import floor (issue 13's target is 1.3 of it; docs/performance.md). Here the methods are
the same few functions for every class, reading the class's field names; nothing is compiled. Type
checkers see the fields and the ``__init__`` through :func:`typing.dataclass_transform`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import FrozenInstanceError
from typing import Any, ClassVar, TypeVar, dataclass_transform

T = TypeVar("T")

_FIELDS = "__record_fields__"


class _Factory:
    """A default made anew for each record (:func:`field`)."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], Any]) -> Any:
    """A field whose default is made by ``default_factory`` for each record (a dict, a list)."""
    return _Factory(default_factory)


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: type[T]) -> type[T]:
    """Make ``cls`` a frozen value record of its annotated fields, in their order."""
    if any(hasattr(base, _FIELDS) for base in cls.__mro__[1:]):
        raise TypeError(f"{cls.__name__}: a record does not extend another record")
    names = tuple(name for name, kind in inspect.get_annotations(cls).items() if not _class_var(kind))
    defaults: dict[str, Any] = {}
    for name in names:
        if name in cls.__dict__:
            default = defaults[name] = cls.__dict__[name]
            if isinstance(default, _Factory):
                delattr(cls, name)  # as a dataclass does: the class keeps no shared default
            elif type(default) in (list, dict, set):
                raise TypeError(f"{cls.__name__}: mutable default for field {name!r}: use field(default_factory=…)")
        elif defaults:
            raise TypeError(f"{cls.__name__}: field {name!r} without a default follows one with a default")
    setattr(cls, _FIELDS, names)
    namespace: dict[str, Any] = {
        "__init__": _init(cls.__name__, names, defaults, getattr(cls, "__post_init__", None)),
        "__repr__": _repr,
        "__eq__": _eq,
        "__hash__": _hash,
        "__setattr__": _setattr,
        "__delattr__": _delattr,
        "__match_args__": names,
    }
    for name, value in namespace.items():
        setattr(cls, name, value)
    return cls


def replace(obj: T, **changes: Any) -> T:
    """A copy of the record ``obj`` with ``changes`` (checked again by its ``__post_init__``)."""
    names = getattr(type(obj), _FIELDS, None)
    if names is None:
        raise TypeError(f"replace() should be called on a record, not {type(obj).__name__}")
    values = {name: getattr(obj, name) for name in names}
    values.update(changes)
    return type(obj)(**values)


def _class_var(annotation: Any) -> bool:
    """A class variable, not a field (``ClassVar[…]``, also as postponed annotation text)."""
    if isinstance(annotation, str):
        return annotation.startswith(("ClassVar", "typing.ClassVar"))
    return annotation is ClassVar or getattr(annotation, "__origin__", None) is ClassVar


def _init(owner: str, names: tuple[str, ...], defaults: dict[str, Any],
          post_init: Callable[[Any], None] | None) -> Callable[..., None]:
    count = len(names)
    position = {name: i for i, name in enumerate(names)}

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        given = len(args)
        if given > count:
            raise TypeError(f"{owner}() takes {count} positional arguments but {given} were given")
        put = object.__setattr__
        for name, value in zip(names, args, strict=False):  # the rest by keyword or default
            put(self, name, value)
        for name, value in kwargs.items():
            at = position.get(name)
            if at is None:
                raise TypeError(f"{owner}() got an unexpected keyword argument {name!r}")
            if at < given:
                raise TypeError(f"{owner}() got multiple values for argument {name!r}")
            put(self, name, value)
        if given + len(kwargs) < count:
            for name in names[given:]:
                if name in kwargs:
                    continue
                if name not in defaults:
                    raise TypeError(f"{owner}() missing required argument: {name!r}")
                default = defaults[name]
                put(self, name, default.make() if isinstance(default, _Factory) else default)
        if post_init is not None:
            post_init(self)

    return __init__


def _values(obj: Any) -> tuple[Any, ...]:
    return tuple([getattr(obj, name) for name in getattr(type(obj), _FIELDS)])


def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in getattr(type(self), _FIELDS))
    return f"{type(self).__qualname__}({shown})"


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _values(self) == _values(other)


def _hash(self: Any) -> int:
    return hash(_values(self))


def _setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")
