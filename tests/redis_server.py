"""The machine's Redis for the tests that need a real one (a worker, a shared cache)."""

import os

import pytest


def require_redis(url: str) -> None:
    """Skip the test when Redis does not answer at ``url``; fail it instead where REDIS_TESTS=required (CI)."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("REDIS_TESTS") == "required":
            pytest.fail(f"Redis is not answering at {url}")
        pytest.skip(f"Redis is not answering at {url}")
