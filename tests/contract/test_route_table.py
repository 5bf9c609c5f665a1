"""The route contract: every SPA call and every old backend route resolves to a handler, or is
honestly listed as pending."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar

from renum.app import create_app
from renum.config import Settings
from tests.contract.routes import ALL, BACKEND, BUILT, PENDING, PENDING_MODULES, SPA, Route

_PARAM = re.compile(r"\{[^}]+\}")


@pytest.fixture(scope="module")
def table() -> dict[str, set[str]]:
    """Every path the app serves, parameters blanked, with its methods."""
    app: Litestar = create_app(Settings())
    served: dict[str, set[str]] = {}
    for route in app.routes:
        methods = set(getattr(route, "methods", set())) - {"OPTIONS", "HEAD"}
        served.setdefault(_key(route.path), set()).update(methods)
    return served


def _key(path: str) -> str:
    # Litestar serves "/health/" with the "/health" handler: a trailing slash is the same route.
    return _PARAM.sub("{}", path.rstrip("/") or "/")


def _resolves(route: Route, table: dict[str, set[str]]) -> bool:
    return route.method in table.get(_key(route.path), set())


def test_the_table_holds_every_row_of_the_audit() -> None:
    assert len(BACKEND) == 39
    assert len(SPA) == 43
    assert len(set(ALL)) == len(ALL)


@pytest.mark.parametrize("route", BUILT, ids=lambda r: f"{r.side}:{r.method} {r.path}")
def test_built_routes_resolve_to_a_handler_with_that_method(route: Route, table: dict[str, set[str]]) -> None:
    assert _resolves(route, table), f"{route.method} {route.path} ({route.module}) has no handler"


@pytest.mark.parametrize("route", PENDING, ids=lambda r: f"{r.side}:{r.method} {r.path}")
def test_pending_routes_do_not_resolve_yet(route: Route, table: dict[str, set[str]]) -> None:
    assert not _resolves(route, table), (
        f"{route.method} {route.path} resolves now: remove module '{route.module}' from PENDING_MODULES"
    )


def test_health_leads_and_tasks_are_built() -> None:
    assert {"health", "leads", "tasks"}.isdisjoint(PENDING_MODULES)
