class DomainError(Exception):
    """A rule of the campaign was broken; the message is for the person who tried."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
