"""The devtools app: installed so Django finds its management commands; it has no models."""
from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    name = "devtools"
    verbose_name = "Development tools"
