"""The one exception a caller of nn/ needs to catch for bad input."""


class ConfigError(ValueError):
    """A configuration or dataset value is invalid. `field` names the offending field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
