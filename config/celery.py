"""The Celery app. Tasks are discovered in every app's ``tasks.py``; the beat schedule is
``CELERY_BEAT_SCHEDULE`` in settings, filled by later features."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("sohbet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
