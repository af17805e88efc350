from __future__ import annotations

from pathlib import Path

import pytest

from cairn.settings import ConfigError
from tests.conftest import make_settings


def test_embedded_defaults_live_in_the_data_dir(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'cairn.db'}"
    assert settings.insight_database_url == f"sqlite:///{tmp_path / 'insight.db'}"
    assert settings.chroma_path == tmp_path / "chroma"
    assert settings.channel_status() == {"web": True, "sms": False, "telegram": False}


@pytest.mark.parametrize("secret", ["", "change-me", "short"])
def test_a_missing_or_weak_secret_fails_fast(tmp_path: Path, secret: str) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        make_settings(tmp_path, secret_key=secret).check_secrets()


def test_a_switched_on_channel_needs_real_secrets(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, telegram_bot_token="123:abc", telegram_webhook_secret="")
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        settings.check_secrets()
