"""People who asked, on the landing page, to hear about RENUM."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from renum.db import Base


class Lead(Base):
    """One person on the list; email lower-cased and unique."""

    __tablename__ = "leads"

    email: Mapped[str] = mapped_column(String(320), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    creates: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(10), default="pt_BR")
