"""Estimation uncertainty of a parameter file: the keys it names, checks, and drawing from it.

A parameter file may state, in `[[onzekerheid]]` blocks, how uncertain its estimated values are.
A run with `simulatie.parameteronzekerheid = true` draws every replication's parameters from
these distributions (see `draw_parameters`), so its bands show estimation error as well as chance.

Keys name one value (or one table, for dirichlet); indices count from 1, as TOML users do:

    instroom.per_jaar, instroom.trend_per_jaar, instroom.seizoen[m], instroom.klantgroepen[.g]
    klantgroepen.g.uitstroom_per_jaar     the exit hazard at duur_factor 1, all routes
    klantgroepen.g.uitstroom.r            route r's exit hazard (uitstroom_per_jaar x share r)
    klantgroepen.g.uitstroom_routes       the route shares (a table: dirichlet)
    klantgroepen.g.duur_factor[k]         band k's factor
    klantgroepen.g.uitstroom_band[k]      band k's total exit hazard (uitstroom_per_jaar x factor)
    klantgroepen.g.doorstroom_per_jaar.h

Drawing, for one replication: first every gamma key is set to its draw, Gamma(vorm, schaal);
then every dirichlet table to its draw; then every lognormaal block multiplies its keys by
exp(z), z ~ N(0, covariantie_log) (for trend_per_jaar: 1 + trend is multiplied); then the
normaal blocks add up per key, z = the sum of their draws ~ N(0, covariantie summed), and
multiply it once by max(1 + z, 0) / E[max(1 + z, 0)] (`normal_factors`). A lognormaal value
keeps its median; a normaal one keeps its mean and, up to the cut at zero (z below -1), its
median: the symmetric deviation that a year-level scatter fitted in counts describes (own part
plus national part, added as in the fit), where a lognormal factor of the same spread would
raise the mean and skew the band, and a product of two symmetric factors would lower the
median. Exit hazards are then put back into the engine's form: uitstroom_per_jaar is the
sum of the route hazards and uitstroom_routes their shares; seasonal factors are rescaled to
average 1 and entry shares to sum to 1, as the file format requires.

A lognormaal or normaal block with `gedeeld = "name"` is a shared component: its z is
C^(1/2) u, C^(1/2) the symmetric square root of the block's covariance and u the replication's
standard normals of that component (`SharedNormals`), the same for every file of the run. So the
files move together (exactly so when their matrices are multiples of one another:
z_file = s_file C0^(1/2) u), each with its own spread, and each file's own marginal distribution
is that of an unshared block with the same matrix. A key may sit in one unshared block, in one
unshared normaal block and in one block per shared component: lognormaal factors multiply (their
log variances add), normaal deviations add. Every file that declares a component must name the same
keys in the same order (`check_shared_components`): the i-th key of each gets the i-th shared
normal.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np

from simbijstand.scenario.schema import KlantgroepParameters, Onzekerheid, ParameterFile

_KEY = re.compile(
    r"^(?:instroom\.(?P<inflow>per_jaar|trend_per_jaar|klantgroepen|seizoen\[\d+\])"
    r"(?:\.(?P<entry>[A-Za-z0-9_\-]+))?"
    r"|klantgroepen\.(?P<group>[A-Za-z0-9_\-]+)\.(?P<field>uitstroom_per_jaar|uitstroom_routes"
    r"|uitstroom|doorstroom_per_jaar|duur_factor\[\d+\]|uitstroom_band\[\d+\])"
    r"(?:\.(?P<target>[A-Za-z0-9_\-]+))?)$"
)
TABLE_KEYS = ("uitstroom_routes", "klantgroepen")
PSD_TOLERANCE = 1e-8

# (component name, count) -> the replication's first `count` standard normals of that component
SharedNormals = Callable[[str, int], np.ndarray]


@dataclass(frozen=True, slots=True)
class ParameterKey:
    """A parsed key: area 'instroom' or a klantgroep, field, optional name and 1-based index."""

    text: str
    group: str | None  # None for instroom keys
    field: str
    name: str | None = None
    index: int | None = None

    @property
    def is_table(self) -> bool:
        return self.field in TABLE_KEYS and self.name is None


def parse_key(text: str) -> ParameterKey | None:
    match = _KEY.match(text)
    if match is None:
        return None
    raw = match["inflow"] or match["field"]
    field, index = raw, None
    if "[" in raw:
        field, number = raw[:-1].split("[")
        index = int(number)
    name = match["entry"] if match["inflow"] else match["target"]
    if (field in ("per_jaar", "trend_per_jaar", "uitstroom_per_jaar") or index) and name:
        return None
    if field in ("uitstroom", "doorstroom_per_jaar") and not name:
        return None
    if field == "uitstroom_routes" and name:
        return None
    return ParameterKey(text, match["group"], field, name, index)


def value_of(params: ParameterFile, key: ParameterKey) -> float | dict[str, float] | None:
    """The value a key names in `params`, or None when it does not exist there."""
    if key.group is None:
        return _inflow_value(params, key)
    group = params.klantgroepen.get(key.group)
    if group is None:
        return None
    return _group_value(params, group, key)


def _inflow_value(params: ParameterFile, key: ParameterKey) -> Any:
    inflow = params.instroom
    if key.field == "seizoen":
        seizoen = inflow.seizoen
        return seizoen[key.index - 1] if seizoen and 1 <= (key.index or 0) <= 12 else None
    if key.field == "klantgroepen":
        return dict(inflow.klantgroepen) if key.name is None else inflow.klantgroepen.get(key.name)
    return getattr(inflow, key.field)


def _group_value(params: ParameterFile, group: KlantgroepParameters, key: ParameterKey) -> Any:
    bands = len(params.duurbanden_maanden)
    factors = group.duur_factor or [1.0] * bands
    if key.field in ("duur_factor", "uitstroom_band"):
        if not 1 <= (key.index or 0) <= bands:
            return None
        factor = factors[key.index - 1]
        return factor if key.field == "duur_factor" else group.uitstroom_per_jaar * factor
    if key.field == "uitstroom":
        share = group.uitstroom_routes.get(key.name or "")
        return None if share is None else group.uitstroom_per_jaar * share
    if key.field == "doorstroom_per_jaar":
        return group.doorstroom_per_jaar.get(key.name or "")
    if key.field == "uitstroom_routes":
        return dict(group.uitstroom_routes)
    return group.uitstroom_per_jaar


def check_uncertainty(params: ParameterFile) -> list[tuple[tuple[str | int, ...], str]]:
    """Problems of the [[onzekerheid]] blocks and [intervallen] of a parameter file."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    seen: set[tuple[str | None, bool, str]] = set()  # (shared component, normaal?, key)
    components: set[str] = set()
    for number, block in enumerate(params.onzekerheid):
        where: tuple[str | int, ...] = ("onzekerheid", number)
        texts = _shared_problems(block, components) or _block_problems(params, block, seen)
        problems += [(where, text) for text in texts]
    for name, interval in params.intervallen.items():
        if not interval.laag <= interval.schatting <= interval.hoog:
            problems.append(
                (
                    ("intervallen", name),
                    f"laag {interval.laag:g} <= schatting {interval.schatting:g} <= hoog "
                    f"{interval.hoog:g} does not hold",
                )
            )
    return problems


def _shared_problems(block: Onzekerheid, components: set[str]) -> list[str]:
    """`gedeeld`: a lognormaal or normaal block only, and one block per component in a file."""
    name = block.gedeeld
    if name is None:
        return []
    if block.verdeling not in ("lognormaal", "normaal"):
        return [
            f"gedeeld = '{name}' belongs to verdeling lognormaal or normaal only (a shared "
            f"component is a common factor on the values), not to {block.verdeling}"
        ]
    if name in components:
        return [f"gedeeld = '{name}' is declared by more than one block; put its keys in one"]
    components.add(name)
    return []


def _block_problems(
    params: ParameterFile, block: Onzekerheid, seen: set[tuple[str | None, bool, str]]
) -> list[str]:
    problems = []
    keys = []
    for text in block.sleutels:
        key = parse_key(text)
        if key is None:
            problems.append(f"sleutels: '{text}' is not a parameter key (see docs/kalibratie.md)")
            continue
        place = (block.gedeeld, block.verdeling == "normaal", text)
        if place in seen:
            problems.append(f"sleutels: '{text}' appears in more than one block{_among(block)}")
        seen.add(place)
        if value_of(params, key) is None:
            problems.append(f"sleutels: '{text}' names nothing in this parameter file")
            continue
        keys.append(key)
    if problems:
        return problems
    if block.verdeling in ("lognormaal", "normaal"):
        return _factor_problems(params, block, keys)
    if block.verdeling == "gamma":
        return _single_problems(block, keys, table=False) + _need(block, "vorm", "schaal")
    problems = _single_problems(block, keys, table=True) + _need(block, "concentratie")
    if not problems and block.concentratie is not None:
        table = value_of(params, keys[0])
        assert isinstance(table, dict)
        if set(block.concentratie) != set(table):
            problems.append(
                f"concentratie names {', '.join(sorted(block.concentratie))}; it must name "
                f"exactly the table's keys: {', '.join(sorted(table))}"
            )
    return problems


def _among(block: Onzekerheid) -> str:
    if block.gedeeld is not None:
        return f" with gedeeld = '{block.gedeeld}'"
    return (
        f" of verdeling {block.verdeling} without gedeeld (a key may sit in one such block, in "
        "one unshared normaal block and in one per shared component)"
    )


def check_shared_components(files: Mapping[str, ParameterFile]) -> list[tuple[str, str]]:
    """(file, problem) for every file whose block of a shared component names other keys, or
    the same in another order, or another verdeling, than the first file that declares it
    (module docstring)."""
    first: dict[str, tuple[str, Onzekerheid]] = {}
    problems = []
    for label, params in files.items():
        for block in params.onzekerheid:
            name = block.gedeeld
            if name is None:
                continue
            if name not in first:
                first[name] = (label, block)
                continue
            other, earlier = first[name]
            if list(block.sleutels) != list(earlier.sleutels):
                problems.append(
                    (
                        label,
                        f"[[onzekerheid]] gedeeld = '{name}' names sleutels {block.sleutels}, "
                        f"but {other} names {earlier.sleutels}: every file that shares a "
                        "component must name the same keys in the same order (the i-th key of "
                        "each gets the same i-th shared draw)",
                    )
                )
            elif block.verdeling != earlier.verdeling:
                problems.append(
                    (
                        label,
                        f"[[onzekerheid]] gedeeld = '{name}' is verdeling {block.verdeling}, "
                        f"but {other} has {earlier.verdeling}: a shared draw must act alike in "
                        "every file that shares it",
                    )
                )
    return problems


def _need(block: Onzekerheid, *fields: str) -> list[str]:
    others = {"vorm", "schaal", "concentratie", "covariantie_log", "covariantie"} - set(fields)
    missing = [f for f in fields if getattr(block, f) is None]
    extra = [f for f in sorted(others) if getattr(block, f) is not None]
    problems = [f"verdeling {block.verdeling} needs {f}" for f in missing]
    problems += [f"{f} does not belong to verdeling {block.verdeling}" for f in extra]
    return problems


def _single_problems(block: Onzekerheid, keys: list[ParameterKey], *, table: bool) -> list[str]:
    if len(keys) != 1:
        return [f"verdeling {block.verdeling} takes exactly one key, not {len(keys)}"]
    key = keys[0]
    if key.is_table != table:
        kind = "a table of shares" if table else "one value"
        return [f"verdeling {block.verdeling} needs {kind}; '{key.text}' is not"]
    if key.field == "trend_per_jaar":
        return ["trend_per_jaar can be negative: state its uncertainty as lognormaal"]
    return []


def _factor_problems(
    params: ParameterFile, block: Onzekerheid, keys: list[ParameterKey]
) -> list[str]:
    """A lognormaal or normaal block: single values above 0 (trend_per_jaar: lognormaal only,
    on 1 + trend) and one covariance matrix over them."""
    kind = block.verdeling
    field = "covariantie" if kind == "normaal" else "covariantie_log"
    problems = _need(block, field)
    tables = [k.text for k in keys if k.is_table]
    if tables:
        problems.append(f"{kind} takes single values; {', '.join(tables)} is a table")
    for key in keys:
        value = value_of(params, key)
        if key.is_table:
            continue
        if key.field == "trend_per_jaar":
            if kind == "normaal":
                problems.append(
                    "trend_per_jaar can be negative: state its uncertainty as lognormaal"
                )
        elif not (value or 0) > 0:
            problems.append(f"'{key.text}' is {value}; {kind} needs a value above 0")
    matrix = getattr(block, field)
    if matrix is None or problems:
        return problems
    return _covariance_problems(np.array(matrix, dtype=float), len(keys), field)


def _covariance_problems(matrix: np.ndarray, size: int, field: str) -> list[str]:
    if matrix.shape != (size, size):
        return [
            f"{field} has shape {matrix.shape}; expected {size} x {size}, one row "
            "and column per key"
        ]
    if not np.allclose(matrix, matrix.T, rtol=1e-6, atol=1e-12):
        return [f"{field} is not symmetric"]
    eigenvalues = np.linalg.eigvalsh(matrix)
    if eigenvalues.min() < -PSD_TOLERANCE * max(1.0, float(np.abs(eigenvalues).max())):
        return [
            f"{field} is not positive semi-definite (eigenvalue "
            f"{eigenvalues.min():.3g}); it cannot be a covariance matrix"
        ]
    return []


def draw_parameters(
    params: ParameterFile, rng: np.random.Generator, shared: SharedNormals | None = None
) -> ParameterFile:
    """One draw of `params` from its [[onzekerheid]] blocks (see the module docstring): the
    file's own blocks from `rng`, shared components from `shared` (needed when it has any)."""
    state = _Mutable.of(params)
    order = {"gamma": 0, "dirichlet": 1, "lognormaal": 2, "normaal": 3}
    relative: dict[str, tuple[ParameterKey, float, float]] = {}  # normaal: key, sum z, sum var
    for block in sorted(params.onzekerheid, key=lambda b: order[b.verdeling]):
        keys = [parse_key(k) for k in block.sleutels]
        if block.verdeling == "gamma":
            state.set(keys[0], float(rng.gamma(block.vorm, block.schaal)))
        elif block.verdeling == "dirichlet":
            names = list(block.concentratie or {})
            shares = rng.dirichlet([block.concentratie[n] for n in names])
            state.set_table(keys[0], dict(zip(names, shares.tolist(), strict=True)))
        else:
            normal = block.verdeling == "normaal"
            covariance = np.array(block.covariantie if normal else block.covariantie_log, float)
            if block.gedeeld is None:
                z = _multivariate_normal(rng, covariance)
            else:
                z = _shared_normal(shared, block.gedeeld, covariance)
            for key, value, variance in zip(keys, z, np.diag(covariance), strict=True):
                if not normal:
                    state.multiply(key, math.exp(value))
                    continue
                _, total, total_variance = relative.get(key.text, (key, 0.0, 0.0))
                relative[key.text] = (key, total + value, total_variance + variance)
    for key, total, variance in relative.values():
        state.multiply(key, float(normal_factors(np.array([total]), np.array([variance]))[0]))
    return state.parameters()


def normal_factors(z: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """max(1 + z, 0) / E[max(1 + z, 0)] for z ~ N(0, variance), elementwise: a relative deviation
    that keeps the mean (module docstring). E[max(1 + z, 0)] = Phi(1/s) + s phi(1/s), s = sd."""
    sd = np.sqrt(np.clip(variance, 0.0, None))
    ratio = np.divide(1.0, sd, out=np.full_like(sd, np.inf), where=sd > 0)
    unit = NormalDist()
    cdf = np.array([unit.cdf(r) if math.isfinite(r) else 1.0 for r in ratio])
    pdf = np.array([unit.pdf(r) if math.isfinite(r) else 0.0 for r in ratio])
    factors: np.ndarray = np.maximum(1.0 + z, 0.0) / (cdf + sd * pdf)
    return factors


def _multivariate_normal(rng: np.random.Generator, covariance: np.ndarray) -> np.ndarray:
    """N(0, covariance) by eigen-decomposition, so singular (semi-definite) matrices work too."""
    eigenvalues, vectors = np.linalg.eigh(covariance)
    return vectors @ (np.sqrt(np.clip(eigenvalues, 0, None)) * rng.standard_normal(len(covariance)))


def _shared_normal(shared: SharedNormals | None, name: str, covariance: np.ndarray) -> np.ndarray:
    """C^(1/2) u with the symmetric root, which is unique: files whose matrices are multiples
    of one another move exactly together (an eigenvector's sign or order would not)."""
    if shared is None:
        raise ValueError(f"shared component '{name}' drawn without the run's shared normals")
    eigenvalues, vectors = np.linalg.eigh(covariance)
    root = (vectors * np.sqrt(np.clip(eigenvalues, 0, None))) @ vectors.T
    z: np.ndarray = root @ shared(name, len(covariance))
    return z


@dataclass(slots=True)
class _Group:
    route: dict[str, float]  # route hazard at duur_factor 1
    factor: list[float]
    door: dict[str, float]
    had_factor: bool


@dataclass(slots=True)
class _Mutable:
    """A parameter file's values in the form draws act on; `parameters()` turns it back."""

    base: ParameterFile
    inflow: dict[str, Any]
    groups: dict[str, _Group]

    @staticmethod
    def of(params: ParameterFile) -> _Mutable:
        bands = len(params.duurbanden_maanden)
        groups = {
            name: _Group(
                route={r: g.uitstroom_per_jaar * s for r, s in g.uitstroom_routes.items()},
                factor=list(g.duur_factor or [1.0] * bands),
                door=dict(g.doorstroom_per_jaar),
                had_factor=g.duur_factor is not None,
            )
            for name, g in params.klantgroepen.items()
        }
        inflow = {
            "per_jaar": params.instroom.per_jaar,
            "trend_per_jaar": params.instroom.trend_per_jaar,
            "seizoen": list(params.instroom.seizoen) if params.instroom.seizoen else None,
            "klantgroepen": dict(params.instroom.klantgroepen),
        }
        return _Mutable(params, inflow, groups)

    def set(self, key: ParameterKey | None, value: float) -> None:
        assert key is not None
        self._apply(key, lambda _old: value)

    def multiply(self, key: ParameterKey | None, factor: float) -> None:
        assert key is not None
        if key.field == "trend_per_jaar":
            self.inflow["trend_per_jaar"] = (1 + self.inflow["trend_per_jaar"]) * factor - 1
            return
        self._apply(key, lambda old: old * factor)

    def set_table(self, key: ParameterKey | None, shares: dict[str, float]) -> None:
        assert key is not None
        if key.group is None:
            self.inflow["klantgroepen"] = shares
            return
        group = self.groups[key.group]
        total = sum(group.route.values())
        group.route = {r: total * s for r, s in shares.items()}

    def _apply(self, key: ParameterKey, change: Any) -> None:
        if key.group is None:
            self._apply_inflow(key, change)
            return
        group = self.groups[key.group]
        if key.field == "uitstroom_per_jaar":
            total = sum(group.route.values())
            new = change(total)
            group.route = {r: h * new / total for r, h in group.route.items()} if total else {}
        elif key.field == "uitstroom":
            group.route[key.name or ""] = change(group.route.get(key.name or "", 0.0))
        elif key.field in ("duur_factor", "uitstroom_band"):
            i = (key.index or 1) - 1
            scale = sum(group.route.values()) if key.field == "uitstroom_band" else 1.0
            group.factor[i] = change(group.factor[i] * scale) / scale if scale else 0.0
            group.had_factor = True
        else:
            group.door[key.name or ""] = change(group.door.get(key.name or "", 0.0))

    def _apply_inflow(self, key: ParameterKey, change: Any) -> None:
        if key.field == "seizoen":
            self.inflow["seizoen"][(key.index or 1) - 1] = change(
                self.inflow["seizoen"][(key.index or 1) - 1]
            )
        elif key.field == "klantgroepen":
            table = self.inflow["klantgroepen"]
            table[key.name] = change(table[key.name])
        else:
            self.inflow[key.field] = change(self.inflow[key.field])

    def parameters(self) -> ParameterFile:
        inflow = dict(self.inflow)
        if inflow["seizoen"] is not None:
            mean = sum(inflow["seizoen"]) / 12
            inflow["seizoen"] = [f / mean for f in inflow["seizoen"]]
        total = sum(inflow["klantgroepen"].values())
        inflow["klantgroepen"] = {g: s / total for g, s in inflow["klantgroepen"].items()}
        groups = {
            name: self._group(self.base.klantgroepen[name], g) for name, g in self.groups.items()
        }
        # model_copy does not validate: draws may stray outside the ranges a person would write
        return self.base.model_copy(
            update={
                "instroom": self.base.instroom.model_copy(update=inflow),
                "klantgroepen": groups,
            }
        )

    @staticmethod
    def _group(original: KlantgroepParameters, group: _Group) -> KlantgroepParameters:
        total = sum(group.route.values())
        update: dict[str, Any] = {"doorstroom_per_jaar": dict(group.door)}
        if total > 0:
            update["uitstroom_per_jaar"] = total
            update["uitstroom_routes"] = {r: h / total for r, h in group.route.items()}
        else:
            update["uitstroom_per_jaar"] = 0.0
        if group.had_factor:
            update["duur_factor"] = list(group.factor)
        return original.model_copy(update=update)
