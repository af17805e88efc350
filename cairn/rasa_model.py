"""Train the Rasa model only when the bot's training inputs changed (content hash)."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from cairn.settings import ROOT
from knowledge import text

BOT_DIR = ROOT / "bot"
RASA_VENV = ROOT / ".venv-rasa"
MODEL_NAME = "cairn"


def rasa_executable() -> Path:
    """The `rasa` command of the Python 3.10 environment (`make setup` creates it)."""
    path = RASA_VENV / "bin" / "rasa"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make setup` to create the Rasa env")
    return path


def training_inputs(bot_dir: Path = BOT_DIR) -> list[Path]:
    """Every file that changes the trained model."""
    files = [bot_dir / "config.yml", bot_dir / "domain.yml"]
    files += sorted((bot_dir / "data").rglob("*.yml"))
    files += sorted((bot_dir / "components").rglob("*.py"))
    files.append(Path(text.__file__))  # the classifier reads `plain` text
    return files


def content_hash(bot_dir: Path = BOT_DIR) -> str:
    """Hash the training inputs' paths and contents."""
    digest = hashlib.sha256()
    for path in training_inputs(bot_dir):
        name = path.relative_to(bot_dir.parent)
        digest.update(str(name).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def model_path(models_dir: Path) -> Path:
    """Where the trained model lives."""
    return models_dir / f"{MODEL_NAME}.tar.gz"


def server_command(models_dir: Path, endpoints: str, host: str, port: int) -> list[str]:
    """`rasa run` with Cairn's channel, serving the trained model on host:port.

    `endpoints` names a file in bot/: endpoints.yml (embedded) or endpoints-scale.yml.
    """
    bot = ROOT / "bot"
    return [str(rasa_executable()), "run", "--model", str(model_path(models_dir)),
            "--endpoints", str(bot / endpoints), "--credentials", str(bot / "credentials.yml"),
            "--interface", host, "--port", str(port)]  # fmt: skip


def is_current(models_dir: Path) -> bool:
    """Whether the model on disk was trained from the current inputs."""
    stamp = models_dir / f"{MODEL_NAME}.sha256"
    return (
        model_path(models_dir).exists()
        and stamp.exists()
        and stamp.read_text().strip() == content_hash()
    )


def train(models_dir: Path, *, log_file: Path) -> None:
    """Train with the Rasa env and stamp the model with the inputs' hash."""
    from knowledge.embedding import Embedder

    models_dir.mkdir(parents=True, exist_ok=True)
    Embedder(models_dir).load()  # the intent classifier needs the exported MiniLM graph
    log_file.parent.mkdir(parents=True, exist_ok=True)
    digest = content_hash()
    with log_file.open("w") as log:
        subprocess.run(
            [
                str(rasa_executable()),
                "train",
                "--config",
                str(BOT_DIR / "config.yml"),
                "--domain",
                str(BOT_DIR / "domain.yml"),
                "--data",
                str(BOT_DIR / "data"),
                "--out",
                str(models_dir),
                "--fixed-model-name",
                MODEL_NAME,
            ],
            check=True,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=rasa_env({"CAIRN_EMBEDDING_DIR": str(models_dir)}),
            cwd=ROOT,
        )
    (models_dir / f"{MODEL_NAME}.sha256").write_text(digest + "\n")


# One thread per process for numerical libraries: a turn's maths is small, and with several
# processes on a few cores, BLAS and OpenMP worker threads only spin and contend.
SINGLE_THREADED_MATHS = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
}


def rasa_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for Rasa processes: offline, quiet, our connector importable."""
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SANIC_WORKERS": "1",
            **SINGLE_THREADED_MATHS,
        }
    )
    env.update(extra or {})
    return env
