"""SQLAlchemy models, one module per area; importing this package registers every table."""

from renum.models.accounts import ApiToken, User, WebSession
from renum.models.assistant import ChatMessage, Conversation
from renum.models.integrations import HeyGenConnection, MetricoolConnection, SocialAccount
from renum.models.leads import Lead
from renum.models.onboarding import CreatorProfile
from renum.models.postrapido import Caption, PostStatus, Render, ScheduledPost, Transcript, Video, VideoStatus
from renum.models.scriptai import Draft, DraftVersion
from renum.models.tasks import Task, TaskStatus

__all__ = [
    "ApiToken",
    "Caption",
    "ChatMessage",
    "Conversation",
    "CreatorProfile",
    "Draft",
    "DraftVersion",
    "HeyGenConnection",
    "Lead",
    "MetricoolConnection",
    "PostStatus",
    "Render",
    "ScheduledPost",
    "SocialAccount",
    "Task",
    "TaskStatus",
    "Transcript",
    "User",
    "Video",
    "VideoStatus",
    "WebSession",
]
