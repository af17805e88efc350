# The Rasa server (Rasa Open Source 3.6.21, Python 3.10) with Cairn's input channel.
FROM python:3.10-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY bot/requirements.txt bot/requirements.txt
RUN pip install --no-cache-dir --require-hashes -r bot/requirements.txt
COPY bot bot
COPY knowledge/__init__.py knowledge/text.py knowledge/
ENV PYTHONPATH=/app RASA_TELEMETRY_ENABLED=false SANIC_WORKERS=1
RUN rasa train --config bot/config.yml --domain bot/domain.yml --data bot/data \
    --out models --fixed-model-name cairn
EXPOSE 5005
CMD ["rasa", "run", "--model", "models/cairn.tar.gz", "--endpoints", "bot/endpoints-scale.yml", \
     "--credentials", "bot/credentials.yml", "--interface", "0.0.0.0", "--port", "5005"]
