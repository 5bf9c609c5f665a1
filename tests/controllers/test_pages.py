"""Pages: the landing page, the home page, languages and error pages."""

from __future__ import annotations

import httpx

from tests.conftest import Creator, sign_up

Client = httpx.AsyncClient
HTML = {"Accept": "text/html"}


async def test_anonymous_visitors_get_the_landing_page_in_portuguese(client: Client) -> None:
    page = await client.get("/", headers=HTML)
    assert page.status_code == 200
    assert '<html lang="pt-BR">' in page.text
    assert "na lista" in page.text and "Entre na lista" in page.text
    assert 'name="email"' in page.text and 'name="website"' in page.text


async def test_a_browser_that_asks_for_english_gets_english(client: Client) -> None:
    page = await client.get("/", headers={**HTML, "Accept-Language": "en-US,en;q=0.9,pt;q=0.5"})
    assert '<html lang="en">' in page.text
    assert "creators on the list" in page.text


async def test_the_language_switch_is_remembered_for_anonymous_visitors(client: Client) -> None:
    switched = await client.post("/language", json={"language": "en"})
    assert switched.status_code == 200
    page = await client.get("/", headers=HTML)
    assert '<html lang="en">' in page.text


async def test_an_unknown_language_is_refused(client: Client) -> None:
    response = await client.post("/language", json={"language": "fr"})
    assert response.status_code == 422
    assert "language" in response.json()["fields"]


async def test_the_landing_page_shows_the_live_count(client: Client) -> None:
    await client.post("/api/leads", json={"email": "one@example.com"})
    await client.post("/api/leads", json={"email": "two@example.com"})
    page = await client.get("/", headers=HTML)
    assert 'data-count="2"' in page.text


async def test_signed_in_creators_get_their_home_page_in_their_language(client: Client) -> None:
    csrf = await sign_up(client, "home@example.com")
    page = await client.get("/", headers=HTML)
    assert "Tarefas recentes" in page.text
    await client.put("/api/account/profile", json={"language": "en"}, headers={"X-CSRF-Token": csrf})
    page = await client.get("/", headers=HTML)
    assert "Recent tasks" in page.text


async def test_unknown_api_paths_answer_json_404(client: Client) -> None:
    response = await client.get("/api/does-not-exist", headers=HTML)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_unknown_pages_answer_a_friendly_page_in_the_browsers_language(client: Client) -> None:
    response = await client.get("/nothing-here", headers={**HTML, "Accept-Language": "en"})
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Back to the start" in response.text


async def test_htmx_errors_are_partials_retargeted_to_the_message_area(client: Client, creator: Creator) -> None:
    response = await client.put(
        "/api/account/profile", json={"timezone": "Nowhere/City"}, headers={**creator.headers, "HX-Request": "true"}
    )
    assert response.status_code == 422
    assert response.headers["hx-retarget"] == "#messages"
    assert 'data-testid="error"' in response.text
    assert "<html" not in response.text


async def test_pages_load_htmx_from_this_server_only(client: Client) -> None:
    page = await client.get("/", headers=HTML)
    assert 'src="/static/vendor/htmx/htmx-2.0.8.min.js"' in page.text
    assert "http://" not in page.text.split("<body")[0] and "https://" not in page.text.split("<body")[0]
    script = await client.get("/static/vendor/htmx/htmx-2.0.8.min.js")
    assert script.status_code == 200 and "htmx" in script.text[:200]


async def test_user_text_is_escaped_in_pages(client: Client) -> None:
    csrf = await sign_up(client, "xss@example.com")
    await client.put("/api/account/profile", json={"name": "<script>alert(1)</script>"}, headers={"X-CSRF-Token": csrf})
    page = await client.get("/", headers=HTML)
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text


async def test_the_openapi_schema_is_served(client: Client) -> None:
    for path in ("/schema", "/schema/openapi.json"):
        response = await client.get(path)
        assert response.status_code == 200
        assert "/api/tasks/status/{task_id}" in response.json()["paths"]
