from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "sanhao.jobs"
    verbose_name = "后台任务"

    def ready(self) -> None:
        from sanhao.jobs import health  # noqa: F401  (registers the queue's check)
