"""What the commands share: turning library errors into exit code 2, and a lazy progress bar."""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from importlib import metadata
from typing import Any, TypeVar

import click

from simbijstand.errors import ScenarioError, SimbijstandError

F = TypeVar("F", bound=Callable[..., Any])
USER_ERROR = 2


def version() -> str:
    try:
        return metadata.version("simbijstand")
    except metadata.PackageNotFoundError:
        return "unknown"


def user_errors(command: F) -> F:
    """Report a SimbijstandError as `error: ...` on stderr and exit with code 2."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ScenarioError as exc:
            for problem in exc.problems:
                click.echo(f"error: {problem}", err=True)
            sys.exit(USER_ERROR)
        except SimbijstandError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(USER_ERROR)
        except KeyboardInterrupt:
            click.echo(
                "interrupted; the run directory has no manifest and is incomplete "
                "(finish it with: simbijstand run --resume RUN_DIR)",
                err=True,
            )
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


class LazyProgressBar:
    """A progress bar that only appears once a run has taken longer than `after` seconds."""

    def __init__(self, label: str, after: float = 2.0, enabled: bool = True) -> None:
        self.label = label
        self.after = after
        self.enabled = enabled
        self.started = time.monotonic()
        self._bar: Any = None
        self._shown = 0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            if time.monotonic() - self.started < self.after or done >= total:
                return
            self._bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._shown)
        self._shown = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
