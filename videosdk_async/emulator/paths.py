"""Where things are served: the API's upload-URL route and the storage service.

Storage is served under `STORAGE_PATH`, not where the API is asked for it
(`UPLOAD_URL_PATH`): like the real service, whose files live on another host,
a client must use the URL that ``POST /v1/files`` answers.
"""

from __future__ import annotations

UPLOAD_URL_PATH = "/v1/files"
"""On the API: ``POST`` here answers ``{"url": <storage URL>}``."""
STORAGE_PATH = "/storage/v1/files"
"""The storage service: upload (``POST``), list, get and delete files."""
