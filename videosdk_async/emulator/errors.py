"""The error an emulator operation raises to answer with a given status and JSON body."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """Answer ``status`` with JSON ``body`` (always carrying a ``message``)."""

    def __init__(self, status: int, message: str, /, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message, **extra}
        self.headers: dict[str, str] = {}


def job_not_found(job_id: str) -> ApiError:
    """404 for an unknown job id."""
    return ApiError(404, f"Job {job_id} not found")


def file_not_found(file_id: str) -> ApiError:
    """404 for an unknown file id."""
    return ApiError(404, f"File {file_id} not found")
