"""Alert channel URLs are encrypted like exchange keys, so `rotate_field_keys` re-encrypts them
with the newest key too: after it, the retired key is not needed to read them."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from apps.exchanges.crypto import SecretUnreadable, secret_decrypt
from apps.notifications.models import NotificationChannel
from apps.notifications.services import channel_create

pytestmark = pytest.mark.django_db

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
URL = "json://user:hook-password-77@127.0.0.1:9/hook/token-1234567890"


def test_rotate_field_keys_re_encrypts_the_channel_urls(ana, settings, capsys) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    channel = channel_create(owner=ana, name="ops", url=URL, events=["error"])
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]  # B is new; A still reads the old rows
    call_command("rotate_field_keys")
    out = capsys.readouterr().out
    assert "Re-encrypted 1 alert channel(s); 0 already current." in out
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]  # A retired
    channel = NotificationChannel.objects.get(pk=channel.pk)
    assert secret_decrypt(channel.url_encrypted, owner_label="test") == URL
    call_command("rotate_field_keys")  # again: nothing left to do
    assert "Re-encrypted 0 alert channel(s); 1 already current." in capsys.readouterr().out
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]  # the retired key alone no longer reads it
    with pytest.raises(SecretUnreadable):
        secret_decrypt(channel.url_encrypted, owner_label="test")
