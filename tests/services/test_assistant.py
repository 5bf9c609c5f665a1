"""The assistant's context without HTTP: what the model is told about the creator, and how much history."""

from __future__ import annotations

import httpx
from litestar import Litestar

from renum.models import User
from renum.services.assistant import HISTORY_CHARS, prepare_turn, record_turn
from tests.conftest import Creator


async def test_long_messages_push_older_turns_out_of_the_prompt(
    app: Litestar, client: httpx.AsyncClient, creator: Creator
) -> None:
    async with app.state.session_factory() as db:
        user = await db.get(User, creator.id)
        assert user is not None
        turn = await prepare_turn(db, user, message="primeira " + "a" * 100)
        exchange = await record_turn(db, user, turn, "resposta 1")
        for n in range(2, 6):
            message = f"pergunta {n} " + "b" * (HISTORY_CHARS // 4)
            turn = await prepare_turn(db, user, message=message, conversation_id=exchange.conversation.id)
            await record_turn(db, user, turn, f"resposta {n}")

        turn = await prepare_turn(db, user, message="última", conversation_id=exchange.conversation.id)

    history = [m.content for m in turn.prompt[1:-1]]
    assert sum(len(text) for text in history) <= HISTORY_CHARS
    assert history[-1] == "resposta 5"
    assert not any(text.startswith("primeira") for text in history)
    assert turn.prompt[-1].content == "última"


async def test_the_prompt_speaks_the_creators_language(
    app: Litestar, client: httpx.AsyncClient, creator: Creator
) -> None:
    async with app.state.session_factory() as db:
        user = await db.get(User, creator.id)
        assert user is not None
        portuguese = await prepare_turn(db, user, message="Oi")
        user.language = "en"
        english = await prepare_turn(db, user, message="Hi")

    assert "Responda em português do Brasil" in portuguese.prompt[0].content
    assert "Answer in English" in english.prompt[0].content
