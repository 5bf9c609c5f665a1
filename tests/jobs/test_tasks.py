"""Tasks and jobs end to end: a real SAQ worker on a real Redis, the tasks table as the truth."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
import pytest
from litestar import Litestar
from saq.job import Status

from renum.clients.llm import AIInvalidKey, AINotConfigured, AIRateLimited, AIUnavailable
from renum.jobs.worker import build_worker, reconcile_tasks, worth_retrying
from renum.media import NoAudio
from renum.models import Task, TaskStatus, User
from renum.services.tasks import start_task
from tests.conftest import Creator
from tests.jobs import kinds_for_tests  # noqa: F401  (registers the test kinds)

Client = httpx.AsyncClient


async def _start(app: Litestar, creator: Creator, kind: str, **params: Any) -> uuid.UUID:
    async with app.state.session_factory() as db:
        user = await db.get(User, creator.id)
        assert user is not None
        task = await start_task(db, app.state.queue, user, kind=kind, params=params)
        return task.id


async def _wait(
    client: Client, creator: Creator, task_id: uuid.UUID, *, until: set[str], seconds: float = 20
) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        body = (await client.get(f"/api/tasks/status/{task_id}", headers=creator.headers)).json()
        if body["status"] in until:
            return body
        assert asyncio.get_running_loop().time() < deadline, f"task stayed {body['status']}"
        await asyncio.sleep(0.1)


async def test_a_task_runs_on_the_worker_and_reports_progress_and_result(
    client: Client, app: Litestar, creator: Creator, worker: Any
) -> None:
    task_id = await _start(app, creator, "test.echo", value="olá")
    body = await _wait(client, creator, task_id, until={"succeeded"})
    assert body["progress"] == 100
    assert body["done"] is True
    assert body["result"] == {"echo": "olá", "attempt": 1}
    assert body["started_at"] and body["finished_at"]


async def test_a_failed_task_tells_the_creator_what_to_do_in_their_language(
    client: Client, app: Litestar, creator: Creator, worker: Any
) -> None:
    task_id = await _start(app, creator, "test.explain_failure")
    body = await _wait(client, creator, task_id, until={"failed"})
    assert body["error"] == "Este vídeo não tem som, então não há silêncio para cortar. Envie uma versão com som."


async def test_a_problem_another_attempt_cannot_fix_fails_at_once_without_retries(
    client: Client, app: Litestar, creator: Creator, worker: Any
) -> None:
    task_id = await _start(app, creator, "test.explain_failure_with_retries")

    body = await _wait(client, creator, task_id, until={"failed"})

    assert body["error"].startswith("Este vídeo não tem som")
    job = await app.state.queue.job(str(task_id))
    assert job is not None and job.attempts == 1


async def test_an_unexpected_crash_is_reported_without_internal_details(
    client: Client, app: Litestar, creator: Creator, worker: Any
) -> None:
    task_id = await _start(app, creator, "test.crash")
    body = await _wait(client, creator, task_id, until={"failed"})
    assert "/var/lib" not in body["error"]
    assert body["error"]


async def test_a_task_that_fails_once_is_retried_and_succeeds(
    client: Client, app: Litestar, creator: Creator, worker: Any
) -> None:
    task_id = await _start(app, creator, "test.flaky")
    body = await _wait(client, creator, task_id, until={"succeeded", "failed"})
    assert body["status"] == "succeeded"
    assert body["result"] == {"attempt": 2}
    assert body["attempts"] == 2


async def test_jobs_carry_explicit_timeout_retries_and_ttl(app: Litestar, client: Client, creator: Creator) -> None:
    task_id = await _start(app, creator, "test.flaky")
    job = await app.state.queue.job(str(task_id))
    assert (job.timeout, job.retries, job.ttl, job.heartbeat) == (30, 2, 600, 60)


async def test_cancelling_a_running_task_stops_it(client: Client, app: Litestar, creator: Creator, worker: Any) -> None:
    task_id = await _start(app, creator, "test.slow")
    await _wait(client, creator, task_id, until={"running"})
    response = await client.delete(f"/api/tasks/cancel/{task_id}", headers=creator.headers)
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    job = await app.state.queue.job(str(task_id))
    for _ in range(50):
        await job.refresh()
        if job.status == Status.ABORTED:
            break
        await asyncio.sleep(0.1)
    assert job.status == Status.ABORTED
    assert (await client.get(f"/api/tasks/status/{task_id}", headers=creator.headers)).json()["status"] == "cancelled"


async def test_a_cancel_whose_abort_was_lost_still_stops_the_job(
    client: Client, app: Litestar, creator: Creator
) -> None:
    # A worker touching its jobs every second (a heartbeat of 6 s).
    running = build_worker(app.state.queue, app.state.session_factory, concurrency=1, grace_seconds=0, heartbeat=6)
    started = asyncio.create_task(running.start())
    try:
        task_id = await _start(app, creator, "test.slow")
        await _wait(client, creator, task_id, until={"running"})
        for _ in range(200):  # until the job has reported once: from then on it only sleeps
            if (await client.get(f"/api/tasks/status/{task_id}", headers=creator.headers)).json()["progress"] >= 5:
                break
            await asyncio.sleep(0.05)
        # What SAQ's read-then-write Job.update can do: the task is cancelled, the abort overwritten.
        async with app.state.session_factory() as db:
            task = await db.get(Task, task_id)
            assert task is not None
            task.status = TaskStatus.CANCELLED
            await db.commit()

        job = await app.state.queue.job(str(task_id))
        for _ in range(100):
            await job.refresh()
            if job.status == Status.ABORTED:
                break
            await asyncio.sleep(0.1)

        assert job.status == Status.ABORTED
    finally:
        await running.stop()
        started.cancel()


async def test_cancelling_a_queued_task_means_it_never_runs(client: Client, app: Litestar, creator: Creator) -> None:
    task_id = await _start(app, creator, "test.echo")
    assert (await client.delete(f"/api/tasks/cancel/{task_id}", headers=creator.headers)).status_code == 200
    body = (await client.get(f"/api/tasks/status/{task_id}", headers=creator.headers)).json()
    assert body["status"] == "cancelled"


async def test_cancelling_a_finished_task_is_409_with_a_message(
    client: Client, app: Litestar, creator: Creator, worker: Any
) -> None:
    task_id = await _start(app, creator, "test.echo")
    await _wait(client, creator, task_id, until={"succeeded"})
    response = await client.delete(f"/api/tasks/cancel/{task_id}", headers=creator.headers)
    assert response.status_code == 409
    assert response.json()["message"]


async def test_another_creators_task_is_not_found(
    client: Client, app: Litestar, creator: Creator, other_creator: Creator
) -> None:
    task_id = await _start(app, creator, "test.echo")
    assert (await client.get(f"/api/tasks/status/{task_id}", headers=other_creator.headers)).status_code == 404
    assert (await client.delete(f"/api/tasks/cancel/{task_id}", headers=other_creator.headers)).status_code == 404
    assert (await client.get(f"/api/tasks/status/{task_id}", headers=creator.headers)).json()["status"] == "queued"


async def test_unknown_task_id_is_404_and_a_malformed_one_is_refused(client: Client, creator: Creator) -> None:
    assert (await client.get(f"/api/tasks/status/{uuid.uuid4()}", headers=creator.headers)).status_code == 404
    assert (await client.get("/api/tasks/status/123", headers=creator.headers)).status_code in (400, 404, 422)


async def test_queue_stats_count_only_the_callers_tasks_and_see_the_worker(
    client: Client, app: Litestar, creator: Creator, other_creator: Creator, worker: Any
) -> None:
    done = await _start(app, creator, "test.echo")
    await _wait(client, creator, done, until={"succeeded"})
    await _start(app, other_creator, "test.slow")

    stats = (await client.get("/api/tasks/queue/stats", headers=creator.headers)).json()
    assert stats["mine"]["succeeded"] == 1
    assert sum(stats["mine"].values()) == 1
    assert stats["workers"] >= 1
    assert {"queued", "active", "scheduled"} <= set(stats)


async def test_the_status_partial_polls_until_the_task_ends(
    client: Client, app: Litestar, creator: Creator, worker: Any
) -> None:
    task_id = await _start(app, creator, "test.slow")
    running = await client.get(f"/api/tasks/status/{task_id}", headers={**creator.headers, "HX-Request": "true"})
    assert "hx-trigger" in running.text and "<progress" in running.text

    await client.delete(f"/api/tasks/cancel/{task_id}", headers=creator.headers)
    ended = await client.get(f"/api/tasks/status/{task_id}", headers={**creator.headers, "HX-Request": "true"})
    assert "hx-trigger" not in ended.text


async def test_a_task_whose_job_vanished_is_marked_failed_not_left_running(
    client: Client, app: Litestar, creator: Creator
) -> None:
    task_id = await _start(app, creator, "test.echo")
    job = await app.state.queue.job(str(task_id))
    await app.state.queue.abort(job, error="worker died")
    async with app.state.session_factory() as db:
        task = await db.get(Task, task_id)
        assert task is not None
        task.status = TaskStatus.RUNNING
        await db.commit()

    changed = await reconcile_tasks(
        {"queue": app.state.queue, "session_factory": app.state.session_factory}, stale_after=-1
    )
    assert changed == 1
    body = (await client.get(f"/api/tasks/status/{task_id}", headers=creator.headers)).json()
    assert body["status"] == "failed"
    assert body["error"]


async def test_a_task_whose_job_was_left_aborting_by_a_dead_worker_is_marked_failed(
    client: Client, app: Litestar, creator: Creator
) -> None:
    task_id = await _start(app, creator, "test.echo")
    job = await app.state.queue.job(str(task_id))
    # What SAQ's sweep leaves when it takes a job a worker is just starting for a stuck one, and that
    # worker then dies: an abort requested that nobody will carry out.
    await job.update(status=Status.ABORTING)
    async with app.state.session_factory() as db:
        task = await db.get(Task, task_id)
        assert task is not None
        task.status = TaskStatus.RUNNING
        await db.commit()

    changed = await reconcile_tasks(
        {"queue": app.state.queue, "session_factory": app.state.session_factory}, stale_after=-1
    )

    assert changed == 1
    body = (await client.get(f"/api/tasks/status/{task_id}", headers=creator.headers)).json()
    assert body["status"] == "failed" and body["done"] is True


async def test_the_tasks_page_lists_the_creators_tasks(client: Client, app: Litestar, creator: Creator) -> None:
    await _start(app, creator, "test.echo")
    page = await client.get("/tasks", headers={**creator.headers, "Accept": "text/html"})
    assert page.status_code == 200
    assert page.text.count('data-testid="task"') == 1


async def test_a_job_whose_worker_died_is_swept_retried_and_finishes(
    client: Client, app: Litestar, creator: Creator
) -> None:
    queue = app.state.queue
    task_id = await _start(app, creator, "test.echo_short_heartbeat", value="again")

    # A worker takes the job and dies without a word: the job stays active and stops being touched.
    taken = await queue.dequeue()
    assert taken is not None and taken.key == str(task_id)
    taken.attempts += 1
    await taken.update(status=Status.ACTIVE, started=int(time.time() * 1000))
    await asyncio.sleep(1.5)

    swept = await queue.sweep()
    assert str(task_id) in " ".join(swept)

    survivor = build_worker(queue, app.state.session_factory, concurrency=1, in_process=True, grace_seconds=0)
    running = asyncio.create_task(survivor.start())
    try:
        body = await _wait(client, creator, task_id, until={"succeeded", "failed"})
    finally:
        await survivor.stop()
        running.cancel()
    assert body["status"] == "succeeded"
    assert body["result"] == {"echo": "again", "attempt": 2}


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (AINotConfigured(), False),
        (AIInvalidKey(), False),
        (NoAudio("no stream"), False),
        (AIUnavailable(), True),
        (AIRateLimited(), True),
        (RuntimeError("connection reset"), True),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_only_failures_another_attempt_could_fix_are_retried(error: Exception, retried: bool) -> None:
    assert worth_retrying(error) is retried
