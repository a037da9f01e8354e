"""The portal's settings with other upload limits (tests/deploy/test_render.py)."""

from portal.settings import *  # noqa: F403

REQUEST_MAX_UPLOAD_BYTES = 1234567
REQUEST_MAX_UPLOAD_BYTES_BY_PATH = {"/organise/": 7654321}
