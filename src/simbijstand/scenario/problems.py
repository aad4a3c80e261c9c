"""Turning validation failures into messages a user can act on.

Each message reads `file: key.path = value: what is wrong; what is allowed`, and an unknown key
gets the nearest known key as a suggestion.
"""

from __future__ import annotations

import datetime as dt
import difflib
import types
import typing
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

KeyPath = tuple[str | int, ...]


def format_key_path(path: Iterable[str | int]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part + 1}]"  # TOML users count array entries from one
        else:
            text += ("." if text else "") + (part if _is_bare_key(part) else f'"{part}"')
    return text or "(top level)"


def describe_validation_error(
    error: ValidationError,
    model: type[BaseModel],
    origin_of: Callable[[KeyPath], Path],
) -> list[str]:
    """One message per problem pydantic found, each prefixed with the file that holds it."""
    problems = []
    for item in error.errors():
        loc = _clean_loc(item["loc"])
        problems.append(f"{origin_of(loc)}: {_describe(item, loc, model)}")
    return problems


def _describe(item: Any, loc: KeyPath, model: type[BaseModel]) -> str:
    kind = item["type"]
    where = format_key_path(loc)
    if kind == "extra_forbidden":
        return f"unknown key '{where}'{_suggestion(model, loc)}"
    if kind == "missing":
        return f"missing key '{where}'"
    value = item.get("input")
    message = _translate(kind, item["msg"], item.get("ctx") or {})
    return f"{where} = {_show(value)}: {message}"


def _translate(kind: str, msg: str, ctx: dict[str, Any]) -> str:
    plain = {
        "float_type": "expected a number",
        "int_type": "expected a whole number",
        "bool_type": "expected true or false",
        "string_type": "expected a text in quotes",
        "date_type": "expected a date such as 2020-07-01 (without time)",
        "dict_type": "expected a table",
        "list_type": "expected an array [...]",
        "finite_number": "expected a finite number (not inf or nan)",
        "literal_error": f"expected {ctx.get('expected', 'one of the allowed values')}",
        "string_pattern_mismatch": "expected letters, digits, '_' or '-' only, not starting "
        "with '-'",
    }
    if kind in plain:
        return plain[kind]
    if kind.startswith(("greater_than", "less_than")):
        return _range_message(kind, ctx)
    if kind == "too_short":
        return f"expected at least {ctx.get('min_length')} item(s), got {ctx.get('actual_length')}"
    if kind == "too_long":
        return f"expected at most {ctx.get('max_length')} item(s), got {ctx.get('actual_length')}"
    if kind == "value_error":
        return str(ctx.get("error", msg))
    return msg[0].lower() + msg[1:]


def _range_message(kind: str, ctx: dict[str, Any]) -> str:
    words = {
        "greater_than": ("more than", "gt"),
        "greater_than_equal": ("at least", "ge"),
        "less_than": ("less than", "lt"),
        "less_than_equal": ("at most", "le"),
    }
    phrase, key = words[kind]
    limit = ctx.get(key)
    shown = str(limit) if isinstance(limit, int) else f"{limit:g}"  # ints exactly, 10**7 too
    return f"must be {phrase} {shown}"


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "{...}"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _clean_loc(loc: tuple[Any, ...]) -> KeyPath:
    """Drop pydantic's union-branch labels such as 'float' or 'dict[str,float]' from a path."""
    return tuple(p for p in loc if isinstance(p, int) or not _is_type_label(p))


def _is_type_label(part: str) -> bool:
    return (
        part in {"float", "int", "str", "bool", "none"}
        or "[" in part
        or part.startswith("function-after")
    )


def _suggestion(model: type[BaseModel], loc: KeyPath) -> str:
    known = _known_keys(model, loc[:-1])
    matches = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
    if matches:
        return f"; did you mean '{matches[0]}'?"
    if known:
        return f"; allowed here: {', '.join(sorted(known))}"
    return ""


def _known_keys(model: type[BaseModel], parent: KeyPath) -> list[str]:
    annotation: Any = model
    for part in parent:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    target = _model_in(annotation)
    return list(target.model_fields) if target else []


def _step(annotation: Any, part: str | int) -> Any:
    model = _model_in(annotation)
    if model is not None and isinstance(part, str):
        field = model.model_fields.get(part)
        return field.annotation if field else None
    for arg in _container_args(annotation):
        return arg
    return None


def _container_args(annotation: Any) -> list[Any]:
    """The element type of a dict or list annotation (looking inside Optional/Annotated)."""
    for candidate in _flatten(annotation):
        origin = typing.get_origin(candidate)
        if origin is dict:
            return [typing.get_args(candidate)[1]]
        if origin is list:
            return [typing.get_args(candidate)[0]]
    return []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    for candidate in _flatten(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _flatten(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _flatten(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [c for arg in typing.get_args(annotation) for c in _flatten(arg)]
    return [annotation]


def _is_bare_key(part: str) -> bool:
    return part.replace("_", "").replace("-", "").isalnum() and part.isascii()
