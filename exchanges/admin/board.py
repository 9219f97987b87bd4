"""A programme's decision board: every submitted application, staged and announced here."""


def urls(model_admin) -> list:
    """The board's URLs, under the programme admin's."""
    return []
