"""Load scenarios from YAML/JSON text, files, names of shipped scenarios, or dicts."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml

from ..core.clock import parse_duration
from ..core.lifecycle import Timing
from ..core.models import Outcome
from .schema import SCHEMA_VERSION, Fault, Match, RateLimit, Rule, Scenario

__all__ = ["ScenarioError", "load_scenario", "parse_scenario", "scenario_dirs", "shipped_scenarios"]

_TOP_KEYS = (
    "name",
    "description",
    "version",
    "seed",
    "timing",
    "rules",
    "faults",
    "rate_limits",
    "providers",
    "accounts",
)
_MATCH_KEYS = ("provider", "endpoint", "to", "from", "text")
_TIMING_KEYS = ("processing", "sent", "delivered")


class ScenarioError(ValueError):
    """A scenario that cannot be used; says where (file, field) and why."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> None:
        self.reason, self.source, self.field, self.line = message, source, field, line
        where = ":".join(str(p) for p in (source, line) if p is not None)
        prefix = f"{where}: " if where else ""
        at = f"{field}: " if field else ""
        super().__init__(f"{prefix}{at}{message}")


def scenario_dirs() -> list[Path]:
    """Where shipped scenarios live (installed package first, then the source tree)."""
    here = Path(__file__).resolve().parent.parent
    return [p for p in (here / "_scenarios", here.parent / "scenarios") if p.is_dir()]


def shipped_scenarios() -> dict[str, Path]:
    """Shipped scenario name → file."""
    found: dict[str, Path] = {}
    for directory in scenario_dirs():
        for path in sorted(directory.glob("*.y*ml")):
            found.setdefault(path.stem, path)
    return found


def _suggest(key: str, valid: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, valid, n=1)
    return f" (did you mean {close[0]!r}?)" if close else f" (valid keys: {', '.join(valid)})"


def _check_keys(data: dict[str, Any], valid: tuple[str, ...], where: str) -> None:
    for key in data:
        if key not in valid:
            raise ScenarioError(
                f"unknown key {key!r}{_suggest(str(key), valid)}", field=where + str(key)
            )


def _duration(value: Any, field: str) -> float:
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise ScenarioError(str(exc), field=field) from None


def _match(data: Any, field: str) -> Match:
    if data is None:
        return Match()
    if not isinstance(data, dict):
        raise ScenarioError("must be a mapping", field=field)
    _check_keys(data, _MATCH_KEYS, field + ".")
    for key, value in data.items():
        if not isinstance(value, str):
            raise ScenarioError("must be a string", field=f"{field}.{key}")
    return Match(
        data.get("provider"),
        data.get("endpoint"),
        data.get("to"),
        data.get("from"),
        data.get("text"),
    )


def _outcomes(value: Any, field: str) -> tuple[tuple[str, float], ...]:
    valid = tuple(o.value for o in Outcome)
    if isinstance(value, str):
        value = {value: 1.0}
    if not isinstance(value, dict) or not value:
        raise ScenarioError("must be an outcome name or a mapping of outcome → weight", field=field)
    pairs = []
    for name, weight in value.items():
        if name not in valid:
            raise ScenarioError(
                f"unknown outcome {name!r}{_suggest(str(name), valid)}", field=field
            )
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            raise ScenarioError("weights must be non-negative numbers", field=f"{field}.{name}")
        pairs.append((name, float(weight)))
    if sum(w for _, w in pairs) <= 0:
        raise ScenarioError("weights must not all be zero", field=field)
    return tuple(pairs)


def parse_scenario(data: Any, *, source: str | None = None) -> Scenario:
    """Validate a scenario document (already parsed from YAML/JSON)."""
    try:
        return _parse(data)
    except ScenarioError as exc:
        if source is not None and exc.source is None:
            raise ScenarioError(exc.reason, source=source, field=exc.field, line=exc.line) from None
        raise


def _parse(data: Any) -> Scenario:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError("a scenario must be a mapping")
    _check_keys(data, _TOP_KEYS, "")
    version = data.get("version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise ScenarioError(
            f"unsupported version {version!r} (this emulator reads {SCHEMA_VERSION})",
            field="version",
        )
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ScenarioError("must be an integer", field="seed")
    timing_data = data.get("timing") or {}
    if not isinstance(timing_data, dict):
        raise ScenarioError("must be a mapping", field="timing")
    _check_keys(timing_data, _TIMING_KEYS, "timing.")
    defaults = Timing()
    timing = Timing(
        **{
            key: _duration(timing_data[key], f"timing.{key}")
            if key in timing_data
            else getattr(defaults, key)
            for key in _TIMING_KEYS
        }
    )

    rules = []
    for i, rule in enumerate(data.get("rules") or []):
        field = f"rules[{i}]"
        if not isinstance(rule, dict):
            raise ScenarioError("must be a mapping", field=field)
        _check_keys(rule, ("when", "outcome", "error_code"), field + ".")
        if "outcome" not in rule:
            raise ScenarioError("missing 'outcome'", field=field)
        error_code = rule.get("error_code")
        rules.append(
            Rule(
                _match(rule.get("when"), field + ".when"),
                _outcomes(rule["outcome"], field + ".outcome"),
                None if error_code is None else str(error_code),
            )
        )

    faults = []
    for i, fault in enumerate(data.get("faults") or []):
        field = f"faults[{i}]"
        if not isinstance(fault, dict):
            raise ScenarioError("must be a mapping", field=field)
        _check_keys(fault, ("when", "calls", "every", "first", "respond"), field + ".")
        respond = fault.get("respond")
        if not isinstance(respond, dict) or not respond:
            raise ScenarioError("missing or empty 'respond'", field=field)
        calls = fault.get("calls") or []
        if not isinstance(calls, list) or not all(isinstance(c, int) and c > 0 for c in calls):
            raise ScenarioError("must be a list of positive call numbers", field=field + ".calls")
        faults.append(
            Fault(
                _match(fault.get("when"), field + ".when"),
                dict(respond),
                tuple(calls),
                fault.get("every"),
                fault.get("first"),
            )
        )

    rate_limits = {}
    for provider, limit in (data.get("rate_limits") or {}).items():
        field = f"rate_limits.{provider}"
        if not isinstance(limit, dict):
            raise ScenarioError("must be a mapping", field=field)
        _check_keys(limit, ("requests", "per"), field + ".")
        requests = limit.get("requests")
        if isinstance(requests, bool) or not isinstance(requests, int) or requests < 1:
            raise ScenarioError("must be a positive integer", field=field + ".requests")
        rate_limits[str(provider)] = RateLimit(
            requests, _duration(limit.get("per", 60), field + ".per")
        )

    providers = data.get("providers") or {}
    accounts = data.get("accounts") or {}
    for key, value in (("providers", providers), ("accounts", accounts)):
        if not isinstance(value, dict):
            raise ScenarioError("must be a mapping", field=key)
    return Scenario(
        name=str(data.get("name", "custom")),
        description=str(data.get("description", "")),
        version=version,
        seed=seed,
        timing=timing,
        rules=tuple(rules),
        faults=tuple(faults),
        rate_limits=rate_limits,
        providers=dict(providers),
        accounts=dict(accounts),
        source=data,
    )


def load_scenario(spec: str | Path | dict[str, Any] | Scenario | None) -> Scenario:
    """A scenario from a shipped name, a file path, YAML/JSON text, a dict or a Scenario."""
    if spec is None:
        spec = "happy-path"
    if isinstance(spec, Scenario):
        return spec
    if isinstance(spec, dict):
        return parse_scenario(spec)
    shipped = shipped_scenarios()
    if isinstance(spec, str) and spec in shipped:
        spec = shipped[spec]
    path = Path(spec)
    if isinstance(spec, Path) or (
        isinstance(spec, str) and "\n" not in spec and path.suffix in (".yaml", ".yml", ".json")
    ):
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            known = ", ".join(sorted(shipped)) or "none"
            raise ScenarioError(
                f"cannot read scenario: {exc.strerror or exc} (shipped scenarios: {known})",
                source=str(spec),
            ) from None
        return parse_scenario_text(text, source=str(spec))
    if isinstance(spec, str) and ("\n" in spec or spec.lstrip().startswith("{")):
        return parse_scenario_text(spec)
    known = ", ".join(sorted(shipped)) or "none"
    raise ScenarioError(f"unknown scenario {spec!r} (shipped scenarios: {known})")


def parse_scenario_text(text: str, *, source: str | None = None) -> Scenario:
    """Parse YAML (JSON is valid YAML) and validate it."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"not valid YAML/JSON: {problem}", source=source, line=line) from None
    return parse_scenario(data, source=source)
