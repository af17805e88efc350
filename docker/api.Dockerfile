# The api (FastAPI service, Python 3.11). torch is the CPU build, fetched into the flat folder
# the lock file names, so `uv sync --frozen` installs exactly the locked wheel.
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir uv==0.13.9 \
 && pip download --no-deps --dest /opt/wheels torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
COPY cairn cairn
COPY channels channels
COPY knowledge knowledge
COPY escalation escalation
COPY insight insight
COPY evaluation evaluation
COPY bot bot
RUN uv sync --frozen --no-dev
ENV PATH="/app/.venv/bin:$PATH" HF_HUB_OFFLINE=1 CAIRN_DATA_DIR=/app/var MALLOC_ARENA_MAX=2
# Triage's risk model ships inside the image: every replica reads the same trained weights.
RUN cairn risk train && rm -f /app/var/models/risk-vectors.npz
EXPOSE 8000
CMD ["cairn", "serve"]
