"""Every tunable default in one place, so the docs and the code cannot drift apart."""

from __future__ import annotations

DEFAULT_BASE_URL = "https://api.videosdk.live"

# Environment variables read by AsyncEncoderClient and the command line.
ENV_TOKEN = "VIDEOSDK_TOKEN"
ENV_API_KEY = "VIDEOSDK_API_KEY"
ENV_SECRET = "VIDEOSDK_SECRET_KEY"
ENV_BASE_URL = "VIDEOSDK_BASE_URL"
ENV_STORAGE_URL = "VIDEOSDK_STORAGE_URL"
ENV_LOG = "VIDEOSDK_LOG"

# Tokens minted from an API key + secret.
TOKEN_LIFETIME_SECONDS = 600.0  # the API docs' example uses expiresIn: "10m"
TOKEN_RENEW_BEFORE_SECONDS = 60.0  # renew this long before expiry, so clock skew never bites

# Timeouts: per attempt (httpx's four phases) and one deadline for the whole call.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 20.0
WRITE_TIMEOUT = 20.0
POOL_TIMEOUT = 5.0
CALL_DEADLINE = 60.0

# Retries.
MAX_ATTEMPTS = 3
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
RETRY_AFTER_CAP = 60.0  # a server asking to wait longer than this is answered with RateLimitError
RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
# Answers after which the request may have been applied: the server (or the one behind a
# gateway) failed mid-way. 503, 429 and 408 say the request was not taken on.
MAY_HAVE_APPLIED_STATUS = frozenset({500, 502, 504})

# Retry budget (token bucket, one per client family). Each call deposits BUDGET_RATIO tokens,
# each retry takes one, BUDGET_FLOOR_PER_SECOND trickle in, and the bucket starts full at
# BUDGET_MAX_TOKENS. Finagle's budget is 20% of calls plus a reserve of 10 retries/s; Envoy's
# 20%; gRPC's a token bucket of ratio 0.1. Ours: in an outage, attempts per call tend to
# 1.1 (1.15 over 2,000 calls with the full bank spent); a burst of 300 calls at a 30% error
# rate needs about 117 retries and finds 100 + 30 tokens. See docs/architecture.md.
BUDGET_RATIO = 0.1
BUDGET_MAX_TOKENS = 100.0
BUDGET_FLOOR_PER_SECOND = 0.5

# Connection pool and the in-flight limit kept below it, so no request ever waits in httpx's
# pool (where PoolTimeout lives). Waiting for a slot in our own limiter is cheap; the call's
# deadline starts once it has one (TimeoutPolicy.queue can bound the wait). Fewer connections
# also keep httpcore's per-request pool scan short (see docs/architecture.md).
POOL_MAX_CONNECTIONS = 64
POOL_MAX_KEEPALIVE = 32
MAX_CONCURRENCY = 32
MAX_BORROWED_CONCURRENCY = 10_000  # with your own http_client, size its pool to match

# Batch deletes: the first delete goes ahead alone (refused credentials then cost one
# request); the other workers wait for its answer at most this long.
BATCH_FIRST_ANSWER_WAIT = 1.0

# Paging.
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000_000  # far past any real listing; keeps a page number a sane int

# Uploads (client.files.upload). A big body must not meet the call deadline: an upload has no
# deadline by default, and its per-attempt timeouts bound each step instead. httpx applies the
# write timeout to each chunk handed to the socket, so a chunk must fit in it on a slow link:
# 256 KiB in 60 s is about 35 kbit/s. The read timeout is the wait for the answer once the body
# is sent (a storage service may hash or move a large file before it answers).
UPLOAD_CHUNK_SIZE = 256 * 1024
UPLOAD_CONNECT_TIMEOUT = CONNECT_TIMEOUT
UPLOAD_WRITE_TIMEOUT = 60.0
UPLOAD_READ_TIMEOUT = 120.0
UPLOAD_POOL_TIMEOUT = POOL_TIMEOUT

# Webhooks: a job is a few kilobytes; a body past this is refused before it is parsed.
WEBHOOK_MAX_BYTES = 1024 * 1024

# An answer whose body (decompressed) is larger than this is refused with a typed error.
MAX_RESPONSE_BYTES = 32 * 1024 * 1024

# Error messages quote at most this much of a response body.
BODY_SNIPPET_CHARS = 200
