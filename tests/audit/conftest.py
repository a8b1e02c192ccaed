"""CODE-PATH FIXTURES, NOT EVIDENCE: tiny randomly initialised models saved with safetensors to a
temporary directory (MiniLM's tokenizer files, random weights). Their numbers say nothing about
real models; they exercise the causal-LM and encoder code paths quickly."""
import pytest
import torch

from gpu_checks import models


def _save_tiny(path, model, tok):
    model.save_pretrained(path, safe_serialization=True)
    tok.save_pretrained(path)
    assert any(path.glob("*.safetensors")) and not any(path.glob("*.bin"))
    return path


@pytest.fixture(scope="session")
def tiny_gpt2(tmp_path_factory):
    """A 2-layer GPT-2 (d = 16): a causal LM with its own lm_head."""
    from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel

    tok = AutoTokenizer.from_pretrained(models.default_model_dir(), local_files_only=True)
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=len(tok), n_embd=16, n_layer=2, n_head=2, n_positions=128))
    return _save_tiny(tmp_path_factory.mktemp("tiny-gpt2"), model, tok)


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory):
    """A 2-layer BERT (d = 16): an encoder, so the fine-tune also trains a separate answer head."""
    from transformers import AutoTokenizer, BertConfig, BertModel

    tok = AutoTokenizer.from_pretrained(models.default_model_dir(), local_files_only=True)
    torch.manual_seed(0)
    model = BertModel(BertConfig(vocab_size=len(tok), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                                 intermediate_size=32, max_position_embeddings=128))
    return _save_tiny(tmp_path_factory.mktemp("tiny-bert"), model, tok)
