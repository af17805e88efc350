"""Every setting Cairn reads, from the environment (and an optional `.env`)."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
_PLACEHOLDERS = {"", "change-me", "changeme", "secret", "placeholder", "xxx"}


class ConfigError(ValueError):
    """A setting is missing or unsafe for the features switched on."""


class Settings(BaseSettings):
    """Cairn's configuration; nothing else reads `os.environ`."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # Stores
    data_dir: Path = Field(default=ROOT / "var", validation_alias="CAIRN_DATA_DIR")
    database_url: str = ""
    insight_database_url: str = ""
    redis_url: str = ""
    chroma_path: Path | None = None
    chroma_url: str = ""
    knowledge_dir: Path = ROOT / "knowledge" / "articles"
    services_dir: Path = ROOT / "knowledge" / "services"
    places_dir: Path = ROOT / "knowledge" / "places"
    models_dir: Path | None = None

    # Processes
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_s: float = 10.0
    public_base_url: str = "http://127.0.0.1:8000"

    # Secrets: the pseudonym key makes conversation ids unlinkable to addresses.
    secret_key: SecretStr = SecretStr("")
    # Rasa sends this with every action call (endpoints.yml `token`); unset, it is derived
    # from SECRET_KEY, which is what `cairn run` gives Rasa.
    action_token: SecretStr = SecretStr("")

    # Channels: a channel whose credentials are unset is off.
    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr = SecretStr("")
    twilio_from_number: str = ""
    twilio_api_base_url: str = "https://api.twilio.com"
    telegram_bot_token: SecretStr = SecretStr("")
    telegram_webhook_secret: SecretStr = SecretStr("")
    telegram_api_base_url: str = "https://api.telegram.org/bot"

    # Knowledge
    answer_min_score: float = 0.36  # calibrated: `cairn eval retrieval --sweep`
    # A quick answer is given when the question is this close to one way of asking it; a
    # follow-up needs less, as its article is already known (chosen on the answers dev set).
    quick_answer_min_score: float = 0.7
    follow_up_min_score: float = 0.4
    llm_rephrase: bool = False
    llm_model: str = ""

    # Advisers: when they are on (UK time) and how long a wait usually is
    adviser_hours: str = "mon-fri 09:00-17:00"
    adviser_typical_wait_minutes: int = 10

    # Retention: transcripts, cases and Rasa's trackers are deleted after this many days
    retention_days: int = 90
    rasa_tracker_db_url: str = ""

    # Insight: a published count under this is shown as "<N"; a phrase of unanswered questions
    # is published only once this many different conversations used it.
    insight_min_count: int = Field(default=10, ge=2)
    insight_phrase_min_conversations: int = Field(default=10, ge=2)

    # Durable intake: an SMS or Telegram message unanswered this long (a crash, a restart) is
    # answered by whichever replica finds it. Keep it above a turn's longest time (Rasa's).
    resume_after_s: float = Field(default=30.0, gt=0)

    # Messages one session, number or chat may send (limits' syntax; all windows apply).
    # Shared by replicas through REDIS_URL. A crisis message is never held back.
    rate_limit: str = "15/minute;120/hour"

    # Web contract limits
    max_text_chars: int = 2000
    privacy_notice_url: str = "/privacy"

    @model_validator(mode="after")
    def _default_paths(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'cairn.db'}"
        if not self.insight_database_url:
            self.insight_database_url = f"sqlite:///{self.data_dir / 'insight.db'}"
        if not self.rasa_tracker_db_url:
            self.rasa_tracker_db_url = f"sqlite:///{self.data_dir / 'rasa-tracker.db'}"
        if self.models_dir is None:
            self.models_dir = self.data_dir / "models"
        if self.chroma_path is None and not self.chroma_url:
            self.chroma_path = self.data_dir / "chroma"
        return self

    @property
    def models(self) -> Path:
        """Where the Rasa model and the exported embedding graph live."""
        return self.models_dir or self.data_dir / "models"

    def action_secret(self) -> str:
        """The token the action endpoint requires from Rasa."""
        explicit = self.action_token.get_secret_value()
        if explicit:
            return explicit
        key = self.secret_key.get_secret_value().encode()
        return hmac.new(key, b"rasa-action-endpoint", hashlib.sha256).hexdigest()[:40]

    @property
    def twilio_enabled(self) -> bool:
        """Whether SMS is configured."""
        return bool(self.twilio_account_sid and self.twilio_auth_token.get_secret_value())

    @property
    def telegram_enabled(self) -> bool:
        """Whether Telegram is configured."""
        return bool(self.telegram_bot_token.get_secret_value())

    def check_secrets(self) -> None:
        """Fail fast on a missing or placeholder secret that a switched-on feature needs."""
        problems = []
        if _is_placeholder(self.secret_key):
            problems.append("SECRET_KEY is unset or a placeholder (needed for pseudonymous ids)")
        elif len(self.secret_key.get_secret_value()) < 32:
            problems.append("SECRET_KEY must be at least 32 characters")
        action_token = self.action_token.get_secret_value()
        if action_token and (_is_placeholder(self.action_token) or len(action_token) < 32):
            # /actions/webhook is reachable wherever the api is: a guessable token opens it.
            problems.append("ACTION_TOKEN is a placeholder or shorter than 32 characters")
        if self.twilio_enabled and _is_placeholder(self.twilio_auth_token):
            problems.append("TWILIO_AUTH_TOKEN is a placeholder")
        if self.llm_rephrase and not self.llm_model:
            problems.append("LLM_REPHRASE is on but LLM_MODEL is unset")
        if self.telegram_enabled and _is_placeholder(self.telegram_webhook_secret):
            problems.append("TELEGRAM_WEBHOOK_SECRET is unset or a placeholder")
        if problems:
            raise ConfigError("; ".join(problems))

    def channel_status(self) -> dict[str, bool]:
        """Which channels are on."""
        return {"web": True, "sms": self.twilio_enabled, "telegram": self.telegram_enabled}


def _is_placeholder(value: SecretStr) -> bool:
    return value.get_secret_value().strip().lower() in _PLACEHOLDERS


@lru_cache
def get_settings() -> Settings:
    """Build the settings once per process."""
    return Settings()
