"""The full route table of ``shared/spec/api-audit.md``: every call of the legacy SPA and every
route of the old backend, with its module.

A row is (method, path, module, side): ``spa`` for the SPA's calls, ``backend`` for the old
backend's routes. Paths keep the audit's parameter names. Rows of modules not built yet sit in
``PENDING``; each module's issue empties its part.
"""

from __future__ import annotations

from typing import NamedTuple


class Route(NamedTuple):
    method: str
    path: str
    module: str
    side: str


R = Route

BACKEND = [
    R("GET", "/health", "health", "backend"),
    R("GET", "/health/", "health", "backend"),
    R("GET", "/health/ready", "health", "backend"),
    R("PUT", "/integrations/heygen", "integrations", "backend"),
    R("POST", "/integrations/heygen/test", "integrations", "backend"),
    R("GET", "/integrations/heygen/credits", "integrations", "backend"),
    R("GET", "/integrations/heygen/avatars", "integrations", "backend"),
    R("GET", "/integrations/heygen/voices", "integrations", "backend"),
    R("POST", "/webhooks/heygen", "webhooks", "backend"),
    R("POST", "/api/tasks/process-video", "postrapido", "backend"),
    R("POST", "/api/tasks/generate-avatar", "avatarai", "backend"),
    R("GET", "/api/tasks/status/{task_id}", "tasks", "backend"),
    R("DELETE", "/api/tasks/cancel/{task_id}", "tasks", "backend"),
    R("GET", "/api/tasks/queue/stats", "tasks", "backend"),
    R("POST", "/api/leads", "leads", "backend"),
    R("GET", "/api/leads/count", "leads", "backend"),
    R("GET", "/api/analytics/dashboard", "analytics", "backend"),
    R("GET", "/api/analytics/posts", "analytics", "backend"),
    R("GET", "/api/analytics/best-times", "analytics", "backend"),
    R("GET", "/api/analytics/platforms", "analytics", "backend"),
    R("POST", "/api/assistant/chat", "assistant", "backend"),
    R("POST", "/api/modules/1/generate-script", "scriptai", "backend"),
    R("POST", "/api/modules/1/regenerate-script", "scriptai", "backend"),
    R("POST", "/api/modules/1/scripts/save-draft", "scriptai", "backend"),
    R("GET", "/api/modules/1/scripts/drafts", "scriptai", "backend"),
    R("GET", "/api/modules/1/scripts/drafts/{draft_id}", "scriptai", "backend"),
    R("PUT", "/api/modules/1/scripts/drafts/{draft_id}", "scriptai", "backend"),
    R("DELETE", "/api/modules/1/scripts/drafts/{draft_id}", "scriptai", "backend"),
    R("POST", "/api/modules/2/upload", "postrapido", "backend"),
    R("POST", "/api/modules/2/transcribe", "postrapido", "backend"),
    R("POST", "/api/modules/2/detect-silences", "postrapido", "backend"),
    R("POST", "/api/modules/2/process", "postrapido", "backend"),
    R("GET", "/api/modules/2/process/{job_id}/status", "postrapido", "backend"),
    R("POST", "/api/modules/2/generate-descriptions", "postrapido", "backend"),
    R("POST", "/api/modules/2/regenerate-description", "postrapido", "backend"),
    R("POST", "/api/modules/2/schedule", "postrapido", "backend"),
    R("POST", "/api/modules/3/generate-video", "avatarai", "backend"),
    R("GET", "/api/modules/3/generate-video/{job_id}/status", "avatarai", "backend"),
    R("POST", "/api/modules/3/send-to-postrapido", "avatarai", "backend"),
]

SPA = [
    R("GET", "/health", "health", "spa"),
    R("GET", "/health/ready", "health", "spa"),
    R("POST", "/api/integrations/heygen/configure", "integrations", "spa"),
    R("POST", "/api/integrations/heygen/test", "integrations", "spa"),
    R("GET", "/api/integrations/heygen/credits", "integrations", "spa"),
    R("GET", "/api/integrations/heygen/avatars", "integrations", "spa"),
    R("GET", "/api/integrations/heygen/voices", "integrations", "spa"),
    R("GET", "/api/integrations/heygen", "integrations", "spa"),
    R("GET", "/api/integrations/heygen/status", "integrations", "spa"),
    R("PUT", "/api/integrations/heygen", "integrations", "spa"),
    R("POST", "/api/integrations/metricool/test", "integrations", "spa"),
    R("GET", "/api/integrations/metricool/status", "integrations", "spa"),
    R("GET", "/api/integrations/social-accounts", "integrations", "spa"),
    R("POST", "/api/integrations/social-accounts/connect", "integrations", "spa"),
    R("DELETE", "/api/integrations/social-accounts/{platform}", "integrations", "spa"),
    R("GET", "/api/analytics/dashboard", "analytics", "spa"),
    R("GET", "/api/analytics/posts", "analytics", "spa"),
    R("GET", "/api/analytics/best-times", "analytics", "spa"),
    R("GET", "/api/analytics/platforms", "analytics", "spa"),
    R("POST", "/api/assistant/chat", "assistant", "spa"),
    R("POST", "/api/scriptai/generate", "scriptai", "spa"),
    R("POST", "/api/scriptai/regenerate", "scriptai", "spa"),
    R("POST", "/api/scriptai/drafts", "scriptai", "spa"),
    R("GET", "/api/scriptai/drafts", "scriptai", "spa"),
    R("GET", "/api/scriptai/drafts/{draft_id}", "scriptai", "spa"),
    R("PUT", "/api/scriptai/drafts/{draft_id}", "scriptai", "spa"),
    R("DELETE", "/api/scriptai/drafts/{draft_id}", "scriptai", "spa"),
    R("POST", "/api/postrapido/upload", "postrapido", "spa"),
    R("POST", "/api/postrapido/transcribe", "postrapido", "spa"),
    R("POST", "/api/postrapido/detect-silences", "postrapido", "spa"),
    R("POST", "/api/postrapido/process", "postrapido", "spa"),
    R("GET", "/api/postrapido/process/{job_id}/status", "postrapido", "spa"),
    R("POST", "/api/postrapido/descriptions/generate", "postrapido", "spa"),
    R("POST", "/api/postrapido/descriptions/regenerate", "postrapido", "spa"),
    R("POST", "/api/postrapido/schedule", "postrapido", "spa"),
    R("POST", "/api/avatarai/generate", "avatarai", "spa"),
    R("GET", "/api/avatarai/videos/{job_id}/status", "avatarai", "spa"),
    R("POST", "/api/avatarai/send-to-postrapido", "avatarai", "spa"),
    R("GET", "/api/calendar/posts", "calendar", "spa"),
    R("GET", "/api/calendar/posts/{id}", "calendar", "spa"),
    R("PUT", "/api/calendar/posts/{id}/reschedule", "calendar", "spa"),
    R("PUT", "/api/calendar/posts/{id}/cancel", "calendar", "spa"),
    R("GET", "/api/dashboard/stats", "dashboard", "spa"),
]

ALL = BACKEND + SPA

# Modules not built yet. Each module's issue removes its name here when its routes exist.
PENDING_MODULES = {
    "webhooks",
    "analytics",
    "avatarai",
    "calendar",
    "dashboard",
}

PENDING = [r for r in ALL if r.module in PENDING_MODULES]
BUILT = [r for r in ALL if r not in PENDING]
