"""A WSGI entry for bench/pages.py: the portal's Django views under gunicorn.

The portal is deployed on ASGI only (portal/asgi.py; settings.WSGI_APPLICATION is None and
there is no portal/wsgi.py), so the benchmark brings its own. Not a deployment entry: the
request-body bounds of portal/asgi_http.py are not applied here (the benchmark only GETs).
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
