"""Issue 12 §3: the audit's caches and its resume are keyed by content, not by paths.

CODE-PATH FIXTURE (tiny random BERT from conftest), so each run takes seconds: the numbers mean
nothing, only whether a result was reused or recomputed."""
import hashlib
import io
import json
import os
import shutil

import pytest

from gpu_checks import fingerprint, personas, results, runner


class Lines:
    """A rich console writing to memory (the runner's progress bars need a real one)."""

    def __init__(self):
        from rich.console import Console
        self.buf = io.StringIO()
        self.console = Console(file=self.buf, width=2000, force_terminal=False)

    @property
    def lines(self):
        return self.buf.getvalue().splitlines()


def _cfg(model, out, data, **kw):
    return runner.AuditConfig(model=str(model), personas=str(data), out=str(out), ks=[1, 2], steps=4,
                              eval_every=2, shuffles=2, **kw)


@pytest.fixture
def data(tmp_path):
    d = tmp_path / "data"
    shutil.copytree(personas.EMBEDDED_DIR, d)
    return d


def test_file_hash_index_rereads_a_file_whose_size_or_mtime_changed(tmp_path):
    f = tmp_path / "w.bin"
    f.write_bytes(b"a" * 10)
    idx = fingerprint.HashIndex(tmp_path / "index.json")
    first = idx.file_sha256(f)
    idx.save()
    again = fingerprint.HashIndex(tmp_path / "index.json")
    assert again.file_sha256(f) == first and not again.dirty  # served from the index
    f.write_bytes(b"b" * 11)
    assert again.file_sha256(f) != first
    st = f.stat()
    f.write_bytes(b"c" * 11)  # same size: the mtime tells
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert again.file_sha256(f) == hashlib.sha256(b"c" * 11).hexdigest()


def test_model_hash_follows_the_bytes_not_the_names(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for d, payload in ((a, b"weights-1"), (b, b"weights-2")):
        d.mkdir()
        (d / "model.safetensors").write_bytes(payload)
        (d / "config.json").write_text("{}")
    idx = fingerprint.HashIndex()
    assert fingerprint.model_sha256(a, idx) != fingerprint.model_sha256(b, idx)
    shutil.copytree(a, tmp_path / "a2")
    assert fingerprint.model_sha256(a, idx) == fingerprint.model_sha256(tmp_path / "a2", idx)


def test_same_run_resumes_and_other_seed_recomputes(tiny_bert, tmp_path, data):
    out = tmp_path / "res"
    first = runner.run(_cfg(tiny_bert, out, data, seed=0))
    con = Lines()
    again = runner.run(_cfg(tiny_bert, out, data, seed=0), console=con.console)
    assert any(line.startswith("resuming") for line in con.lines), con.lines
    con = Lines()
    runner.run(_cfg(tiny_bert, tmp_path / "other", data, seed=0), console=con.console)
    # output to a file or pipe: plain progress lines, not a redrawn bar (issue 13 §7)
    assert any(line.startswith("embedding statements: 640/640 (100%)") for line in con.lines), con.lines
    assert any(line.startswith("DPO last-layer K=2 draw 10/10: 4/4 (100%)") for line in con.lines), con.lines
    assert again["dpo"]["runs"] == first["dpo"]["runs"]

    con = Lines()
    other = runner.run(_cfg(tiny_bert, out, data, seed=1), console=con.console)
    said = [line for line in con.lines if "recomputing" in line]
    assert len(said) == 1 and "configuration (seed" in said[0], con.lines
    assert other["seed"] == 1 and other["dpo"]["runs"]["2"]["log"] != first["dpo"]["runs"]["2"]["log"]
    kept = out / f"audit.{first['fingerprint']['key'][:12]}.json"
    assert json.loads(kept.read_text())["seed"] == 0  # nothing lost


def test_edited_statements_change_the_geometry_without_fresh(tiny_bert, tmp_path, data):
    out = tmp_path / "res"
    before = runner.run(_cfg(tiny_bert, out, data))
    f = data / "optimism.jsonl"
    rows = [json.loads(line) for line in f.read_text().splitlines() if line.strip()]
    rows[0]["statement"] = "I expect the worst from every single day that comes."
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    con = Lines()
    after = runner.run(_cfg(tiny_bert, out, data), console=con.console)
    text = "\n".join(con.lines)
    assert "another data content" in text and "embedding cache of 1 persona(s) (optimism)" in text, text
    assert after["geometry"]["spread"]["per_persona"]["optimism"] != before["geometry"]["spread"]["per_persona"]["optimism"]
    assert after["geometry"]["spread"]["per_persona"]["generosity"] == before["geometry"]["spread"]["per_persona"]["generosity"]


def test_changed_model_bytes_under_the_same_path_recompute(tiny_bert, tmp_path, data):
    model = tmp_path / "model"
    shutil.copytree(tiny_bert, model)
    out = tmp_path / "res"
    before = runner.run(_cfg(model, out, data))
    import torch
    from safetensors.torch import load_file, save_file
    w = next(model.glob("*.safetensors"))
    tensors = load_file(w)
    name = next(k for k, v in tensors.items() if v.ndim == 2)
    tensors[name] = tensors[name] + 0.5 * torch.randn_like(tensors[name])
    save_file(tensors, w, metadata={"format": "pt"})
    con = Lines()
    after = runner.run(_cfg(model, out, data), console=con.console)
    assert any("another model files" in line for line in con.lines), con.lines
    assert after["geometry"]["spread"] != before["geometry"]["spread"]


def test_results_file_without_fingerprint_is_recomputed_and_kept(tiny_bert, tmp_path, data):
    out = tmp_path / "res"
    doc = runner.run(_cfg(tiny_bert, out, data))
    doc = json.loads(results.path_in(out).read_text())
    del doc["fingerprint"]
    results.path_in(out).write_text(json.dumps(doc))
    con = Lines()
    runner.run(_cfg(tiny_bert, out, data), console=con.console)
    assert any("older dpoverify" in line for line in con.lines), con.lines
    assert (out / "audit.unkeyed.json").is_file()
