"""The command line, run as a user would: `python -m nn train ...` and `python -m nn predict ...`."""

import subprocess
import sys

import pytest


def run_cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "nn", *map(str, args)], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


@pytest.fixture(scope="module")
def trained_model_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    out = folder / "model.json"
    proc = run_cli("train", "--epochs", 1000, "--out", out, cwd=folder)
    return proc, out


def test_train_writes_a_model_and_reports_the_result(trained_model_file):
    proc, out = trained_model_file
    assert proc.returncode == 0, proc.stderr
    assert out.is_file()
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("completed: 1000 epochs")
    assert "test MSE" in last and str(out) in last


def test_predict_answers_about_11_and_19(trained_model_file, tmp_path):
    _, out = trained_model_file
    proc = run_cli("predict", out, 15, 4, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    difference, total = (float(v) for v in proc.stdout.split())
    assert difference == pytest.approx(11.0, abs=0.05)
    assert total == pytest.approx(19.0, abs=0.05)


@pytest.mark.parametrize(("args", "field"), [
    (["--layers", "2,0,2"], "layers"),
    (["--lr", "0"], "learning_rate"),
    (["--activations", "linear,softmax"], "activations"),
    (["--n", "1"], "n"),
])
def test_a_bad_config_exits_with_code_2_and_says_why(tmp_path, args, field):
    out = tmp_path / "never.json"
    proc = run_cli("train", *args, "--epochs", 10, "--out", out, cwd=tmp_path)
    assert proc.returncode == 2
    assert f"error: {field}: " in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_predict_with_a_missing_or_broken_model_exits_with_code_2(tmp_path):
    proc = run_cli("predict", tmp_path / "missing.json", 1, 2, cwd=tmp_path)
    assert proc.returncode == 2 and "error:" in proc.stderr and "Traceback" not in proc.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "something else"}')
    proc = run_cli("predict", broken, 1, 2, cwd=tmp_path)
    assert proc.returncode == 2 and "error: model: " in proc.stderr and "Traceback" not in proc.stderr


def test_a_diverging_run_warns_first_and_exits_nonzero(tmp_path):
    out = tmp_path / "diverged.json"
    proc = run_cli("train", "--optimizer", "sgd", "--lr", 10, "--epochs", 50, "--out", out, cwd=tmp_path)
    assert proc.returncode == 1
    assert "warning:" in proc.stderr and "learning rate" in proc.stderr
    assert proc.stdout.strip().splitlines()[-1].startswith("diverged:")
    assert out.is_file()     # the last finite model is still saved
