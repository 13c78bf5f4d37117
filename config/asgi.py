"""ASGI entry point: HTTP goes to Django, WebSocket to Channels.

WebSocket routes come from ``config.routing``, which holds the chat window's and the inbox's
sockets to Sohbet's own origin (``SameOriginValidator``) and attaches the session and user to
the operator inbox's only.
"""

import asyncio
import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402

router = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": URLRouter(websocket_urlpatterns),
    }
)


async def lifespan(receive, send) -> None:
    """ASGI lifespan: on the embedded defaults (no broker, ``PERIODIC_JOBS_IN_WEB``) the web
    process runs the periodic jobs itself, so that what they do shows live in its sockets."""
    from django.conf import settings

    from apps.core import periodic

    jobs = None
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            if settings.PERIODIC_JOBS_IN_WEB:
                jobs = asyncio.get_running_loop().create_task(periodic.run_forever())
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if jobs is not None:
                jobs.cancel()
            await send({"type": "lifespan.shutdown.complete"})
            return


async def application(scope, receive, send):
    if scope["type"] == "lifespan":
        return await lifespan(receive, send)
    return await router(scope, receive, send)


# Everything loaded so far (Django, the apps, their modules) lives as long as the process. Moved
# out of the collector's sight, it no longer makes each full collection of the cyclic garbage
# collector stop the event loop for tens of milliseconds.
gc.collect()
gc.freeze()

# A process holding thousands of sockets has about a million long-lived objects, and each full
# collection walks all of them: 0.4 s with the event loop stopped at 3 k sockets. The
# young generations keep their defaults (a larger first one made each message dearer under
# load); full collections come ten times less often.
gc.set_threshold(700, 10, int(os.environ.get("GC_FULL_EVERY", "100")))
