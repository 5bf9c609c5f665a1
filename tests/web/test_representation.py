"""One handler, three representations, and old paths served as deprecated aliases."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request, Response, post
from litestar.testing import AsyncTestClient
from msgspec import Struct

from renum.web.aliases import DeprecationHeaders, mark_deprecated_in_schema, paths
from renum.web.representation import respond
from renum.web.templating import template_config


class Greeting(Struct):
    text: str


@post(paths("/api/sample/greet", "/api/modules/9/old-greet"), status_code=200)
async def greet(request: Request[Any, Any, Any]) -> Response[Greeting]:
    return respond(request, Greeting(text="olá"), partial="_sample.html")


def _app(tmp_path: Any) -> Litestar:
    (tmp_path / "_sample.html").write_text("<p class='greeting'>{{ data.text }}</p>")
    config = template_config()
    config.directory = [tmp_path, config.directory]  # type: ignore[list-item]
    app = Litestar(route_handlers=[greet], middleware=[DeprecationHeaders()], template_config=config)
    mark_deprecated_in_schema(app)
    return app


async def test_the_same_handler_answers_json_and_an_htmx_partial(tmp_path: Any) -> None:
    async with AsyncTestClient(_app(tmp_path)) as client:
        as_json = await client.post("/api/sample/greet")
        as_htmx = await client.post("/api/sample/greet", headers={"HX-Request": "true"})
    assert as_json.json() == {"text": "olá"}
    assert as_htmx.text == "<p class='greeting'>olá</p>"


async def test_an_old_path_reaches_the_same_handler_with_a_deprecation_header(tmp_path: Any) -> None:
    async with AsyncTestClient(_app(tmp_path)) as client:
        new = await client.post("/api/sample/greet")
        old = await client.post("/api/modules/9/old-greet")
    assert old.json() == new.json()
    assert "deprecation" not in new.headers
    assert old.headers["deprecation"] == "true"
    assert old.headers["link"] == '</api/sample/greet>; rel="successor-version"'


async def test_only_the_old_path_is_deprecated_in_the_schema(tmp_path: Any) -> None:
    app = _app(tmp_path)
    async with AsyncTestClient(app) as client:
        schema = (await client.get("/schema/openapi.json")).json()
    assert schema["paths"]["/api/modules/9/old-greet"]["post"]["deprecated"] is True
    assert not schema["paths"]["/api/sample/greet"]["post"].get("deprecated")
