"""Values the core unit tests share: a static token, credentials and one job."""

from __future__ import annotations

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJhcGlrZXkiOiJzdGF0aWMta2V5In0.c3RhdGljLXNpZ25hdHVyZS12YWx1ZQ"
API_KEY = "ak-0123456789abcdef"
SECRET = "sk-super-secret-signing-key-0123456789abcdef"
JOB_ID = "60531471e32e8e4eaea094fe"
JOB_PATH = f"/v1/encoder/jobs/{JOB_ID}"
JOB = {"id": JOB_ID, "status": "queued"}
