"""Settings for `make bench`: the tracker's own, plus a bare view to measure the framework's floor."""

from tracker.settings import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
LOGGING["loggers"]["axes"] = {"level": "WARNING"}  # noqa: F405 - no login chatter in the figures
