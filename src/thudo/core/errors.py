"""One family of domain errors. The API maps them to typed JSON errors, pages to readable messages."""

from django.utils.translation import gettext as _


class DomainError(Exception):
    """A request the domain refuses. ``code`` is stable for clients; ``message`` is for people."""

    code = "domain_error"
    status = 400

    def __init__(
        self, message: str | None = None, *, code: str | None = None, fields: dict[str, str] | None = None
    ) -> None:
        self.message = str(message) if message is not None else self.default_message()
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(self.message)

    def default_message(self) -> str:
        return _("Yêu cầu không hợp lệ.")


class InvalidInput(DomainError):
    code = "invalid"
    status = 422

    def default_message(self) -> str:
        return _("Dữ liệu không hợp lệ.")


class NotAllowed(DomainError):
    code = "forbidden"
    status = 403

    def default_message(self) -> str:
        return _("Bạn không có quyền thực hiện thao tác này.")


class NotFound(DomainError):
    code = "not_found"
    status = 404

    def default_message(self) -> str:
        return _("Không tìm thấy.")


class Conflict(DomainError):
    """Illegal state transition, or somebody else acted first."""

    code = "conflict"
    status = 409

    def default_message(self) -> str:
        return _("Thao tác xung đột với trạng thái hiện tại.")


class RateLimited(DomainError):
    """Too many requests from one client in a window (``thudo.core.throttling``); ``wait`` is the
    number of seconds after which a new request will be accepted (the ``Retry-After`` header)."""

    code = "throttled"
    status = 429

    def __init__(self, message: str | None = None, *, wait: float | None = None) -> None:
        self.wait = wait
        super().__init__(message)

    def default_message(self) -> str:
        return _("Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau ít phút.")


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, object]:
    """The platform's one error shape in the API: ``{"code", "message", "fields"}``."""
    return {"code": code, "message": message, "fields": fields or {}}


def data_error_message() -> str:
    """What a person reads when the database refused the input (``django.db.DataError``: a NUL
    character in text, a number out of range); the API and the pages both say this."""
    return _("Dữ liệu chứa ký tự hoặc giá trị không hợp lệ.")
