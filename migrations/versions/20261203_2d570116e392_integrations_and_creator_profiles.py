"""integrations, social accounts and creator profiles

Revision ID: 2d570116e392
Revises: 3081f273147c
Create Date: 2026-12-03 16:59:14.109915
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2d570116e392"
down_revision: str | None = "3081f273147c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "creator_profiles",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("niche", sa.String(length=200), nullable=False),
        sa.Column("audience", sa.String(length=500), nullable=False),
        sa.Column("onboarding_steps", sa.JSON(), nullable=False),
        sa.Column("onboarding_finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_creator_profiles_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_creator_profiles")),
        sa.UniqueConstraint("owner_id", name=op.f("uq_creator_profiles_owner_id")),
    )
    op.create_table(
        "heygen_connections",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("api_key_sealed", sa.Text(), nullable=False),
        sa.Column("key_hint", sa.String(length=8), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("last_error_code", sa.String(length=40), nullable=True),
        sa.Column("remaining_credits", sa.Float(), nullable=True),
        sa.Column("default_avatar_id", sa.String(length=200), nullable=True),
        sa.Column("default_avatar_kind", sa.String(length=20), nullable=True),
        sa.Column("default_avatar_name", sa.String(length=200), nullable=True),
        sa.Column("default_avatar_image", sa.String(length=1000), nullable=True),
        sa.Column("default_voice_id", sa.String(length=200), nullable=True),
        sa.Column("default_voice_name", sa.String(length=200), nullable=True),
        sa.Column("default_voice_language", sa.String(length=80), nullable=True),
        sa.Column("default_voice_audio", sa.String(length=1000), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_heygen_connections_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_heygen_connections")),
        sa.UniqueConstraint("owner_id", name=op.f("uq_heygen_connections_owner_id")),
    )
    op.create_table(
        "metricool_connections",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("user_token_sealed", sa.Text(), nullable=False),
        sa.Column("token_hint", sa.String(length=8), nullable=False),
        sa.Column("metricool_user_id", sa.String(length=40), nullable=False),
        sa.Column("blog_id", sa.Integer(), nullable=False),
        sa.Column("brand_name", sa.String(length=200), nullable=False),
        sa.Column("brand_timezone", sa.String(length=64), nullable=True),
        sa.Column("brand_networks", sa.JSON(), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("last_error_code", sa.String(length=40), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_metricool_connections_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metricool_connections")),
        sa.UniqueConstraint("owner_id", name=op.f("uq_metricool_connections_owner_id")),
    )
    op.create_table(
        "social_accounts",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("handle", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_social_accounts_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_accounts")),
        sa.UniqueConstraint("owner_id", "platform", name=op.f("uq_social_accounts_owner_id")),
    )
    with op.batch_alter_table("social_accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_social_accounts_owner_id"), ["owner_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("social_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_social_accounts_owner_id"))

    op.drop_table("social_accounts")
    op.drop_table("metricool_connections")
    op.drop_table("heygen_connections")
    op.drop_table("creator_profiles")
