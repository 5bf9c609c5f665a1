"""Integrations: the creator's HeyGen key, Metricool account and brand, and linked social accounts.

Paths are the legacy SPA's (``/api/integrations/...``); the old backend's ``/integrations/heygen...`` are
deprecated aliases of the same handlers. ``/settings/integrations`` is the page, whose buttons call these
routes through htmx. No answer ever holds a saved key or token: only a hint of its last characters.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Template
from msgspec import Struct

from renum.clients.heygen import Avatar, Voice
from renum.clients.metricool import Brand
from renum.i18n import gettext
from renum.models import HeyGenConnection, MetricoolConnection
from renum.services import integrations
from renum.web.aliases import paths
from renum.web.deps import DB, CurrentCreator, OutsideServices, provide_outside
from renum.web.representation import respond

__all__ = [
    "BrandInfo",
    "HeyGenState",
    "IntegrationController",
    "MetricoolState",
    "SocialAccountState",
]


class HeyGenSave(Struct, forbid_unknown_fields=False):
    """A HeyGen key to check and keep, and/or the default avatar and voice (what is left out stays)."""

    api_key: str | None = None
    default_avatar_id: str | None = None
    default_voice_id: str | None = None


class KeyToTest(Struct, forbid_unknown_fields=False):
    """A key to check without keeping it; none means the saved key."""

    api_key: str | None = None


class MetricoolSave(Struct, forbid_unknown_fields=False):
    """Metricool credentials and the brand to publish through (the only brand when left out)."""

    user_token: str
    user_id: str | int
    blog_id: int | None = None


class MetricoolToTest(Struct, forbid_unknown_fields=False):
    """Credentials to check without keeping them; none means the saved ones."""

    user_token: str | None = None
    user_id: str | int | None = None


class BrandChange(Struct, forbid_unknown_fields=False):
    """Another brand of the same Metricool account."""

    blog_id: int


class SocialLink(Struct, forbid_unknown_fields=False):
    """A platform to publish to from RENUM, and the creator's handle there."""

    platform: str
    handle: str = ""


def _status(connected: bool, last_error: str | None) -> str:
    if not connected:
        return "not_connected"
    return "error" if last_error else "connected"


class AvatarChoice(Struct):
    """The avatar videos use unless the creator picks another."""

    avatar_id: str
    kind: str | None
    name: str | None
    preview_image_url: str | None


class VoiceChoice(Struct):
    """The voice videos use unless the creator picks another."""

    voice_id: str
    name: str | None
    language: str | None
    preview_audio: str | None


class HeyGenState(Struct):
    """The HeyGen connection as the creator may see it: never the key, only its last characters."""

    connected: bool
    status: str
    key_hint: str | None = None
    verified_at: datetime | None = None
    checked_at: datetime | None = None
    remaining_credits: float | None = None
    last_error: str | None = None
    last_error_code: str | None = None
    default_avatar: AvatarChoice | None = None
    default_voice: VoiceChoice | None = None

    @classmethod
    def of(cls, row: HeyGenConnection | None) -> HeyGenState:
        if row is None:
            return cls(connected=False, status=_status(False, None))
        avatar = voice = None
        if row.default_avatar_id:
            avatar = AvatarChoice(
                row.default_avatar_id, row.default_avatar_kind, row.default_avatar_name, row.default_avatar_image
            )
        if row.default_voice_id:
            voice = VoiceChoice(
                row.default_voice_id, row.default_voice_name, row.default_voice_language, row.default_voice_audio
            )
        return cls(
            connected=True,
            status=_status(True, row.last_error),
            key_hint=row.key_hint,
            verified_at=row.verified_at,
            checked_at=row.checked_at,
            remaining_credits=row.remaining_credits,
            last_error=gettext(row.last_error) if row.last_error else None,
            last_error_code=row.last_error_code,
            default_avatar=avatar,
            default_voice=voice,
        )


class HeyGenCheckResult(Struct):
    """A key HeyGen accepted."""

    ok: bool
    saved_key: bool
    remaining_credits: float
    checked_at: datetime


class Credits(Struct):
    """What is left on the HeyGen account: HeyGen's own number and the credits it makes."""

    remaining_credits: float
    remaining_quota: float


class AvatarList(Struct):
    """Avatars (with preview images and videos) and the default one."""

    avatars: list[Avatar]
    default_avatar_id: str | None


class VoiceList(Struct):
    """Voices (with audio previews), the default one, the language filter applied and those on offer."""

    voices: list[Voice]
    default_voice_id: str | None
    language: str | None
    languages: list[str]


class BrandInfo(Struct):
    """A Metricool brand: its ``blogId``, name, timezone and connected networks."""

    blog_id: int
    name: str
    timezone: str | None
    networks: list[str]

    @classmethod
    def of(cls, brand: Brand) -> BrandInfo:
        return cls(blog_id=brand.blog_id, name=brand.name, timezone=brand.timezone, networks=list(brand.networks))


class MetricoolState(Struct):
    """The Metricool connection as the creator may see it: never the token, only its last characters."""

    connected: bool
    status: str
    user_id: str | None = None
    token_hint: str | None = None
    brand: BrandInfo | None = None
    verified_at: datetime | None = None
    checked_at: datetime | None = None
    last_error: str | None = None
    last_error_code: str | None = None

    @classmethod
    def of(cls, row: MetricoolConnection | None) -> MetricoolState:
        if row is None:
            return cls(connected=False, status=_status(False, None))
        return cls(
            connected=True,
            status=_status(True, row.last_error),
            user_id=row.metricool_user_id,
            token_hint=row.token_hint,
            brand=BrandInfo(
                blog_id=row.blog_id,
                name=row.brand_name,
                timezone=row.brand_timezone,
                networks=list(row.brand_networks),
            ),
            verified_at=row.verified_at,
            checked_at=row.checked_at,
            last_error=gettext(row.last_error) if row.last_error else None,
            last_error_code=row.last_error_code,
        )


class MetricoolCheckResult(Struct):
    """Credentials Metricool accepted, and the brands they reach."""

    ok: bool
    saved_credentials: bool
    brands: list[BrandInfo]
    checked_at: datetime


class BrandList(Struct):
    """The brands the saved credentials reach, and the one RENUM publishes through."""

    brands: list[BrandInfo]
    blog_id: int | None


class SocialAccountState(Struct):
    """A platform: on the Metricool brand or not, linked in RENUM or not, and the handle."""

    platform: str
    name: str
    brand_connected: bool
    linked: bool
    handle: str
    linked_at: datetime | None

    @classmethod
    def of(cls, view: integrations.SocialAccountView) -> SocialAccountState:
        return cls(
            platform=view.platform.key,
            name=view.platform.name,
            brand_connected=view.brand_connected,
            linked=view.linked,
            handle=view.handle,
            linked_at=view.linked_at,
        )


class IntegrationController(Controller):
    """HeyGen, Metricool and social accounts: the JSON routes, their htmx partials and the settings page."""

    tags = ["integrations"]
    dependencies = {"outside": Provide(provide_outside, sync_to_thread=False)}

    @get("/settings/integrations", include_in_schema=False)
    async def integrations_page(self, db: DB, creator: CurrentCreator) -> Template:
        """Every integration at a glance, with test, change and disconnect."""
        state = await integrations.overview(db, creator)
        return Template(
            "integrations/index.html",
            context={
                "heygen": HeyGenState.of(state.heygen),
                "metricool": MetricoolState.of(state.metricool),
                "social": [SocialAccountState.of(view) for view in state.social],
            },
        )

    # HeyGen

    @get("/api/integrations/heygen", summary="The saved HeyGen connection (never the key)")
    async def get_heygen(
        self, request: Request[Any, Any, Any], db: DB, creator: CurrentCreator
    ) -> Response[HeyGenState]:
        """A hint of the saved key, when it was verified, the default avatar and voice."""
        row = await integrations.get_heygen(db, creator)
        return respond(request, HeyGenState.of(row), partial="integrations/_heygen.html")

    @put(paths("/api/integrations/heygen", "/integrations/heygen"), summary="Save a HeyGen key, avatar or voice")
    async def save_heygen(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[HeyGenSave],
        db: DB,
        creator: CurrentCreator,
        outside: OutsideServices,
    ) -> Response[HeyGenState]:
        """Keep a key HeyGen accepts, and/or choose the default avatar and voice; nothing is kept on failure."""
        row = await integrations.configure_heygen(
            db,
            creator,
            outside,
            api_key=data.api_key,
            avatar_id=data.default_avatar_id,
            voice_id=data.default_voice_id,
        )
        return respond(request, HeyGenState.of(row), partial="integrations/_heygen.html")

    @post("/api/integrations/heygen/configure", status_code=200, summary="Save a HeyGen key, avatar or voice")
    async def configure_heygen(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[HeyGenSave],
        db: DB,
        creator: CurrentCreator,
        outside: OutsideServices,
    ) -> Response[HeyGenState]:
        """The SPA's other spelling of ``PUT /api/integrations/heygen``."""
        row = await integrations.configure_heygen(
            db,
            creator,
            outside,
            api_key=data.api_key,
            avatar_id=data.default_avatar_id,
            voice_id=data.default_voice_id,
        )
        return respond(request, HeyGenState.of(row), partial="integrations/_heygen.html")

    @get("/api/integrations/heygen/status", summary="Whether HeyGen works, credits, last check and last error")
    async def heygen_status(
        self, request: Request[Any, Any, Any], db: DB, creator: CurrentCreator, outside: OutsideServices
    ) -> Response[HeyGenState]:
        """The connection, checked with HeyGen unless it was checked moments ago; a failure is reported, not raised."""
        row = await integrations.check_heygen(db, creator, outside)
        return respond(request, HeyGenState.of(row), partial="integrations/_heygen.html")

    @post(
        paths("/api/integrations/heygen/test", "/integrations/heygen/test"),
        status_code=200,
        summary="Test the saved HeyGen key, or one sent without saving it",
    )
    async def test_heygen(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        creator: CurrentCreator,
        outside: OutsideServices,
        data: JSONBody[KeyToTest | None] = None,
    ) -> Response[HeyGenCheckResult]:
        """Ask HeyGen whether the key works; a key in the body is checked and kept nowhere."""
        api_key = data.api_key if data else None
        check = await integrations.test_heygen(db, creator, outside, api_key=api_key)
        result = HeyGenCheckResult(
            ok=True, saved_key=api_key is None, remaining_credits=check.remaining_credits, checked_at=check.checked_at
        )
        return respond(request, result, partial="integrations/_check.html")

    @get(
        paths("/api/integrations/heygen/credits", "/integrations/heygen/credits"),
        summary="Credits left on the HeyGen account",
    )
    async def heygen_credits(
        self, request: Request[Any, Any, Any], db: DB, creator: CurrentCreator, outside: OutsideServices
    ) -> Response[Credits]:
        """Asked from HeyGen now."""
        quota = await integrations.heygen_credits(db, creator, outside)
        credits = Credits(remaining_credits=quota.credits, remaining_quota=quota.remaining_quota)
        return respond(request, credits, partial="integrations/_credits.html")

    @get(
        paths("/api/integrations/heygen/avatars", "/integrations/heygen/avatars"),
        summary="Avatars of the HeyGen account, with previews",
    )
    async def heygen_avatars(
        self, request: Request[Any, Any, Any], db: DB, creator: CurrentCreator, outside: OutsideServices
    ) -> Response[AvatarList]:
        """Studio avatars, then photo avatars; kept a couple of minutes so browsing the gallery stays quick."""
        gallery = await integrations.heygen_avatars(db, creator, outside)
        listed = AvatarList(avatars=gallery.avatars, default_avatar_id=gallery.chosen)
        return respond(request, listed, partial="integrations/_avatars.html")

    @get(
        paths("/api/integrations/heygen/voices", "/integrations/heygen/voices"),
        summary="Voices of the HeyGen account, filterable by language",
    )
    async def heygen_voices(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        creator: CurrentCreator,
        outside: OutsideServices,
        language: FromQuery[str | None] = None,
    ) -> Response[VoiceList]:
        """Voices with audio previews; ``language`` (``pt-BR``, ``pt``, ``Portuguese``...) keeps only those."""
        gallery = await integrations.heygen_voices(db, creator, outside, language=language)
        listed = VoiceList(
            voices=gallery.voices,
            default_voice_id=gallery.chosen,
            language=gallery.language,
            languages=gallery.languages,
        )
        return respond(request, listed, partial="integrations/_voices.html")

    @delete("/api/integrations/heygen", status_code=200, summary="Disconnect HeyGen (forget the key)")
    async def disconnect_heygen(
        self, request: Request[Any, Any, Any], db: DB, creator: CurrentCreator, outside: OutsideServices
    ) -> Response[HeyGenState]:
        """Forget the key and the default avatar and voice."""
        await integrations.disconnect_heygen(db, creator, outside)
        return respond(request, HeyGenState.of(None), partial="integrations/_heygen.html")

    # Metricool

    @get("/api/integrations/metricool/status", summary="Whether Metricool works, the brand, last check and error")
    async def metricool_status(
        self, request: Request[Any, Any, Any], db: DB, creator: CurrentCreator, outside: OutsideServices
    ) -> Response[MetricoolState]:
        """The connection, checked with Metricool unless it was checked moments ago; a failure is reported."""
        row = await integrations.check_metricool(db, creator, outside)
        return respond(request, MetricoolState.of(row), partial="integrations/_metricool.html")

    @post("/api/integrations/metricool/test", status_code=200, summary="Test Metricool credentials, list brands")
    async def test_metricool(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        creator: CurrentCreator,
        outside: OutsideServices,
        data: JSONBody[MetricoolToTest | None] = None,
    ) -> Response[MetricoolCheckResult]:
        """Check the credentials sent (kept nowhere) or the saved ones, answering the brands they reach."""
        given = data is not None and (data.user_token is not None or data.user_id is not None)
        check = await integrations.test_metricool(
            db,
            creator,
            outside,
            user_token=data.user_token if data else None,
            user_id=data.user_id if data else None,
        )
        result = MetricoolCheckResult(
            ok=True,
            saved_credentials=not given,
            brands=[BrandInfo.of(brand) for brand in check.brands],
            checked_at=check.checked_at,
        )
        return respond(request, result, partial="integrations/_brands.html")

    @put("/api/integrations/metricool", summary="Connect Metricool: token, user id and brand")
    async def connect_metricool(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[MetricoolSave],
        db: DB,
        creator: CurrentCreator,
        outside: OutsideServices,
    ) -> Response[MetricoolState]:
        """Keep the credentials and the brand once Metricool accepts them; nothing is kept on failure."""
        row = await integrations.connect_metricool(
            db, creator, outside, user_token=data.user_token, user_id=data.user_id, blog_id=data.blog_id
        )
        return respond(request, MetricoolState.of(row), partial="integrations/_metricool.html")

    @get("/api/integrations/metricool/brands", summary="Brands the saved Metricool credentials reach")
    async def metricool_brands(
        self, request: Request[Any, Any, Any], db: DB, creator: CurrentCreator, outside: OutsideServices
    ) -> Response[BrandList]:
        """Each brand with its timezone and networks, and the one chosen now."""
        gallery = await integrations.metricool_brands(db, creator, outside)
        listed = BrandList(brands=[BrandInfo.of(brand) for brand in gallery.brands], blog_id=gallery.chosen)
        return respond(request, listed, partial="integrations/_brand_choice.html")

    @put("/api/integrations/metricool/brand", summary="Publish through another Metricool brand")
    async def change_metricool_brand(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[BrandChange],
        db: DB,
        creator: CurrentCreator,
        outside: OutsideServices,
    ) -> Response[MetricoolState]:
        """Switch brand; links to networks the new brand lacks are removed."""
        row = await integrations.choose_metricool_brand(db, creator, outside, blog_id=data.blog_id)
        return respond(request, MetricoolState.of(row), partial="integrations/_metricool.html")

    @delete("/api/integrations/metricool", status_code=200, summary="Disconnect Metricool")
    async def disconnect_metricool(
        self, request: Request[Any, Any, Any], db: DB, creator: CurrentCreator, outside: OutsideServices
    ) -> Response[MetricoolState]:
        """Forget the token, the brand and the social accounts linked through it."""
        await integrations.disconnect_metricool(db, creator, outside)
        return respond(request, MetricoolState.of(None), partial="integrations/_metricool.html")

    # Social accounts

    @get("/api/integrations/social-accounts", summary="Platforms, on the Metricool brand and linked in RENUM")
    async def list_social_accounts(
        self, request: Request[Any, Any, Any], db: DB, creator: CurrentCreator
    ) -> Response[list[SocialAccountState]]:
        """Instagram, TikTok, YouTube, LinkedIn, Facebook and X, each with its state and handle."""
        views = await integrations.list_social_accounts(db, creator)
        return respond(
            request, [SocialAccountState.of(view) for view in views], partial="integrations/_social_accounts.html"
        )

    @post("/api/integrations/social-accounts/connect", status_code=200, summary="Link a platform of the brand")
    async def link_social_account(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[SocialLink],
        db: DB,
        creator: CurrentCreator,
        outside: OutsideServices,
    ) -> Response[SocialAccountState]:
        """Link once Metricool confirms the brand has it; 409 when it must be connected in Metricool first."""
        view = await integrations.link_social_account(db, creator, outside, platform=data.platform, handle=data.handle)
        return respond(request, SocialAccountState.of(view), partial="integrations/_social_account.html")

    @delete("/api/integrations/social-accounts/{platform:str}", status_code=200, summary="Unlink a platform in RENUM")
    async def unlink_social_account(
        self, request: Request[Any, Any, Any], platform: FromPath[str], db: DB, creator: CurrentCreator
    ) -> Response[SocialAccountState]:
        """RENUM stops publishing there; the network stays connected in Metricool."""
        view = await integrations.unlink_social_account(db, creator, platform=platform)
        return respond(request, SocialAccountState.of(view), partial="integrations/_social_account.html")
