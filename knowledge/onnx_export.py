"""Export all-MiniLM-L6-v2 to ONNX once, with sentence-transformers' pooling in the graph."""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path
from typing import Any


def export(model_dir: Path, target: Path) -> None:
    """Write the graph to `target` atomically (torch is only needed here)."""
    with warnings.catch_warnings():
        _export(model_dir, target)


def _export(model_dir: Path, target: Path) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()

    class MeanPooled(torch.nn.Module):
        """Transformer, mean pooling over real tokens, L2 normalisation (as the model card)."""

        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.inner(input_ids=input_ids, attention_mask=attention_mask)
            mask = attention_mask.unsqueeze(-1).to(hidden.last_hidden_state.dtype)
            summed = (hidden.last_hidden_state * mask).sum(1)
            mean = summed / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    warnings.filterwarnings("ignore")  # tracer chatter from the legacy exporter
    sample = tokenizer(["a short example", "another one"], return_tensors="pt", padding=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(dir=target.parent, suffix=".onnx.tmp")
    os.close(handle)
    try:
        with torch.no_grad():
            torch.onnx.export(
                MeanPooled(model),
                (sample["input_ids"], sample["attention_mask"]),
                scratch,
                input_names=["input_ids", "attention_mask"],
                output_names=["embedding"],
                dynamic_axes={
                    "input_ids": {0: "batch", 1: "tokens"},
                    "attention_mask": {0: "batch", 1: "tokens"},
                    "embedding": {0: "batch"},
                },
                opset_version=17,
                dynamo=False,
            )
        os.replace(scratch, target)
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)
