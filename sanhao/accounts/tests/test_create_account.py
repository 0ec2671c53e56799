import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sanhao.accounts.models import User
from sanhao.audit.models import AuditEntry


def test_it_creates_an_office_account_from_the_command_line(db, monkeypatch, capsys):
    monkeypatch.setenv("SANHAO_PASSWORD", "a-strong-office-password-9")
    call_command("create_account", "zhuanban", role="office", name="组织部工作专班")
    user = User.objects.get(username="zhuanban")
    assert user.is_office and user.is_staff and user.check_password("a-strong-office-password-9")
    assert "已创建账号 zhuanban（组织部工作专班）" in capsys.readouterr().out
    assert AuditEntry.objects.filter(action="accounts.user.create").exists()


def test_it_refuses_a_liaison_without_a_unit_and_a_weak_password(world, monkeypatch):
    monkeypatch.setenv("SANHAO_PASSWORD", "a-strong-liaison-password-9")
    with pytest.raises(CommandError, match="联络员账号必须对应一个镇街"):
        call_command("create_account", "l1", role="liaison")
    with pytest.raises(CommandError, match="没有代码为 nowhere 的镇街"):
        call_command("create_account", "l1", role="liaison", unit="nowhere")
    call_command("create_account", "l1", role="liaison", unit=world.a.code)
    assert User.objects.get(username="l1").unit == world.a
    monkeypatch.setenv("SANHAO_PASSWORD", "123")
    with pytest.raises(CommandError):
        call_command("create_account", "l2", role="viewer")
