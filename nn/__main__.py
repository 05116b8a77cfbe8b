"""Command line: `python -m nn train ... --out model.json` and `python -m nn predict model.json 15 4`."""

from __future__ import annotations

import argparse
import sys

import numpy as np

from . import ConfigError, TrainConfig, diagnose, load_model, make_dataset, save_model, train
from .data import TASKS
from .optim import OPTIMIZERS


def _ints(text):
    return tuple(int(v) for v in text.split(","))


def _names(text):
    return tuple(v.strip() for v in text.split(","))


def _parser():
    p = argparse.ArgumentParser(prog="python -m nn", description="Train and query tiny JAX networks.")
    sub = p.add_subparsers(dest="command", required=True)
    d = TrainConfig()
    t = sub.add_parser("train", help="generate a dataset, train a network, save it as JSON")
    t.add_argument("--task", default="diff_sum", choices=sorted(TASKS))
    t.add_argument("--n", type=int, default=1000, help="samples (default 1000)")
    t.add_argument("--noise", type=float, default=0.0)
    t.add_argument("--data-seed", type=int, default=0)
    t.add_argument("--layers", type=_ints, default=d.layers, help="sizes, e.g. 2,2,2")
    t.add_argument("--activations", type=_names, default=d.activations, help="e.g. linear,linear")
    t.add_argument("--optimizer", default=d.optimizer, choices=OPTIMIZERS)
    t.add_argument("--lr", type=float, default=d.learning_rate, help="learning rate")
    t.add_argument("--epochs", type=int, default=d.epochs)
    t.add_argument("--batch-size", type=int, default=None, help="default: full batch")
    t.add_argument("--seed", type=int, default=d.seed)
    t.add_argument("--no-normalize", dest="normalize", action="store_false")
    t.add_argument("--out", default="model.json")
    q = sub.add_parser("predict", help="run a saved model on one input")
    q.add_argument("model")
    q.add_argument("a", type=float)
    q.add_argument("b", type=float)
    return p


def _progress_bar(p, out=sys.stderr):
    done = p["epoch"] / p["epochs"]
    bar = "#" * int(30 * done)
    out.write(f"\r[{bar:<30}] epoch {p['epoch']:>7}/{p['epochs']}  train {p['train_loss']:.3g}  "
              f"test {p['test_loss']:.3g}")
    out.flush()


def _train(args) -> int:
    ds = make_dataset(n=args.n, task=args.task, noise=args.noise, seed=args.data_seed)
    cfg = TrainConfig(layers=args.layers, activations=args.activations, optimizer=args.optimizer,
                      learning_rate=args.lr, epochs=args.epochs, batch_size=args.batch_size,
                      seed=args.seed, normalize=args.normalize)
    for f in diagnose(ds, cfg):
        print(f"{f.severity}: {f.message}", file=sys.stderr)
    result = train(ds, cfg, on_progress=_progress_bar)
    print(file=sys.stderr)
    if result.message:
        print(result.message, file=sys.stderr)
    save_model(result.model, args.out)
    last = result.history[-1]
    print(f"{result.status}: {result.epochs_run} epochs in {result.seconds:.2f} s "
          f"({result.epochs_run / max(result.seconds, 1e-9):,.0f} epochs/s), "
          f"train MSE {last['train_loss']:.3g}, test MSE {last['test_loss']:.3g}, saved {args.out}")
    return 0 if result.status == "completed" else 1


def _predict(args) -> int:
    model = load_model(args.model)
    out = model.predict(np.array([[args.a, args.b]]))[0]
    print(" ".join(f"{v:.6g}" for v in out))
    return 0


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _train(args) if args.command == "train" else _predict(args)
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except FileNotFoundError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
