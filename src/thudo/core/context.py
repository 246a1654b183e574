"""Where the current request came from, for audit records written deep inside actions."""

from contextvars import ContextVar

current_ip: ContextVar[str] = ContextVar("current_ip", default="")
