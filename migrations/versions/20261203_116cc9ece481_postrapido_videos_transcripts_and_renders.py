"""PostRápido: videos, transcripts and renders

Revision ID: 116cc9ece481
Revises: 2d570116e392, 3ed96c6a98d5
Create Date: 2026-12-03 17:22:29.034387
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "116cc9ece481"
down_revision: str | tuple[str, ...] | None = ("2d570116e392", "3ed96c6a98d5")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "videos",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("storage_name", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column(
            "status",
            sa.Enum("uploaded", "transcribed", "rendered", name="videostatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("duration", sa.Float(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("frame_rate", sa.Float(), nullable=False),
        sa.Column("container", sa.String(length=20), nullable=False),
        sa.Column("video_codec", sa.String(length=40), nullable=False),
        sa.Column("audio_codec", sa.String(length=40), nullable=True),
        sa.Column("has_audio", sa.Boolean(), nullable=False),
        sa.Column("silence_settings", sa.JSON(), nullable=True),
        sa.Column("silences", sa.JSON(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_videos_owner_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_videos")),
    )
    with op.batch_alter_table("videos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_videos_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "renders",
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("storage_name", sa.String(length=200), nullable=True),
        sa.Column("duration_before", sa.Float(), nullable=False),
        sa.Column("duration_after", sa.Float(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_renders_owner_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_renders_video_id_videos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_renders")),
    )
    with op.batch_alter_table("renders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_renders_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_renders_task_id"), ["task_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_renders_video_id"), ["video_id"], unique=False)

    op.create_table(
        "transcripts",
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("segments", sa.JSON(), nullable=False),
        sa.Column("words", sa.JSON(), nullable=False),
        sa.Column("edited_segments", sa.JSON(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_transcripts_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_transcripts_video_id_videos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcripts")),
        sa.UniqueConstraint("video_id", name=op.f("uq_transcripts_video_id")),
    )
    with op.batch_alter_table("transcripts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transcripts_owner_id"), ["owner_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("transcripts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transcripts_owner_id"))

    op.drop_table("transcripts")
    with op.batch_alter_table("renders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_renders_video_id"))
        batch_op.drop_index(batch_op.f("ix_renders_task_id"))
        batch_op.drop_index(batch_op.f("ix_renders_owner_id"))

    op.drop_table("renders")
    with op.batch_alter_table("videos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_videos_owner_id"))

    op.drop_table("videos")
