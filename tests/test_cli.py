"""The `renum` command, as scripts use it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from renum.config import Settings
from renum.jobs.worker import create_queue

RENUM = [sys.executable, "-c", "from renum.cli import main; main()"]


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*RENUM, *args], env=env, capture_output=True, text=True, timeout=120, check=False)
    # The CLI draws errors in a box; read them as plain words.
    done.stderr = " ".join(done.stderr.replace("│", " ").split())
    return done


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("RENUM_")}
    env["RENUM_DATA_DIR"] = str(tmp_path / "data")
    return env


def test_users_create_then_tokens_create_prints_a_working_token_on_the_last_line(
    cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    created = _run(["users", "create", "Cli@Example.com", "--password", "senha-forte-2026"], cli_env)
    assert created.returncode == 0, created.stderr
    assert "cli@example.com" in created.stdout

    issued = _run(["tokens", "create", "cli@example.com"], cli_env)
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip().splitlines()[-1]
    assert token.startswith("rnm_")
    assert token not in issued.stderr

    for key, value in cli_env.items():
        if key.startswith("RENUM_"):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("RENUM_DATABASE_MIGRATE_ON_START", "false")
    from litestar.testing import TestClient

    from renum.app import create_app

    with TestClient(create_app(Settings())) as client:
        profile = client.get("/api/account/profile", headers={"Authorization": f"Bearer {token}"})
    assert profile.status_code == 200
    assert profile.json()["email"] == "cli@example.com"
    assert isinstance(profile, httpx.Response)


def test_users_create_refuses_a_weak_password_and_a_duplicate(cli_env: dict[str, str]) -> None:
    weak = _run(["users", "create", "weak@example.com", "--password", "short"], cli_env)
    assert weak.returncode != 0
    assert "10 characters" in weak.stderr

    assert _run(["users", "create", "dup@example.com", "--password", "senha-forte-2026"], cli_env).returncode == 0
    dup = _run(["users", "create", "dup@example.com", "--password", "senha-forte-2026"], cli_env)
    assert dup.returncode != 0
    assert "already exists" in dup.stderr


def test_tokens_create_for_an_unknown_email_fails_with_a_way_forward(cli_env: dict[str, str]) -> None:
    result = _run(["tokens", "create", "ghost@example.com"], cli_env)
    assert result.returncode != 0
    assert "renum users create" in result.stderr


async def test_workers_run_serves_the_queue_until_stopped(settings: Settings) -> None:
    env = {key: value for key, value in os.environ.items()}
    process = await asyncio.create_subprocess_exec(
        *RENUM, "workers", "run", "--concurrency", "1", env=env, stderr=asyncio.subprocess.PIPE
    )
    redis = Redis.from_url(settings.redis.url or "")
    queue = create_queue(redis, settings.redis.queue_name)
    try:
        for _ in range(150):
            if (await queue.info()).get("workers"):
                break
            await asyncio.sleep(0.1)
        assert (await queue.info()).get("workers"), "the worker never registered with the queue"
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), timeout=30)
        await redis.aclose()
    assert code == 0
