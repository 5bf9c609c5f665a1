"""ScriptAI: writing scripts with the AI, revising them, and the drafts a creator keeps.

Canonical paths are the SPA's (``/api/scriptai/...``); the old backend's ``/api/modules/1/...``
paths are deprecated aliases on the same handlers. The pages ``/scriptai`` (write) and
``/scriptai/drafts`` (keep) use these routes: htmx gets the editor partial, and the page's script
reads ``/api/scriptai/generate/stream`` to show the script as it is written.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import ServerSentEvent, Template
from litestar.response.sse import ServerSentEventMessage
from msgspec import Struct

from renum.i18n import N_
from renum.models import Draft, DraftVersion, User
from renum.services import scriptai
from renum.services.scriptai import Script, ScriptBrief, ScriptText
from renum.web.ai import AI, AI_DEPENDENCIES, ai_missing, event, limit_ai_calls, render_partial, stream_events
from renum.web.aliases import paths
from renum.web.deps import DB, AppSettings, CurrentCreator
from renum.web.representation import respond

__all__ = ["ScriptAIController"]

EDITOR = "scriptai/_editor.html"
CHANGED = {"HX-Trigger": "draft-changed"}
"""Tells the page's version list (which listens for it) that the draft has a new version."""

TONES = [N_("conversational"), N_("funny"), N_("educational"), N_("inspiring"), N_("professional"), N_("urgent")]
"""Tones the form suggests (translated: the model reads the tone as the creator wrote it)."""


class Regenerate(Struct, forbid_unknown_fields=False):
    """A revision to make: of ``script``, or of the saved draft ``draft_id`` (saved to it as a new version).

    ``section`` names one part: a body section's index (from 0), ``"hook"`` or ``"call_to_action"``;
    without it the whole script is rewritten.
    """

    script: ScriptText | None = None
    draft_id: uuid.UUID | None = None
    version: int | None = None
    section: int | str | None = None
    instruction: str = ""


class DraftCreate(Struct, forbid_unknown_fields=False):
    """A script to keep as a new draft."""

    script: ScriptText


class DraftUpdate(Struct, forbid_unknown_fields=False):
    """The draft's new script, and the version the client's copy was (409 when the draft moved on)."""

    script: ScriptText
    version: int


class Restore(Struct, forbid_unknown_fields=False):
    """Optionally, the version the client's copy is, to refuse a restore over newer work."""

    version: int | None = None


class DraftInfo(Struct):
    """A draft without its script."""

    id: uuid.UUID
    title: str
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, draft: Draft) -> DraftInfo:
        return cls(
            id=draft.id,
            title=draft.title,
            version=draft.version,
            created_at=draft.created_at,
            updated_at=draft.updated_at,
        )


class DraftView(Struct):
    """A draft with its script, measured."""

    id: uuid.UUID
    title: str
    version: int
    created_at: datetime
    updated_at: datetime
    script: Script

    @classmethod
    def of(cls, draft: Draft) -> DraftView:
        return cls(
            id=draft.id,
            title=draft.title,
            version=draft.version,
            created_at=draft.created_at,
            updated_at=draft.updated_at,
            script=scriptai.script_of(draft),
        )


class Revised(Struct):
    """A revised script, and the draft it was saved to when it came from one."""

    script: Script
    draft: DraftInfo | None


class DraftSummary(Struct):
    """A draft as listed."""

    id: uuid.UUID
    title: str
    topic: str
    platform: str
    language: str
    duration_seconds: int
    estimated_seconds: int
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, draft: Draft) -> DraftSummary:
        return cls(
            id=draft.id,
            title=draft.title,
            topic=draft.topic,
            platform=draft.platform,
            language=draft.language,
            duration_seconds=draft.duration_seconds,
            estimated_seconds=scriptai.script_of(draft).estimated_seconds,
            version=draft.version,
            created_at=draft.created_at,
            updated_at=draft.updated_at,
        )


class DraftList(Struct):
    """One page of drafts, last changed first."""

    items: list[DraftSummary]
    total: int
    page: int
    per_page: int
    query: str

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class VersionSummary(Struct):
    """A version as listed: why it was kept, and its length."""

    number: int
    reason: str
    title: str
    created_at: datetime
    estimated_seconds: int

    @classmethod
    def of(cls, row: DraftVersion) -> VersionSummary:
        script = scriptai.measure(msgspec.convert(row.content, ScriptText))
        return cls(
            number=row.number,
            reason=row.reason,
            title=row.title,
            created_at=row.created_at,
            estimated_seconds=script.estimated_seconds,
        )


class VersionView(Struct):
    """A version with its script."""

    number: int
    reason: str
    created_at: datetime
    script: Script

    @classmethod
    def of(cls, row: DraftVersion) -> VersionView:
        script = scriptai.measure(msgspec.convert(row.content, ScriptText))
        return cls(number=row.number, reason=row.reason, created_at=row.created_at, script=script)


class VersionList(Struct):
    """A draft's versions, newest first, and which one is current."""

    draft_id: uuid.UUID
    current: int
    items: list[VersionSummary]


def _editor(
    request: Request[Any, Any, Any],
    data: Any,
    script: Script,
    draft: Draft | None,
    *,
    status_code: int = 200,
    changed: bool = False,
) -> Response[Any]:
    """``data`` as JSON, or the editor holding ``script`` (and ``draft``) for htmx."""
    return respond(
        request,
        data,
        partial=EDITOR,
        context={"script": script, "draft": DraftInfo.of(draft) if draft else None},
        status_code=status_code,
        headers=CHANGED if changed else None,
    )


async def _script_events(
    request: Request[Any, Any, Any], stream: AsyncIterator[str | Script]
) -> AsyncIterator[ServerSentEventMessage]:
    """``delta`` for each piece of text, then ``script`` with the script and the editor's HTML."""
    async for item in stream:
        if isinstance(item, str):
            yield event("delta", text=item)
        else:
            html = render_partial(request, EDITOR, script=item, draft=None)
            yield event("script", script=msgspec.to_builtins(item), html=html)


async def _draft_list(db: DB, creator: User, query: str, page: int, per_page: int) -> DraftList:
    found = await scriptai.list_drafts(db, creator, query=query, page=page, per_page=per_page)
    items = [DraftSummary.of(draft) for draft in found.drafts]
    return DraftList(items=items, total=found.total, page=found.page, per_page=found.per_page, query=query)


Page = Annotated[int, QueryParameter(ge=1, description="Page number, from 1.")]
PerPage = Annotated[int, QueryParameter(ge=1, le=100, description="Drafts per page (at most 100).")]
Query = Annotated[str, QueryParameter(max_length=200, description="Words the draft must contain (any case or accent).")]


class ScriptAIController(Controller):
    """Scripts written with the AI, and the creator's drafts."""

    tags = ["scriptai"]
    dependencies = AI_DEPENDENCIES

    # -- pages ---------------------------------------------------------------------------------

    @get("/scriptai", include_in_schema=False)
    async def scriptai_page(self, request: Request[Any, Any, State], creator: CurrentCreator) -> Template:
        """The brief form; the script streams into the editor below it."""
        language = "en" if creator.language == "en" else "pt-BR"
        return Template(
            "scriptai/index.html",
            context={
                "ai_missing": ai_missing(request),
                "platforms": scriptai.PLATFORMS,
                "tones": TONES,
                "language": language,
            },
        )

    @get("/scriptai/drafts", include_in_schema=False)
    async def drafts_page(self, db: DB, creator: CurrentCreator, q: Query = "", page: Page = 1) -> Template:
        """The creator's drafts, searchable."""
        return Template("scriptai/drafts.html", context={"data": await _draft_list(db, creator, q, page, 20)})

    @get("/scriptai/drafts/{draft_id:uuid}", include_in_schema=False)
    async def draft_page(
        self, request: Request[Any, Any, State], draft_id: FromPath[uuid.UUID], db: DB, creator: CurrentCreator
    ) -> Template:
        """A draft in the editor, with its versions."""
        draft = await scriptai.get_draft(db, creator, draft_id)
        return Template(
            "scriptai/draft.html",
            context={
                "script": scriptai.script_of(draft),
                "draft": DraftInfo.of(draft),
                "ai_missing": ai_missing(request),
            },
        )

    # -- writing -------------------------------------------------------------------------------

    @post(
        paths("/api/scriptai/generate", "/api/modules/1/generate-script"),
        status_code=200,
        summary="Write a script for a topic, platform and duration",
    )
    async def generate_script(
        self,
        request: Request[Any, Any, State],
        data: JSONBody[ScriptBrief],
        creator: CurrentCreator,
        llm: AI,
        settings: AppSettings,
    ) -> Response[Script]:
        """A structured script whose spoken length lands within 20% of ``duration_seconds`` (else 502)."""
        await limit_ai_calls(request, settings, creator)
        script = await scriptai.write_script(llm, creator, data)
        return _editor(request, script, script, None)

    @post("/api/scriptai/generate/stream", status_code=200, summary="Write a script, streamed as it is written")
    async def stream_script(
        self,
        request: Request[Any, Any, State],
        data: JSONBody[ScriptBrief],
        creator: CurrentCreator,
        llm: AI,
        settings: AppSettings,
    ) -> ServerSentEvent:
        """Server-sent events: ``delta`` ``{text}`` while the model writes, then ``script`` ``{script, html}``
        (or ``error`` ``{status, code, message, fields}``)."""
        await limit_ai_calls(request, settings, creator)
        brief = scriptai.check_brief(data, creator)
        return stream_events(_script_events(request, scriptai.stream_script(llm, creator, brief)))

    @post(
        paths("/api/scriptai/regenerate", "/api/modules/1/regenerate-script"),
        status_code=200,
        summary="Revise a script, or one of its sections, with an instruction",
    )
    async def regenerate_script(
        self,
        request: Request[Any, Any, State],
        data: JSONBody[Regenerate],
        db: DB,
        creator: CurrentCreator,
        llm: AI,
        settings: AppSettings,
    ) -> Response[Revised]:
        """The revised script; a saved draft named by ``draft_id`` keeps it as a new version."""
        await limit_ai_calls(request, settings, creator)
        revision = await scriptai.revise_script(
            db,
            llm,
            creator,
            script=data.script,
            draft_id=data.draft_id,
            version=data.version,
            section=data.section,
            instruction=data.instruction,
        )
        answer = Revised(script=revision.script, draft=DraftInfo.of(revision.draft) if revision.draft else None)
        return _editor(request, answer, revision.script, revision.draft, changed=revision.draft is not None)

    # -- drafts --------------------------------------------------------------------------------

    @post(
        paths("/api/scriptai/drafts", "/api/modules/1/scripts/save-draft"),
        status_code=201,
        summary="Save a script as a new draft",
    )
    async def create_draft(
        self, request: Request[Any, Any, Any], data: JSONBody[DraftCreate], db: DB, creator: CurrentCreator
    ) -> Response[DraftView]:
        """A new draft at version 1."""
        draft = await scriptai.create_draft(db, creator, data.script)
        view = DraftView.of(draft)
        return _editor(request, view, view.script, draft, status_code=201, changed=True)

    @get(paths("/api/scriptai/drafts", "/api/modules/1/scripts/drafts"), summary="The creator's drafts")
    async def list_drafts(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        creator: CurrentCreator,
        q: Query = "",
        page: Page = 1,
        per_page: PerPage = 20,
    ) -> Response[DraftList]:
        """Drafts containing every word of ``q``, last changed first, a page at a time."""
        found = await _draft_list(db, creator, q, page, per_page)
        return respond(request, found, partial="scriptai/_draft_list.html")

    @get(
        paths("/api/scriptai/drafts/{draft_id:uuid}", "/api/modules/1/scripts/drafts/{draft_id:uuid}"),
        summary="A draft and its script",
    )
    async def get_draft(
        self, request: Request[Any, Any, Any], draft_id: FromPath[uuid.UUID], db: DB, creator: CurrentCreator
    ) -> Response[DraftView]:
        """The draft with its script, measured."""
        draft = await scriptai.get_draft(db, creator, draft_id)
        view = DraftView.of(draft)
        return _editor(request, view, view.script, draft)

    @put(
        paths("/api/scriptai/drafts/{draft_id:uuid}", "/api/modules/1/scripts/drafts/{draft_id:uuid}"),
        summary="Save a draft's new script (409 when the copy is stale)",
    )
    async def update_draft(
        self,
        request: Request[Any, Any, Any],
        draft_id: FromPath[uuid.UUID],
        data: JSONBody[DraftUpdate],
        db: DB,
        creator: CurrentCreator,
    ) -> Response[DraftView]:
        """Save over the draft if ``version`` is still its version; the answer carries the next one."""
        draft = await scriptai.update_draft(db, creator, draft_id, data.script, version=data.version)
        view = DraftView.of(draft)
        return _editor(request, view, view.script, draft, changed=True)

    @delete(
        paths("/api/scriptai/drafts/{draft_id:uuid}", "/api/modules/1/scripts/drafts/{draft_id:uuid}"),
        status_code=200,
        summary="Delete a draft and its versions",
    )
    async def delete_draft(
        self, request: Request[Any, Any, Any], draft_id: FromPath[uuid.UUID], db: DB, creator: CurrentCreator
    ) -> Response[dict[str, Any]]:
        """Gone for good, with every version."""
        await scriptai.delete_draft(db, creator, draft_id)
        return respond(request, {"id": str(draft_id), "deleted": True}, partial="_empty.html")

    @get("/api/scriptai/drafts/{draft_id:uuid}/versions", summary="A draft's versions")
    async def list_versions(
        self, request: Request[Any, Any, Any], draft_id: FromPath[uuid.UUID], db: DB, creator: CurrentCreator
    ) -> Response[VersionList]:
        """Every save, regeneration and restore of the draft, newest first."""
        rows = await scriptai.list_versions(db, creator, draft_id)
        current = rows[0].number if rows else 0
        answer = VersionList(draft_id=draft_id, current=current, items=[VersionSummary.of(row) for row in rows])
        return respond(request, answer, partial="scriptai/_versions.html")

    @get("/api/scriptai/drafts/{draft_id:uuid}/versions/{number:int}", summary="One version of a draft")
    async def get_version(
        self, draft_id: FromPath[uuid.UUID], number: FromPath[int], db: DB, creator: CurrentCreator
    ) -> VersionView:
        """The script as it was at that version."""
        return VersionView.of(await scriptai.get_version(db, creator, draft_id, number))

    @post(
        "/api/scriptai/drafts/{draft_id:uuid}/versions/{number:int}/restore",
        status_code=200,
        summary="Make an earlier version the draft's script again",
    )
    async def restore_version(
        self,
        request: Request[Any, Any, Any],
        draft_id: FromPath[uuid.UUID],
        number: FromPath[int],
        db: DB,
        creator: CurrentCreator,
        data: JSONBody[Restore | None] = None,
    ) -> Response[DraftView]:
        """The draft with that version's script, kept as a new version (nothing is lost)."""
        expected = data.version if data else None
        draft = await scriptai.restore_version(db, creator, draft_id, number, version=expected)
        view = DraftView.of(draft)
        return _editor(request, view, view.script, draft, changed=True)
