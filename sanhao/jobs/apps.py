from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "sanhao.jobs"
    verbose_name = "后台任务"
