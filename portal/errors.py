"""The exception services raise when a rule refuses a request."""


class ServiceError(Exception):
    """A request the rules refuse. The message is safe to show the user; `status` is what a
    view or the API answers with (400 unless a subclass or the caller says otherwise)."""

    status = 400

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
