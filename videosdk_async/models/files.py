"""Models of the storage service's answers (the stored file itself is `StoredFile`)."""

from __future__ import annotations

from ._base import APIModel


class UploadTarget(APIModel):
    """The API's answer to ``POST /v1/files``: where the storage service is."""

    url: str
